"""The census workbook (系统普查表): the Excel template, its import and the census export.

One row per system on the first sheet (信息系统), one column per census field in the order of
``SYSTEM_FIELDS``. Enumerations are written and read as their Chinese labels, booleans as 是/否,
and the sheet carries Excel data validation for each column. The template, the export and the
import share one column table (``columns``), a form of ``core.xlsx`` (issue 12 item 7), so an
export re-imports cleanly.

Issue 3 §2: the import checks every row, reports every bad cell (row, column, rule), and applies
nothing unless all rows are valid; then it writes through the census services in one transaction.
A failed import comes back with the error workbook: the upload, its bad cells marked.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.core.xlsx.columns import (
    NO,
    YES,
    Column,
    Kind,
    aliases,
    field_rules,
    kind_of,
    normalize,
)
from govshare.core.xlsx.forms import (
    FORM_LANGUAGE,
    Form,
    SheetSpec,
    cells,
    data_sheet,
    finish,
    rule_text,
)
from govshare.core.xlsx.importer import ImportResult, apply_all, error_workbook, errors_of
from govshare.core.xlsx.reader import FileError, ParsedRow, UploadSheet, parse_rows, read_upload
from govshare.core.xlsx.writer import Workbook
from govshare.inventory.models import InformationSystem
from govshare.inventory.services import SYSTEM_FIELDS, system_create, system_update, validate_system
from govshare.orgs.models import Department

# Rows below the data that still carry the data validation, for departments to fill in.
BLANK_ROWS = 2000
# Bounds on what one upload may make the server read.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SYSTEMS = 5000

UNITS: dict[str, Any] = {"active_users": gettext_lazy("persons")}
GUIDANCE: dict[str, Any] = {
    "name": gettext_lazy(
        "The system's full name. A row with the name of a system already registered in your "
        "department updates that system."
    ),
    "function_description": gettext_lazy(
        "What the system does, in a few sentences; it is compared to find duplicate systems."
    ),
    "usage_scope": gettext_lazy("Who uses the system."),
    "usage_frequency": gettext_lazy("How often the system is used."),
    "active_users": gettext_lazy("Users active in a typical month."),
    "approving_department": gettext_lazy("The department that approved building the system."),
    "approval_date": gettext_lazy("The date the project was approved."),
    "funding_source": gettext_lazy("Where the money to build the system came from."),
    "construction_mode": gettext_lazy("How the system was built."),
    "construction_investment": gettext_lazy("Total investment in building it, in 10,000 yuan."),
    "annual_om_cost": gettext_lazy("Operation and maintenance cost per year, in 10,000 yuan."),
    "go_live_date": gettext_lazy("Not before the approval date, not in the future."),
    "last_software_update": gettext_lazy("The last release of the software, not in the future."),
    "deployment": gettext_lazy("Where the system runs."),
    "cloud_status": gettext_lazy("Progress of the migration to the government cloud."),
    "network_domain": gettext_lazy("The network the system runs on."),
    "vertical_origin": gettext_lazy("Deployed by a national or provincial body, or local."),
    "protection_level": gettext_lazy("Graded protection level 1–5; empty if not graded."),
    "protection_filing_number": gettext_lazy("Required from level 2 upwards."),
    "is_secret": gettext_lazy("Classified systems are kept out of integration and sharing."),
    "sso_status": gettext_lazy("Connection to the unified login."),
    "sharing_status": gettext_lazy(
        "Connection to the data-sharing platform; a classified system is not connected."
    ),
    "health_url": gettext_lazy("An http(s) address the platform calls to check the system is up."),
}
# Export-only columns after the census fields: for reading, not imported (owning department is
# checked against the importing department so a row of another department is not taken over).
CONTEXT_FIELDS = ("department", "lifecycle")


@dataclass
class CensusImportResult(ImportResult):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class CensusRow(ParsedRow):
    target: InformationSystem | None = None  # the existing system the row updates
    changes: dict[str, Any] = field(default_factory=dict)


# --- the form -------------------------------------------------------------------------------


@cache
def columns(with_context: bool = False) -> tuple[Column, ...]:
    """The census columns in sheet order; the export adds the context columns. The headings
    and labels are the form's Chinese, whatever the user's language."""
    names = SYSTEM_FIELDS + (CONTEXT_FIELDS if with_context else ())
    with translation.override(FORM_LANGUAGE):
        return tuple(_column(InformationSystem._meta.get_field(name)) for name in names)


def _column(model_field: Any) -> Column:
    is_context = model_field.name in CONTEXT_FIELDS
    kind = Kind.TEXT if is_context else kind_of(model_field)
    choices = tuple((code, str(text)) for code, text in model_field.flatchoices)
    with translation.override("en"):
        english = _heading(model_field)
        english_choices = [(code, str(text)) for code, text in model_field.flatchoices]
    label = _heading(model_field)
    headings = (label, english, model_field.verbose_name, model_field.name)
    return Column(
        model_field.name,
        label,
        kind,
        guidance=str(GUIDANCE.get(model_field.name, "")),
        choices=() if is_context else choices,
        aliases=aliases(english_choices, choices),
        is_context=is_context,
        headings=frozenset(map(normalize, headings)),
        width=40 if model_field.name == "function_description" else None,
        **field_rules(model_field, kind),
    )


def _heading(model_field: Any) -> str:
    label = str(capfirst(model_field.verbose_name))
    unit = UNITS.get(model_field.name)
    return f"{label}（{unit}）" if unit else label


@cache
def census_form() -> Form:
    """The census workbook as a form: its sheet of systems, the guide, the lists."""
    with translation.override(FORM_LANGUAGE):
        titles = (_("Information systems"), _("Instructions"), _("Lists"))
    systems = SheetSpec(
        titles[0], columns(with_context=True), max_rows=MAX_SYSTEMS, blank_rows=BLANK_ROWS
    )
    return Form(
        sheets=(systems,),
        guide_title=titles[1],
        guide=guide_rows,
        guide_widths=(28, 8, 60, 60),
        lists_title=titles[2],
        max_bytes=MAX_UPLOAD_BYTES,
    )


# --- writing: template and export -----------------------------------------------------------


def census_template() -> bytes:
    """The empty census workbook a department downloads and fills in."""
    return write_census([])


def census_export(systems: models.QuerySet[InformationSystem]) -> bytes:
    """The census of ``systems`` (already restricted to the user) in the template's layout."""
    rows = systems.select_related("department").order_by("department__name", "name", "pk")
    return write_census(
        (system_record(system) for system in rows.iterator(chunk_size=500)), with_context=True
    )


def system_record(system: InformationSystem) -> dict[str, Any]:
    record = {name: getattr(system, name) for name in SYSTEM_FIELDS}
    record.update(department=system.department.name, lifecycle=system.get_lifecycle_display())
    return record


def write_census(records: Iterable[Mapping[str, Any]], *, with_context: bool = False) -> bytes:
    """A census workbook holding ``records`` (field → value, codes for enumerations; a value
    of the wrong kind is written as it is, so that the import names it)."""
    form = census_form()
    spec = form.sheets[0]
    cols = spec.columns_for(with_context)
    output = io.BytesIO()
    with Workbook(output) as book:
        sheet = data_sheet(book, spec, cols)
        values = cells(cols)
        for record in records:
            sheet.append([value(record) for value in values])
        finish(book, form, [(sheet, spec, cols)], with_context=with_context)
    return output.getvalue()


def guide_rows(with_context: bool) -> list[list[str]]:
    """The guide: a heading, one row per column, a blank row, the numbered notes."""
    with translation.override(FORM_LANGUAGE):
        rows = [[_("Column"), _("Required"), _("Description"), _("What to enter")]]
        rows += [
            [c.label, YES if c.required else NO, c.guidance, rule_text(c)]
            for c in columns(with_context)
        ]
        notes = [
            _("One row per system. Do not change the column headings."),
            _(
                "A row whose system name is already registered in your department updates that "
                "system; every other row registers a new system. Systems not in the workbook are "
                "left as they are."
            ),
            _(
                "The import checks every row first and applies nothing unless every cell is "
                "valid; each bad cell is listed with its row and column."
            ),
        ]
        if with_context:
            notes.append(_("The grey columns are for reading only and are not imported."))
    return [*rows, [], *([f"{n}. {note}"] for n, note in enumerate(notes, start=1))]


# --- reading: import ------------------------------------------------------------------------


def census_import(*, actor: Actor, department: Department, content: bytes) -> CensusImportResult:
    """Register and update ``department``'s systems from a census workbook, all or nothing."""
    require(actor, "add", InformationSystem(department=department))
    require(actor, "change", InformationSystem(department=department))
    try:
        sheet, rows = _read(content, department)
    except FileError as problem:
        return CensusImportResult(errors=[problem.error])
    errors = errors_of(rows)
    if not errors:
        result = CensusImportResult()
        errors = apply_all(rows, lambda: _apply(actor, department, rows, result))
        if not errors:
            return result
    marked = error_workbook(census_form(), [sheet], errors)
    return CensusImportResult(errors=errors, error_workbook=marked)


def read_rows(content: bytes, department: Department) -> list[CensusRow]:
    """Every data row parsed and validated by the census rules, errors on the rows."""
    return _read(content, department)[1]


def _read(content: bytes, department: Department) -> tuple[UploadSheet, list[CensusRow]]:
    ((sheet,),) = read_upload(content, census_form())
    rows = parse_rows(sheet, CensusRow)
    if not rows:
        raise FileError(_("The workbook holds no systems."), ErrorCode.REQUIRED)
    for row in rows:
        _check_department(row, department)
    _check_rows(rows, department)
    return sheet, rows


def _check_department(row: CensusRow, department: Department) -> None:
    # An exported row of another department is not silently moved into this one.
    name = row.context.get("department", "")
    if name and name not in (department.name, department.short_name):
        message = _("This row belongs to %(other)s, not %(department)s.") % {
            "other": name,
            "department": department.name,
        }
        row.refuse(_labels()["department"], message, ErrorCode.OTHER_DEPARTMENT)


def _labels() -> dict[str, str]:
    return {c.field: c.label for c in columns(with_context=True)}


def _check_rows(rows: list[CensusRow], department: Department) -> None:
    """The census rules on every row (validate_system), and names unique within the file."""
    existing = {s.name: s for s in InformationSystem.objects.filter(department=department)}
    labels = _labels()
    first_row: dict[str, int] = {}
    for row in rows:
        name = row.data.get("name", "")
        if name and name in first_row:
            message = _("The name is also used on row %(row)s.") % {"row": first_row[name]}
            row.refuse(labels["name"], message, ErrorCode.DUPLICATE)
        first_row.setdefault(name, row.number)
        row.target = existing.get(name) if name else None
        system = _candidate(row, department)
        for field_name, errors in validate_system(system).errors.items():
            label = labels.get(field_name, "")
            if label in row.bad_columns:
                continue  # the cell is already reported as unreadable
            for error in errors:
                for message in error.messages:
                    row.refuse(label, message, error.code or ErrorCode.INVALID)


def _candidate(row: CensusRow, department: Department) -> InformationSystem:
    """The system as it would be after the row: the existing one changed, or a new one."""
    if row.target is None:
        system = InformationSystem(department=department)
    else:
        system = row.target
        row.changes = {k: v for k, v in row.data.items() if getattr(system, k) != v}
    for name, value in row.data.items():
        setattr(system, name, value)
    return system


def _apply(
    actor: Actor, department: Department, rows: list[CensusRow], result: CensusImportResult
) -> None:
    note = _("Census workbook import")
    for row in rows:
        _apply_row(actor, department, row, note, result)
    if errors_of(rows):
        return  # a change between the check and the write: everything is rolled back
    audit.record(
        actor=actor,
        action="inventory.census.import",
        object_type="inventory.informationsystem",
        object_repr=note,
        department_id=department.pk,
        after={
            "rows": len(rows),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
    )


def _apply_row(
    actor: Actor, department: Department, row: CensusRow, note: str, result: CensusImportResult
) -> None:
    try:
        if row.target is None:
            system_create(actor=actor, department=department, data=row.data, note=note)
            result.created += 1
        elif row.changes:
            system_update(actor=actor, system=row.target, data=row.changes, note=note)
            result.updated += 1
        else:
            result.unchanged += 1
    except ValidationError as error:
        labels = _labels()
        for name, items in error.error_dict.items():
            for item in items:
                for message in item.messages:
                    row.refuse(labels.get(name, ""), message, item.code or ErrorCode.INVALID)
