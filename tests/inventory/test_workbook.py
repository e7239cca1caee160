"""The census workbook: template with validations, all-or-nothing import, export round trip."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import translation
from openpyxl import load_workbook

from govshare.core.models import AuditEvent
from govshare.core.xlsx.columns import FILE_ROW, NO, YES, Kind
from govshare.inventory import workbook
from govshare.inventory.models import InformationSystem, SystemRevision
from govshare.inventory.services import SYSTEM_FIELDS
from tests.inventory.factories import SystemFactory, census_data

pytestmark = pytest.mark.django_db

LABELS = {column.field: column.label for column in workbook.columns()}
TODAY = dt.date.today()


def records(count: int, **overrides: object) -> list[dict]:
    """``count`` valid census records with distinct names."""
    return [census_data(name=f"普查测试系统{n:03d}", **overrides) for n in range(count)]


def import_into(actor, department, content: bytes) -> workbook.CensusImportResult:
    return workbook.census_import(actor=actor, department=department, content=content)


def audited_writes() -> int:
    return AuditEvent.objects.filter(action__startswith="inventory.").count()


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


# --- the template ---------------------------------------------------------------------------


def test_the_template_has_a_heading_per_census_field_and_a_guide_row_per_column():
    # when the template is generated
    book = open_book(workbook.census_template())

    # then the first sheet holds the headings in SYSTEM_FIELDS order, the guide one row each
    sheet, guide = book.worksheets[0], book.worksheets[1]
    assert [cell.value for cell in sheet[1]] == [LABELS[name] for name in SYSTEM_FIELDS]
    guide_labels = [row[0] for row in guide.iter_rows(min_row=2, values_only=True)]
    assert guide_labels[: len(SYSTEM_FIELDS)] == [LABELS[name] for name in SYSTEM_FIELDS]
    assert book.worksheets[2].sheet_state == "hidden"


def test_the_template_validates_every_enumeration_boolean_number_and_date():
    # given the template's validations, by column letter
    book = open_book(workbook.census_template())
    sheet, lists = book.worksheets[0], book.worksheets[2]
    validations = sheet.data_validations.dataValidation
    rules = {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in validations}

    # then each column has the validation of its kind, and dropdowns list the labels
    for index, column in enumerate(workbook.columns()):
        letter = chr(ord("A") + index)
        if column.kind == Kind.TEXT and not column.max_length:
            assert letter not in rules  # free text: nothing to check
            continue
        rule = rules[letter]
        if column.kind in (Kind.CHOICE, Kind.BOOLEAN):
            assert rule.type == "list", column.field
            source = rule.formula1.split("!")[1].replace("$", "")
            values = [cell.value for row in lists[source] for cell in row]
            expected = [label for _c, label in column.choices] or [YES, NO]
            assert values == expected, column.field
        else:
            expected_type = {
                Kind.INTEGER: "whole",
                Kind.DECIMAL: "decimal",
                Kind.DATE: "date",
                Kind.TEXT: "textLength",
            }[column.kind]
            assert rule.type == expected_type, column.field
    assert rules["R"].formula1 == "1" and rules["R"].formula2 == "5"  # 等级保护 1–5


def test_the_template_filled_in_by_hand_imports(officer_a, dept_a):
    # given the downloaded template with one row typed in (labels, 是/否, a date string)
    book = open_book(workbook.census_template())
    sheet = book.worksheets[0]
    column_of = {name: index + 1 for index, name in enumerate(SYSTEM_FIELDS)}
    label_of = {c.field: dict(c.choices) for c in workbook.columns()}
    typed = {
        "name": "不动产登记业务系统",
        "function_description": "不动产登记受理、审核、登簿",
        "usage_scope": label_of["usage_scope"]["public"],
        "usage_frequency": "daily",  # a code is taken too
        "funding_source": label_of["funding_source"]["fiscal"],
        "construction_mode": "Self-built",  # and the English label
        "construction_investment": 450.5,
        "go_live_date": "2019/06/01",
        "deployment": label_of["deployment"]["gov_cloud"],
        "network_domain": label_of["network_domain"]["extranet_admin"],
        "is_secret": NO,
    }
    for name, value in typed.items():
        sheet.cell(row=2, column=column_of[name], value=value)
    filled = io.BytesIO()
    book.save(filled)

    # when it is imported
    result = import_into(officer_a, dept_a, filled.getvalue())

    # then the system is registered with the codes behind the labels
    assert result.errors == [] and result.created == 1
    system = InformationSystem.objects.get(department=dept_a)
    assert (system.usage_scope, system.usage_frequency, system.construction_mode) == (
        "public",
        "daily",
        "self_built",
    )
    assert system.construction_investment == Decimal("450.50")
    assert system.go_live_date == dt.date(2019, 6, 1) and system.is_secret is False


def test_an_empty_template_imports_nothing_and_says_so(officer_a, dept_a):
    result = import_into(officer_a, dept_a, workbook.census_template())
    assert [(e.row, e.code) for e in result.errors] == [(FILE_ROW, "required")]
    assert not InformationSystem.objects.exists()


# --- the import: all or nothing -------------------------------------------------------------


def test_a_500_row_workbook_with_3_bad_cells_reports_exactly_those_and_writes_nothing(
    officer_a, dept_a
):
    # given 500 rows, three of them with one bad cell each
    rows = records(500)
    rows[10]["usage_scope"] = "everyone"
    rows[200]["protection_level"] = 7
    rows[499]["go_live_date"] = TODAY + dt.timedelta(days=30)
    content = workbook.write_census(rows)

    # when it is imported
    result = import_into(officer_a, dept_a, content)

    # then exactly the three cells are reported (Excel row = index + 2), and nothing is written
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (12, LABELS["usage_scope"], "invalid_choice"),
        (202, LABELS["protection_level"], "max_value"),
        (501, LABELS["go_live_date"], "conflict"),  # a date after today
    ]
    assert not InformationSystem.objects.exists()
    assert not SystemRevision.objects.exists()
    assert audited_writes() == 0


def test_a_clean_500_row_workbook_imports_every_system_audited(officer_a, dept_a):
    # given a clean workbook of 500 systems
    content = workbook.write_census(records(500))

    # when it is imported
    result = import_into(officer_a, dept_a, content)

    # then all 500 exist, each with a version and an audit event, and the import is recorded
    assert result.is_valid and (result.created, result.updated) == (500, 0)
    assert InformationSystem.objects.filter(department=dept_a).count() == 500
    assert SystemRevision.objects.count() == 500
    assert AuditEvent.objects.filter(action="inventory.system.create").count() == 500
    summary = AuditEvent.objects.get(action="inventory.census.import")
    assert summary.department_id == dept_a.pk and summary.after["created"] == 500


def test_every_bad_cell_of_a_row_is_reported_with_its_rule(officer_a, dept_a):
    # given one row with several problems of different kinds
    row = census_data(
        name="",
        active_users="很多",
        approval_date="去年",
        construction_investment="abc",
        is_secret="也许",
        protection_filing_number="",
    )
    content = workbook.write_census([row])

    # when it is imported
    errors = import_into(officer_a, dept_a, content).errors

    # then each cell is named once, with its rule
    assert {(e.column, e.code) for e in errors} == {
        (LABELS["name"], "blank"),
        (LABELS["active_users"], "invalid"),
        (LABELS["approval_date"], "invalid_date"),
        (LABELS["construction_investment"], "invalid"),
        (LABELS["is_secret"], "invalid"),
        (LABELS["protection_filing_number"], "required"),
    }
    assert {e.row for e in errors} == {2}


# --- messages that say what is wrong (issue 12, the walk's misleading messages) --------------


def only_error(officer, department, **cells: object):
    """The one error of a row with ``cells`` (the field name and the message)."""
    content = workbook.write_census([census_data(name="消息测试系统", **cells)])
    (error,) = import_into(officer, department, content).errors
    return error


def test_a_day_that_does_not_exist_is_named_as_such_not_as_a_wrong_format(officer_a, dept_a):
    # when 2026-02-30 is typed, in the format asked for
    error = only_error(officer_a, dept_a, go_live_date="2026-02-30")

    # then the message says the day does not exist (not "enter YYYY-MM-DD")
    assert (error.column, error.code) == (LABELS["go_live_date"], "invalid_date")
    with translation.override("en"):
        assert error.message != translation.gettext("Enter a date as YYYY-MM-DD.")
    assert "2026-02-30" in error.message


def test_a_20_digit_number_is_told_the_columns_real_limit(officer_a, dept_a):
    error = only_error(officer_a, dept_a, active_users="12345678901234567890")

    assert (error.column, error.code) == (LABELS["active_users"], "max_value")
    assert "2147483647" in error.message and "9223372036854775807" not in error.message


def test_a_nul_character_is_named_in_our_words_not_djangos(officer_a, dept_a):
    # given a name with a NUL character (Excel writes it _x0000_)
    error = only_error(officer_a, dept_a, approving_department="发改\x00委")

    # then the cell is refused with a message of ours (Django's Chinese: "不允许是用空字符串")
    assert (error.column, error.code) == (
        LABELS["approving_department"],
        "null_characters_not_allowed",
    )
    assert "空字符串" not in error.message and "NUL" in error.message


@pytest.mark.parametrize(
    "amount, code", [("123456789012345", "max_value"), ("1.234", "max_decimal_places")]
)
def test_an_amount_past_its_digits_is_told_its_range_in_words(officer_a, dept_a, amount, code):
    # when an amount has more digits than the column holds
    error = only_error(officer_a, dept_a, construction_investment=amount)

    # then the message gives the amount's range and decimals, not Django's count of digits
    # (whose Chinese ends with an ASCII stop: "确认总共不超过 14 个数字.")
    assert (error.column, error.code) == (LABELS["construction_investment"], code)
    assert "999999999999.99" in error.message and "个数字" not in error.message


def test_names_repeated_within_the_file_are_reported_on_the_later_row(officer_a, dept_a):
    content = workbook.write_census(
        [census_data(name="重复系统"), census_data(name="另一系统"), census_data(name="重复系统")]
    )
    errors = import_into(officer_a, dept_a, content).errors
    assert [(e.row, e.column, e.code) for e in errors] == [(4, LABELS["name"], "duplicate")]
    assert not InformationSystem.objects.exists()


def test_a_row_naming_an_existing_system_updates_it_and_others_are_created(officer_a, dept_a):
    # given a registered system and a workbook that changes it and adds another
    existing = SystemFactory(department=dept_a, name="旧系统", active_users=10)
    content = workbook.write_census(
        [
            {**workbook.system_record(existing), "active_users": 99},
            census_data(name="新系统"),
        ]
    )

    # when imported
    result = import_into(officer_a, dept_a, content)

    # then the old one is updated (a new version) and the new one created
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    existing.refresh_from_db()
    assert existing.active_users == 99
    assert existing.revisions.first().changed_fields == ["active_users"]


def _with_broken_sheet() -> bytes:
    """A real workbook whose first sheet's XML is cut off."""
    source = zipfile.ZipFile(io.BytesIO(workbook.write_census(records(2))))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as broken:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            broken.writestr(item, data)
    return output.getvalue()


@pytest.mark.parametrize(
    "content",
    [b"not a workbook", b"PK\x03\x04broken zip", _with_broken_sheet()],
    ids=["text", "broken-zip", "broken-sheet-xml"],
)
def test_a_file_that_is_not_a_workbook_is_one_error(officer_a, dept_a, content):
    errors = import_into(officer_a, dept_a, content).errors
    assert [(e.row, e.code) for e in errors] == [(FILE_ROW, "invalid")]


def test_a_renamed_or_missing_column_stops_the_import(officer_a, dept_a):
    # given a workbook whose heading of one column was changed
    book = open_book(workbook.write_census(records(1)))
    book.worksheets[0]["B1"] = "备注"
    changed = io.BytesIO()
    book.save(changed)

    # then the heading is named and nothing is read
    errors = import_into(officer_a, dept_a, changed.getvalue()).errors
    assert len(errors) == 1 and "备注" in errors[0].message
    assert not InformationSystem.objects.exists()


@pytest.mark.parametrize("who", [None, "officer_b", "staff_a", "reviewer", "auditor"])
def test_only_the_departments_data_officer_imports(request, who, dept_a, officer_b):
    # given a clean workbook and someone who is not dept_a's data officer
    actor = AnonymousUser() if who is None else request.getfixturevalue(who)
    content = workbook.write_census(records(3))

    # when they import it for dept_a, then it is refused and nothing changes
    with pytest.raises(PermissionDenied):
        import_into(actor, dept_a, content)
    assert not InformationSystem.objects.exists()
    assert audited_writes() == 0


# --- the export -----------------------------------------------------------------------------


def _varied_systems(department) -> list[InformationSystem]:
    return [
        SystemFactory(
            department=department,
            construction_investment=Decimal("1234.56"),
            annual_om_cost=Decimal("0.10"),
            approval_date=dt.date(2018, 3, 5),
            protection_level=None,
            protection_filing_number="",
        ),
        SystemFactory(
            department=department,
            is_secret=True,
            sharing_status="not_required",
            protection_level=3,
            protection_filing_number="37070013001-20001",
            health_url="http://10.1.2.3:8080/health",
            cloud_status="migrated",
            vertical_origin="provincial",
        ),
        SystemFactory(department=department, approving_department="市发展改革委", active_users=0),
    ]


def test_export_reads_back_as_the_same_census_records(dept_a):
    # given systems with varied values
    systems = _varied_systems(dept_a)

    # when exported and read back
    content = workbook.census_export(InformationSystem.objects.all())
    rows = workbook.read_rows(content, dept_a)

    # then every row carries exactly the census record of its system
    by_name = {system.name: system for system in systems}
    assert len(rows) == 3 and not [e for row in rows for e in row.errors]
    for row in rows:
        system = by_name[row.data["name"]]
        assert row.data == {name: getattr(system, name) for name in SYSTEM_FIELDS}


def test_an_export_reimports_cleanly_without_changes(officer_a, dept_a):
    _varied_systems(dept_a)
    content = workbook.census_export(InformationSystem.objects.filter(department=dept_a))
    before = audited_writes()

    result = import_into(officer_a, dept_a, content)

    assert result.errors == [] and (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert audited_writes() == before + 1  # the import itself, no system changes


def test_an_export_of_another_department_is_not_taken_over(officer_b, dept_a, dept_b):
    # given dept_a's census exported
    SystemFactory(department=dept_a)
    content = workbook.census_export(InformationSystem.objects.filter(department=dept_a))

    # when dept_b imports it, then the rows are refused as another department's
    errors = import_into(officer_b, dept_b, content).errors
    assert [e.code for e in errors] == ["other_department"]
    assert not InformationSystem.objects.filter(department=dept_b).exists()


def test_export_shows_the_department_and_status_columns(dept_a):
    SystemFactory(department=dept_a, name="在用系统")
    sheet = open_book(workbook.census_export(InformationSystem.objects.all())).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = [cell.value for cell in sheet[2]]
    assert header[: len(SYSTEM_FIELDS)] == [LABELS[name] for name in SYSTEM_FIELDS]
    assert row[len(SYSTEM_FIELDS)] == dept_a.name
    assert row[0] == "在用系统"
