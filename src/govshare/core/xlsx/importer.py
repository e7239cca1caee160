"""An import, all or nothing: the rows are written in one transaction when no cell is bad,
rolled back if a write leaves any row with an error; a failed import comes back as the error
workbook — the uploaded sheets as they were, the bad cells marked and an 错误 column giving
each row's problems — with the form's guide, lists and dropdowns, so it can be fixed and sent
again (DESIGN.md, "Clear errors, nothing lost"; issue 12 item 7).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from govshare.core.xlsx.columns import CellError, Column, normalize
from govshare.core.xlsx.forms import ERROR_HEADING, STYLES, Form, SheetSpec, data_sheet, finish
from govshare.core.xlsx.reader import ParsedRow, UploadSheet
from govshare.core.xlsx.writer import Sheet, Workbook


@dataclass
class ImportResult:
    """What an import did; a domain's result adds its counters (created, updated, …)."""

    errors: list[CellError] = field(default_factory=list)
    error_workbook: bytes | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


class Rejected(Exception):
    """Raised inside the import's transaction to roll it back with these errors."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(errors)
        self.errors = errors


def errors_of(rows: Iterable[ParsedRow]) -> list[CellError]:
    return [error for row in rows for error in row.errors]


def apply_all(rows: Sequence[ParsedRow], write: Callable[[], None]) -> list[CellError]:
    """Run ``write`` in one transaction; it adds the errors of its writes to the rows (or
    raises Rejected). If then any row has an error — of the writes or found before —
    everything is rolled back and the errors returned; else the transaction commits and the
    list is empty. (A domain that checks rows before writing skips the write on any error.)"""
    try:
        with transaction.atomic():
            write()
            errors = errors_of(rows)
            if errors:
                raise Rejected(errors)
    except Rejected as rejected:
        return rejected.errors
    return []


# --- the error workbook ---------------------------------------------------------------------

Marks = Mapping[tuple[str, int], tuple[list[str], set[str]]]


def error_workbook(
    form: Form,
    sheets: Sequence[UploadSheet],
    errors: Iterable[CellError],
    *,
    ranges: Mapping[str, str] | None = None,
) -> bytes:
    """The uploaded ``sheets`` as they were, bad cells highlighted and an 错误 column per row,
    with the form's guide, lists and validations (``ranges``: see ``forms.finish``)."""
    marks: dict[tuple[str, int], tuple[list[str], set[str]]] = {}
    for error in errors:
        messages, labels = marks.setdefault((error.sheet, error.row), ([], set()))
        messages.append(f"{error.column}：{error.message}" if error.column else error.message)
        if error.column:
            labels.add(error.column)
    output = io.BytesIO()
    with Workbook(output) as book:
        written = [_write_marked(book, sheet, marks) for sheet in sheets]
        finish(book, form, written, with_context=False, ranges=ranges)
    return output.getvalue()


def _write_marked(
    book: Workbook, upload: UploadSheet, marks: Marks
) -> tuple[Sheet, SheetSpec, list[Column | None]]:
    """One uploaded sheet, each row at its number (so the 错误 column's rows are Excel's)."""
    kept = [
        i for i, h in enumerate(upload.header) if normalize(h or "") != normalize(ERROR_HEADING)
    ]
    cols: list[Column | None] = [upload.mapping.get(i) for i in kept]
    headings = ["" if upload.header[i] is None else str(upload.header[i]) for i in kept]
    sheet = data_sheet(book, upload.spec, cols, headings, title=upload.title, with_errors=True)
    for number, values in upload.rows:
        while sheet.rows < number - 1:
            sheet.append(())  # a row the upload left empty stays empty
        messages, labels = marks.get((upload.title, number), ([], set()))
        cells = [values[i] if i < len(values) else None for i in kept]
        bad = [STYLES["bad"] if column and column.label in labels else None for column in cols]
        sheet.append([*cells, "\n".join(messages)], styles=bad if labels else None)
    return sheet, upload.spec, [*cols, None]
