"""The catalog workbook: template with dropdowns, all-or-nothing import with an error workbook,
and an export that imports back."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from govshare.catalog import workbook
from govshare.catalog.choices import (
    DataType,
    FormatClass,
    Grade,
    Masking,
    ShareModeClass,
    ShareModeType,
    ShareType,
    UpdateCycle,
)
from govshare.catalog.exports import GUIDE_LABELS
from govshare.catalog.models import DataItem, Resource, ResourceEvent
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
)
from govshare.core.models import AuditEvent
from govshare.core.xlsx.columns import Kind
from tests.catalog.factories import items_data, resource_data
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

RESOURCE_HEADINGS = [
    "分类代码",
    "信息资源名称",
    "摘要",
    "格式分类",
    "格式类型",
    "共享类型",
    "共享条件",
    "不予共享依据",
    "共享方式分类",
    "共享方式类型",
    "是否向社会开放",
    "开放条件",
    "更新周期",
    "关键字",
    "关联资源代码",
    "重点监管",
    "政务服务",
]
ITEM_HEADINGS = [
    "资源名称",
    "信息项名称",
    "标识符",
    "数据类型",
    "长度",
    "说明",
    "共享类型",
    "是否开放",
    "分级",
    "个人信息",
    "脱敏策略",
    "数据元标识符",
]
RES, ITEMS = workbook.RESOURCE_SHEET, workbook.ITEM_SHEET


def resource_row(name: str = "户籍人口基本信息", **cells: Any) -> dict[str, Any]:
    """A valid sheet-1 row (heading → cell), as a department types it."""
    row = {
        "分类代码": "101001 户籍人口",
        "信息资源名称": name,
        "摘要": "本市户籍人口的身份、户籍和住址等基本信息",
        "格式分类": "数据库",
        "格式类型": "PostgreSQL",
        "共享类型": "有条件共享",
        "共享条件": "用于行政审批和公共服务的身份核验",
        "共享方式分类": "共享平台",
        "共享方式类型": "接口",
        "是否向社会开放": "否",
        "更新周期": "每日",
        "关键字": "人口 户籍",
        "重点监管": "否",
        "政务服务": "是",
    }
    row.update(cells)
    return row


def item_row(resource: str, identifier: str = "XM", **cells: Any) -> dict[str, Any]:
    row = {
        "资源名称": resource,
        "信息项名称": f"信息项{identifier}",
        "标识符": identifier,
        "数据类型": "字符型C",
        "长度": 50,
        "共享类型": "有条件共享",
        "是否开放": "否",
        "分级": "一般3级",
        "个人信息": "是",
        "脱敏策略": "姓名",
    }
    row.update(cells)
    return row


def filled(resources: list[dict[str, Any]], items: list[dict[str, Any]]) -> bytes:
    """The downloaded template with ``resources`` and ``items`` typed in from row 2."""
    book = load_workbook(io.BytesIO(workbook.catalog_template()))
    for sheet, headings, rows in (
        (RES, RESOURCE_HEADINGS, resources),
        (ITEMS, ITEM_HEADINGS, items),
    ):
        for number, row in enumerate(rows, start=2):
            for heading, value in row.items():
                book[sheet].cell(row=number, column=headings.index(heading) + 1, value=value)
    return saved(book)


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_into(actor, provider, content: bytes) -> workbook.CatalogImportResult:
    return workbook.catalog_import(actor=actor, provider=provider, content=content)


def cells(result: workbook.CatalogImportResult) -> set[tuple[str, int, str, str]]:
    return {(e.sheet, e.row, e.column, e.code) for e in result.errors}


def catalog_writes() -> tuple[int, int, int, int]:
    audits = AuditEvent.objects.filter(action__startswith="catalog.").count()
    return Resource.objects.count(), DataItem.objects.count(), ResourceEvent.objects.count(), audits


def published(officer, reviewer, provider, **overrides) -> Resource:
    resource = resource_create(
        actor=officer, provider=provider, data=resource_data(**overrides), items=items_data()
    )
    resource_submit(actor=officer, resource=resource)
    return resource_review(actor=reviewer, resource=resource, approve=True)


def sheet_rows(content: bytes, title: str) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book[title].iter_rows(values_only=True))
    book.close()
    return rows


# --- the template ---------------------------------------------------------------------------


def test_the_template_has_the_guides_columns_in_order_and_a_filling_guide():
    # when the template is generated
    book = load_workbook(io.BytesIO(workbook.catalog_template()))

    # then sheet 1 follows the guide's column order, sheet 2 is keyed by resource name
    assert book.sheetnames == [RES, ITEMS, "填表说明", "代码表"]
    assert [c.value for c in book[RES][1]] == RESOURCE_HEADINGS
    assert [c.value for c in book[ITEMS][1]] == ITEM_HEADINGS
    guide = [row[:2] for row in book["填表说明"].iter_rows(min_row=2, values_only=True)]
    assert guide[: len(RESOURCE_HEADINGS)] == [(RES, h) for h in RESOURCE_HEADINGS]
    assert book["代码表"].sheet_state == "hidden"


ENUMERATIONS = {
    "format_class": FormatClass,
    "share_type": ShareType,
    "share_mode_class": ShareModeClass,
    "share_mode_type": ShareModeType,
    "update_cycle": UpdateCycle,
    "data_type": DataType,
    "grade": Grade,
    "masking": Masking,
}


def test_every_enumeration_has_a_chinese_label_for_each_of_its_codes():
    for name, choices in ENUMERATIONS.items():
        labels = GUIDE_LABELS[name]
        assert set(labels) == set(choices.values), name
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in labels.values())


def validations(sheet: Any) -> dict[str, Any]:
    """Column letter → its data validation."""
    rules = sheet.data_validations.dataValidation
    return {str(rule.sqref).split(":")[0].rstrip("0123456789"): rule for rule in rules}


def list_values(book: Any, rule: Any) -> list[str]:
    sheet_name, cells_range = rule.formula1.split("!")
    sheet = book[sheet_name.strip("'")]
    return [cell.value for row in sheet[cells_range.replace("$", "")] for cell in row]


@pytest.mark.parametrize(
    "title, columns", [(RES, workbook.resource_columns()), (ITEMS, workbook.item_columns())]
)
def test_every_enumeration_boolean_and_reference_column_has_a_dropdown(title, columns):
    # given the template's validations, by column letter
    book = load_workbook(io.BytesIO(workbook.catalog_template()))
    rules = validations(book[title])

    # then choices list the guide's labels, booleans 是/否, references codes with names
    for index, column in enumerate(columns):
        letter = chr(ord("A") + index)
        if column.kind == Kind.CHOICE:
            assert rules[letter].type == "list"
            assert list_values(book, rules[letter]) == list(GUIDE_LABELS[column.field].values())
        elif column.kind == Kind.BOOLEAN:
            assert list_values(book, rules[letter]) == ["是", "否"]
        elif column.field == "category":
            assert "101001 户籍人口" in list_values(book, rules[letter])
        elif column.field == "element":
            assert "GMSFHM 公民身份号码" in list_values(book, rules[letter])
        elif column.field == "resource":
            assert rules[letter].formula1.startswith(f"'{RES}'!$B$2:$B$")
        elif column.kind == Kind.INTEGER:
            assert rules[letter].type == "whole"
        elif column.max_length:
            assert rules[letter].type == "textLength"


# --- the import: a clean workbook applies ---------------------------------------------------


def test_the_template_filled_in_by_hand_drafts_the_resources(officer_a, dept_a):
    # given two resources typed in, with labels, codes and English labels mixed
    content = filled(
        [
            resource_row(),
            resource_row(
                "出生医学证明",
                **{"分类代码": "105", "格式分类": "Electronic document", "共享方式类型": "file"},
                **{"格式类型": "pdf", "共享类型": "无条件共享", "共享条件": None},
            ),
        ],
        [
            item_row("户籍人口基本信息", "GMSFHM", **{"数据元标识符": "GMSFHM 公民身份号码"}),
            item_row("户籍人口基本信息", "XM", **{"数据类型": "C", "分级": "重要"}),
        ],
    )

    # when it is imported
    result = import_into(officer_a, dept_a, content)

    # then both are drafted with the codes behind the labels, items in sheet order
    assert result.errors == [] and (result.created, result.updated) == (2, 0)
    population = Resource.objects.get(name="户籍人口基本信息").working_version
    assert (population.category.code, population.share_type, population.update_cycle) == (
        "101001",
        "conditional",
        "daily",
    )
    assert population.is_government_service and population.grade == "important"
    items = list(population.items.order_by("position"))
    assert [(i.identifier, i.data_type, i.masking) for i in items] == [
        ("GMSFHM", "C", "name"),
        ("XM", "C", "name"),
    ]
    assert items[0].element.identifier == "GMSFHM" and items[1].element is None
    certificate = Resource.objects.get(name="出生医学证明").working_version
    assert (certificate.format_class, certificate.share_mode_type) == ("document", "file")
    assert AuditEvent.objects.filter(action="catalog.workbook.import").count() == 1


def test_existing_drafts_are_updated_and_published_resources_get_a_change(
    officer_a, reviewer, dept_a
):
    # given a draft, a published resource, and another published one left as it is
    draft = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(name="草稿资源"), items=items_data()
    )
    live = published(officer_a, reviewer, dept_a, name="已发布资源")
    same = published(officer_a, reviewer, dept_a, name="不变资源")
    system = SystemFactory(department=dept_a)
    live.current_version.source_systems.add(system)
    exported = workbook.catalog_export(Resource.objects.filter(pk=same.pk))
    book = load_workbook(io.BytesIO(exported))
    sheet = book[RES]
    for name in ("草稿资源", "已发布资源"):
        sheet.append([resource_row(name, **{"更新周期": "每月"}).get(h) for h in RESOURCE_HEADINGS])
        for item in items_data():
            row = item_row(name, item["identifier"])
            book[ITEMS].append([row.get(h) for h in ITEM_HEADINGS])

    # when the workbook is imported
    result = import_into(officer_a, dept_a, saved(book))

    # then the draft is edited, the published one changed in a new version, the third untouched
    assert result.errors == []
    assert (result.created, result.updated, result.changed, result.unchanged) == (0, 1, 1, 1)
    draft.refresh_from_db()
    assert draft.working_version.number == 1 and draft.working_version.update_cycle == "monthly"
    live.refresh_from_db()
    assert live.current_version.update_cycle == "daily"  # in force until the change is approved
    change = live.working_version
    assert change.number == 2 and change.update_cycle == "monthly"
    assert list(change.source_systems.all()) == [system]  # no column for them: kept
    same.refresh_from_db()
    assert same.working_version is None and same.versions.count() == 1


# --- the import: all or nothing -------------------------------------------------------------


AS_FILES = {"格式分类": "电子文件", "格式类型": "pdf", "共享方式类型": "文件"}


def mixed_workbook() -> bytes:
    """Good and bad rows on both sheets (see the expected errors below)."""
    return filled(
        [
            resource_row("户籍人口基本信息"),  # row 2: good
            resource_row("流动人口信息", **{"共享条件": None}),  # row 3: rule: condition required
            resource_row("房屋信息", **{"分类代码": "999999", **AS_FILES}),  # row 4
            resource_row("企业法人信息"),  # row 5: its item is looser than it
            resource_row("婚姻登记信息", **{"更新周期": "每两年"}),  # row 6: not a label
        ],
        [
            item_row("户籍人口基本信息", "GMSFHM"),  # row 2
            item_row("户籍人口基本信息", "XM"),  # row 3
            item_row("流动人口信息", "XM"),  # row 4
            item_row("企业法人信息", "TYSHXYDM", **{"共享类型": "无条件共享"}),  # row 5
            item_row("不存在的资源", "XM"),  # row 6: no such resource on sheet 1
            item_row("户籍人口基本信息", "ZZ", **{"数据元标识符": "NOPE"}),  # row 7
            item_row("婚姻登记信息", "XM"),  # row 8
        ],
    )


EXPECTED = {
    (RES, 3, "共享条件", "condition_required"),
    (RES, 4, "分类代码", "unknown_category"),
    (ITEMS, 5, "共享类型", "item_looser"),
    (RES, 6, "更新周期", "invalid_choice"),
    (ITEMS, 6, "资源名称", "unknown_resource"),
    (ITEMS, 7, "数据元标识符", "unknown_element"),
}


def test_a_workbook_with_good_and_bad_rows_applies_nothing_and_marks_the_bad_cells(
    officer_a, dept_a
):
    # when a workbook with good and bad rows on both sheets is imported
    result = import_into(officer_a, dept_a, mixed_workbook())

    # then exactly the bad cells are reported, and nothing at all was written
    assert cells(result) == EXPECTED
    assert catalog_writes() == (0, 0, 0, 0)

    # and the error workbook has the uploaded rows with an 错误 column on the bad rows only
    resources = sheet_rows(result.error_workbook, RES)
    assert resources[0][-1] == "错误" and resources[0][:-1] == tuple(RESOURCE_HEADINGS)
    messages = {e.row: f"{e.column}：{e.message}" for e in result.errors if e.sheet == RES}
    assert [row[-1] for row in resources[1:]] == [None, messages[3], messages[4], None, messages[6]]
    assert [row[1] for row in resources[1:]][:2] == ["户籍人口基本信息", "流动人口信息"]
    items = sheet_rows(result.error_workbook, ITEMS)
    assert [row[-1] is not None for row in items[1:]] == [False] * 3 + [True] * 3 + [False]
    assert "共享类型" in items[4][-1]


def test_bad_cells_are_filled_red_and_good_ones_are_not(officer_a, dept_a):
    result = import_into(officer_a, dept_a, mixed_workbook())
    book = load_workbook(io.BytesIO(result.error_workbook))

    def fill(sheet: str, ref: str) -> str:
        return str(book[sheet][ref].fill.fgColor.rgb)

    assert fill(RES, "G3").endswith("FFC7CE")  # 共享条件 of row 3 (empty, still marked)
    assert fill(RES, "A4").endswith("FFC7CE") and fill(RES, "M6").endswith("FFC7CE")
    assert not fill(RES, "A2").endswith("FFC7CE")
    assert fill(ITEMS, "G5").endswith("FFC7CE") and fill(ITEMS, "L7").endswith("FFC7CE")
    assert validations(book[RES])["F"].type == "list"  # still a workbook to fill in


def test_the_import_reports_its_steps_outside_its_transaction(officer_a, dept_a):
    # when a bad workbook is imported with someone listening for progress
    steps: list[tuple[int, str]] = []
    workbook.catalog_import(
        actor=officer_a,
        provider=dept_a,
        content=mixed_workbook(),
        on_progress=lambda percent, message: steps.append((percent, message)),
    )

    # then they heard of the check (with the number of resources) and of the marking
    assert [percent for percent, _message in steps] == [10, 90]
    assert "5" in steps[0][1]


def test_the_error_workbook_is_well_formed_and_keeps_the_templates_dropdowns(officer_a, dept_a):
    # when the mixed workbook is imported and comes back marked
    result = import_into(officer_a, dept_a, mixed_workbook())

    # then every part of the error workbook is well-formed XML
    with zipfile.ZipFile(io.BytesIO(result.error_workbook)) as package:
        for name in package.namelist():
            ET.fromstring(package.read(name))

    # and it has the template's sheets and, on both data sheets, the template's dropdowns and
    # rules (the 错误 column has none), with the heading and first two columns frozen
    book = load_workbook(io.BytesIO(result.error_workbook))
    assert book.sheetnames == [RES, ITEMS, "填表说明", "代码表"] and book.active.title == RES
    assert book["代码表"].sheet_state == "hidden"
    for title, columns in ((RES, workbook.resource_columns()), (ITEMS, workbook.item_columns())):
        sheet, rules = book[title], validations(book[title])
        for index, column in enumerate(columns):
            if column.kind in (Kind.CHOICE, Kind.BOOLEAN):
                assert rules[chr(ord("A") + index)].type == "list", column.field
        assert chr(ord("A") + len(columns)) not in rules  # the 错误 column
        assert sheet.freeze_panes == "C2" and sheet["A1"].font.b
    share_types = list_values(book, validations(book[RES])["F"])
    assert share_types == list(GUIDE_LABELS["share_type"].values())
    assert validations(book[ITEMS])["E"].type == "whole"  # 长度: a whole number


def test_the_error_workbook_once_fixed_imports(officer_a, dept_a):
    # given the error workbook of the mixed upload, with every marked cell corrected
    result = import_into(officer_a, dept_a, mixed_workbook())
    book = load_workbook(io.BytesIO(result.error_workbook))
    book[RES]["G3"] = "用于流动人口服务管理"
    book[RES]["A4"] = "209"
    book[RES]["M6"] = "每年"
    book[ITEMS]["G5"] = "有条件共享"
    book[ITEMS]["A6"] = "流动人口信息"
    book[ITEMS]["C6"] = "GMSFHM"
    book[ITEMS]["L7"] = None

    # when it is imported again (its 错误 column is ignored)
    fixed = import_into(officer_a, dept_a, saved(book))

    # then it applies
    assert fixed.errors == [] and fixed.created == 5


def test_an_items_rule_lands_on_that_items_row_even_when_items_are_interleaved(officer_a, dept_a):
    # given A's and B's items alternating on sheet 2, A's second item (row 4) core-grade and
    # open although A is not, and C (a database) without items
    rows = [resource_row("资源甲"), resource_row("资源乙"), resource_row("资源丙")]
    items = [
        item_row("资源甲", "XM"),
        item_row("资源乙", "XM"),
        item_row("资源甲", "GMSFHM", **{"分级": "核心", "是否开放": "是"}),
    ]

    # when it is imported
    result = import_into(officer_a, dept_a, filled(rows, items))

    # then A's rules point at row 4 of sheet 2 (its second item), C's at its own row
    assert cells(result) == {
        (ITEMS, 4, "分级", "core_exposed"),
        (ITEMS, 4, "是否开放", "item_open_closed_resource"),
        (RES, 4, "", "items_required"),
    }
    assert catalog_writes() == (0, 0, 0, 0)


def test_a_duplicate_name_and_a_row_of_another_provider_are_refused(
    officer_a, officer_b, reviewer, dept_a, dept_b
):
    # given an export of dept B's resource, with a second row of the same name typed in
    other = published(officer_b, reviewer, dept_b, name="社保参保信息")
    book = load_workbook(io.BytesIO(workbook.catalog_export(Resource.objects.filter(pk=other.pk))))
    book[RES].append([resource_row("社保参保信息").get(h) for h in RESOURCE_HEADINGS])

    # when dept A imports it
    result = import_into(officer_a, dept_a, saved(book))

    # then the other provider's row and the duplicate are named, and nothing is written
    assert (RES, 2, "信息资源提供方", "other_department") in cells(result)
    assert (RES, 3, "信息资源名称", "duplicate") in cells(result)
    assert Resource.objects.filter(provider=dept_a).count() == 0


def test_resources_under_review_or_withdrawn_are_not_changed(officer_a, reviewer, dept_a):
    # given one resource under review and one withdrawn
    review = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(name="审核中资源"), items=items_data()
    )
    resource_submit(actor=officer_a, resource=review)
    gone = published(officer_a, reviewer, dept_a, name="已撤销资源")
    resource_withdraw(actor=officer_a, resource=gone, reason="职能调整")
    before = catalog_writes()
    rows = [resource_row("审核中资源"), resource_row("已撤销资源")]
    items = [item_row(name, "XM") for name in ("审核中资源", "已撤销资源")]

    # when a workbook with both names is imported
    result = import_into(officer_a, dept_a, filled(rows, items))

    # then both rows are refused as a whole, and nothing changed
    assert {(e.row, e.column, e.code) for e in result.errors} == {
        (2, "", "conflict"),
        (3, "", "conflict"),
    }
    assert catalog_writes() == before


def test_a_published_resource_with_a_change_in_progress_updates_that_change(
    officer_a, reviewer, dept_a
):
    live = published(officer_a, reviewer, dept_a, name="已发布资源")
    resource_start_change(actor=officer_a, resource=live)
    rows = [resource_row("已发布资源", **{"更新周期": "实时"})]
    items = [item_row("已发布资源", i["identifier"]) for i in items_data()]

    result = import_into(officer_a, dept_a, filled(rows, items))

    assert result.errors == [] and result.changed == 1
    live.refresh_from_db()
    assert live.working_version.number == 2 and live.working_version.update_cycle == "realtime"


@pytest.mark.parametrize("who", ["officer_b", "staff_a", "reviewer", "auditor"])
def test_only_the_providers_data_officer_imports(request, who, dept_a):
    with pytest.raises(PermissionDenied):
        import_into(request.getfixturevalue(who), dept_a, filled([resource_row()], []))
    assert catalog_writes() == (0, 0, 0, 0)


def test_a_file_that_is_no_workbook_or_lacks_columns_is_refused_as_a_whole(officer_a, dept_a):
    assert cells(import_into(officer_a, dept_a, b"not a workbook")) == {("", 0, "", "invalid")}
    assert cells(import_into(officer_a, dept_a, workbook.catalog_template())) == {
        (RES, 0, "", "required")
    }
    book = load_workbook(io.BytesIO(filled([resource_row()], [])))
    book[RES].delete_cols(3)  # 摘要
    result = import_into(officer_a, dept_a, saved(book))
    assert cells(result) == {(RES, 0, "", "required")} and "摘要" in result.errors[0].message
    assert result.error_workbook is None and catalog_writes() == (0, 0, 0, 0)


# --- the export -----------------------------------------------------------------------------


def test_an_export_imports_back_unchanged_and_an_edit_applies(officer_a, reviewer, dept_a):
    # given a published resource and a draft with items, exported
    published(officer_a, reviewer, dept_a, name="户籍人口基本信息")
    resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(name="流动人口信息", category=resource_data()["category"]),
        items=items_data(),
    )
    exported = workbook.catalog_export(Resource.objects.filter(provider=dept_a))
    before = catalog_writes()

    # when the export is imported as it is
    result = import_into(officer_a, dept_a, exported)

    # then nothing changes
    assert result.errors == [] and result.unchanged == 2 and catalog_writes()[:3] == before[:3]

    # and when one cell is edited, only that resource's draft is updated
    book = load_workbook(io.BytesIO(exported))
    row = [r[0].row for r in book[RES].iter_rows(min_row=2) if r[1].value == "流动人口信息"][0]
    book[RES].cell(row=row, column=RESOURCE_HEADINGS.index("摘要") + 1, value="新的摘要")
    result = import_into(officer_a, dept_a, saved(book))
    assert (result.updated, result.unchanged) == (1, 1)
    assert Resource.objects.get(name="流动人口信息").working_version.summary == "新的摘要"


def test_the_export_has_the_context_columns_and_continues_items_past_the_sheet_limit(
    monkeypatch, officer_a, reviewer, dept_a
):
    # given a sheet limit of 3 rows and a resource with 3 items (a heading and 2 items a sheet)
    monkeypatch.setattr(workbook.writer, "EXCEL_ROWS", 3)  # where the writer reads it
    resource = published(officer_a, reviewer, dept_a)

    # when it is exported
    exported = workbook.catalog_export(Resource.objects.all())

    # then the grey context columns follow the guide's, and the items continue on 信息项2
    book = load_workbook(io.BytesIO(exported), read_only=True)
    assert book.sheetnames[:3] == [RES, ITEMS, f"{ITEMS}2"]
    resources = list(book[RES].iter_rows(values_only=True))
    assert resources[0][17:] == ("信息资源代码", "信息资源提供方", "状态", "版本", "发布日期")
    assert resources[1][17:21] == (resource.code, dept_a.name, "已发布", 1)
    assert resources[1][0] == "101001 户籍人口" and resources[1][5] == "有条件共享"
    item_rows = [
        r for name in (ITEMS, f"{ITEMS}2") for r in list(book[name].iter_rows(values_only=True))[1:]
    ]
    book.close()
    assert [r[2] for r in item_rows] == ["GMSFHM", "XM", "XBDM"]
    assert item_rows[0][11] == "GMSFHM 公民身份号码"

    # and it imports back from both item sheets
    result = import_into(officer_a, dept_a, exported)
    assert result.errors == [] and result.unchanged == 1


def test_the_export_is_well_formed_with_the_templates_dropdowns_styles_and_guide(
    officer_a, reviewer, dept_a
):
    # given a published resource whose summary holds XML's special characters
    summary = "户籍 & 住址 <基本> 信息，含\"引号\"和'撇号'"
    published(officer_a, reviewer, dept_a, summary=summary)

    # when the catalog is exported
    exported = workbook.catalog_export(Resource.objects.all())

    # then every part of the file is well-formed XML
    with zipfile.ZipFile(io.BytesIO(exported)) as package:
        for name in package.namelist():
            ET.fromstring(package.read(name))

    # and it has the template's sheets, dropdowns, header styles and frozen panes
    book = load_workbook(io.BytesIO(exported))
    assert book.sheetnames == [RES, ITEMS, "填表说明", "代码表"] and book.active.title == RES
    assert book["代码表"].sheet_state == "hidden"
    for title, columns in ((RES, workbook.resource_columns()), (ITEMS, workbook.item_columns())):
        rules = validations(book[title])
        for index, column in enumerate(columns):
            if column.kind in (Kind.CHOICE, Kind.BOOLEAN):
                assert rules[chr(ord("A") + index)].type == "list", column.field
        header = book[title]["A1"]
        assert header.font.b and header.fill.fgColor.rgb.endswith("DCE6F1")
        assert book[title].freeze_panes == "C2"
    assert book[RES]["R1"].fill.fgColor.rgb.endswith("EDEDED")  # the grey context columns
    assert book[RES]["C2"].value == summary

    # and it imports back unchanged
    result = import_into(officer_a, dept_a, exported)
    assert result.errors == [] and result.unchanged == 1


def test_the_export_reads_the_catalog_in_the_same_queries_however_many_resources(
    officer_a, reviewer, dept_a
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            workbook.catalog_export(Resource.objects.all())
        return len(captured)

    published(officer_a, reviewer, dept_a, name="资源一")
    one = queries()
    for name in ("资源二", "资源三"):
        published(officer_a, reviewer, dept_a, name=name)
    assert queries() == one
