"""The import, all or nothing (Issue 4 §7): every resource through the catalog services in
one transaction, their field errors mapped back to cells, everything rolled back on any."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from govshare.catalog.choices import EDITABLE_VERSIONS, ResourceStatus
from govshare.catalog.models import DataItem, Resource, ResourceVersion
from govshare.catalog.services import (
    ITEM_FIELDS,
    resource_create,
    resource_start_change,
    version_update,
)
from govshare.catalog.workbook.columns import CatalogImportResult, item_columns, resource_columns
from govshare.catalog.workbook.reader import ItemRow, Parser, ResourceRow, Row, link_items
from govshare.catalog.workbook.writer import catalog_form, resource_names
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.core.xlsx.columns import CellError
from govshare.core.xlsx.importer import apply_all, error_workbook, errors_of
from govshare.core.xlsx.reader import FileError, read_upload
from govshare.orgs.models import Department

# --- the import: all or nothing -------------------------------------------------------------

Progress = Callable[[int, str], None]  # (percent done, what is being done), for a job's page
# Reading the file takes about a tenth of an import (0.9 of 9.4 s for 3,000 rows); the rest is
# the one transaction, which cannot report: on SQLite no other connection may write during it.
PARSED_PERCENT, ROLLED_BACK_PERCENT = 10, 90


def catalog_import(
    *, actor: Actor, provider: Department, content: bytes, on_progress: Progress | None = None
) -> CatalogImportResult:
    """Draft, update or change ``provider``'s resources from a catalog workbook, all or nothing.

    ``on_progress`` hears of each step between transactions only: what is reported inside the
    import's transaction could not be seen before it ends."""
    report = on_progress or _no_progress
    require(actor, "add", Resource(provider=provider))
    form = catalog_form()
    parser = Parser(provider)
    try:
        (resource_sheet,), item_sheets = read_upload(content, form)
        resources = parser.resource_rows(resource_sheet)
    except FileError as problem:
        return CatalogImportResult(errors=[problem.error])
    items = parser.item_rows(item_sheets)
    link_items(resources, items)
    message = _("Checking and applying %(count)s resources") % {"count": len(resources)}
    report(PARSED_PERCENT, message)
    result = CatalogImportResult()
    errors = _apply(actor, provider, resources, items, result)
    if not errors:
        return result
    report(ROLLED_BACK_PERCENT, _("Marking the problems in the workbook"))
    # The names' dropdown reaches the last resource row as uploaded, empty rows included.
    names = resource_names(resource_sheet.rows[-1][0] - 1)
    marked = error_workbook(form, [resource_sheet, *item_sheets], errors, ranges=names)
    return CatalogImportResult(errors=errors, error_workbook=marked)


def _apply(
    actor: Actor,
    provider: Department,
    resources: list[ResourceRow],
    items: list[ItemRow],
    result: CatalogImportResult,
) -> list[CellError]:
    """Every resource through the services in one transaction; the errors, if any."""

    def write() -> None:
        _write_all(actor, provider, resources, result)
        if not errors_of([*resources, *items]):
            _record_import(actor, provider, len(resources), len(items), result)

    # The services check every resource even beside unreadable cells, so that one upload
    # names every problem; anything wrong rolls all of it back.
    return apply_all([*resources, *items], write)


def _no_progress(percent: int, message: str) -> None:
    pass


def _write_all(
    actor: Actor, provider: Department, rows: list[ResourceRow], result: CatalogImportResult
) -> None:
    existing = Resource.objects.filter(provider=provider).select_related(
        "current_version", "working_version"
    )
    by_name = {resource.name: resource for resource in existing}
    for row in rows:
        if row.is_duplicate:
            continue
        target = by_name.get(row.data.get("name", ""))
        items = [item.data for item in row.items]
        try:
            outcome = _write_resource(actor, provider, target, row.data, items)
        except ValidationError as error:
            place_errors(row, error)
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)


def _write_resource(
    actor: Actor,
    provider: Department,
    target: Resource | None,
    data: dict[str, Any],
    items: list[dict[str, Any]],
) -> str:
    """Write one resource through the services; which of the result's counters it adds to."""
    if target is None:
        resource_create(actor=actor, provider=provider, data=data, items=items)
        return "created"
    _check_writable(target)
    working = target.working_version
    if is_unchanged(working or target.current_version, data, items):
        return "unchanged"
    if working is None:
        working = resource_start_change(actor=actor, resource=target, note=_import_note())
    systems = list(working.source_systems.all())  # the workbook has no column for them: keep
    version_update(actor=actor, resource=target, data=data, items=items, source_systems=systems)
    return "updated" if target.current_version_id is None else "changed"


def _check_writable(target: Resource) -> None:
    if target.status == ResourceStatus.WITHDRAWN:
        raise field_error(
            "status", _("The resource is withdrawn and cannot be changed."), ErrorCode.CONFLICT
        )
    working = target.working_version
    if working is not None and working.status not in EDITABLE_VERSIONS:
        raise field_error(
            "status",
            _("The resource is under review; it can be changed once the review is done."),
            ErrorCode.CONFLICT,
        )


def is_unchanged(
    version: ResourceVersion | None, data: Mapping[str, Any], items: list[dict[str, Any]]
) -> bool:
    """Whether ``data`` and ``items`` say what ``version`` already says (no new version)."""
    if version is None or any(_differs(version, k, v) for k, v in data.items()):
        return False
    current = list(version.items.all())
    if len(current) != len(items):
        return False
    return not any(
        _differs(item, name, new.get(name, _item_default(name)))
        for item, new in zip(current, items, strict=True)
        for name in ITEM_FIELDS
    )


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model) or name in ("category", "element"):
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _item_default(name: str) -> Any:
    model_field = DataItem._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field.get_default() if model_field.has_default() else None


def _import_note() -> str:
    return _("Catalog workbook import")


def _record_import(
    actor: Actor, provider: Department, resources: int, items: int, result: CatalogImportResult
) -> None:
    audit.record(
        actor=actor,
        action="catalog.workbook.import",
        object_type="catalog.resource",
        object_repr=_import_note(),
        department_id=provider.pk,
        after={
            "resources": resources,
            "items": items,
            "created": result.created,
            "updated": result.updated,
            "changed": result.changed,
            "unchanged": result.unchanged,
        },
    )


def place_errors(row: ResourceRow, error: ValidationError) -> None:
    """Put a service's field errors on their cells: ``share_condition`` on the resource's row,
    ``items.2.share_type`` on the row of its second item; other keys on the row as a whole."""
    fields = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
    for key, problems in fields.items():
        target, label = _cell_of(row, key)
        if label and any(e.column == label for e in target.errors):
            continue  # the cell is already reported as unreadable
        for problem in problems:
            for message in problem.messages:
                target.refuse(label, message, problem.code or ErrorCode.INVALID)


def _cell_of(row: ResourceRow, key: str) -> tuple[Row, str]:
    """The row and the column label of a service's field error key."""
    labels = {c.field: c.label for c in resource_columns()}
    parts = key.split(".")
    if parts[0] != "items" or len(parts) < 2 or not parts[1].isdigit():
        return row, labels.get(key, "")
    position = int(parts[1])
    if not 1 <= position <= len(row.items):
        return row, ""
    item_labels = {c.field: c.label for c in item_columns()}
    return row.items[position - 1], item_labels.get(parts[2], "") if len(parts) > 2 else ""
