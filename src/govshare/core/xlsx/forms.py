"""Workbook forms (填报表) from column tables: the data sheets, the filling guide, the hidden
sheet of dropdown lists and the cells' data validations.

A domain declares its form once (``Form``: its sheets' column tables, the guide, the lists it
reads from the database) and writes its template, its export and its import's error workbook
with these pieces, so the three share one layout and an export imports back (issue 12 item 7).
The form is a Chinese government form: its headings, dropdowns and guide are in
``FORM_LANGUAGE`` whatever language the user's pages are in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.cell import get_column_letter

from govshare.core.xlsx.columns import NO, YES, Column, Kind
from govshare.core.xlsx.writer import (
    MAX_ROWS,
    ColumnFormat,
    Sheet,
    Style,
    Validation,
    Workbook,
    serial,
)

FORM_LANGUAGE = "zh-hans"
ERROR_HEADING = "错误"  # the error workbook's last column (a fixed part of the form)
# Excel data validation for dates: the import checks "not in the future" itself.
FIRST_DATE, LAST_DATE = dt.date(1970, 1, 1), dt.date(2099, 12, 31)

_HEADER = Style(bold=True, fill="DCE6F1", border=True, wrap=True, valign="center")
STYLES: dict[str, Style] = {
    "header": _HEADER,
    "required": replace(_HEADER, font_color="C00000"),
    "context": replace(_HEADER, fill="EDEDED"),
    "text": Style(num_format="@"),  # typed-in codes such as 101001 stay text
    "integer": Style(num_format="0"),
    "decimal": Style(num_format="0.00"),
    "date": Style(num_format="yyyy-mm-dd"),
    "wrap": Style(wrap=True, valign="top"),
    "bad": Style(fill="FFC7CE", font_color="9C0006"),  # a date keeps its yyyy-mm-dd
    "error": Style(wrap=True, font_color="C00000", valign="top"),
}
_CELL_STYLES = {Kind.INTEGER: "integer", Kind.DECIMAL: "decimal", Kind.DATE: "date"}

Cell = Callable[[Mapping[str, Any]], Any]  # a record → the value of one cell


@dataclass(frozen=True)
class SheetSpec:
    """A data sheet of a form: its name, its column table (export-only context columns
    last), how many rows an upload may hold and how many blank rows keep the validations."""

    title: str
    columns: tuple[Column, ...]
    max_rows: int
    blank_rows: int = 1000
    freeze_columns: int = 1  # the columns kept in view beside the frozen heading
    continues: bool = False  # rows past Excel's limit go on <title>2, <title>3, …

    def columns_for(self, with_context: bool) -> tuple[Column, ...]:
        return self.columns if with_context else tuple(c for c in self.columns if not c.is_context)


@dataclass(frozen=True)
class Form:
    """A workbook form: its data sheets in order, its guide and its hidden lists."""

    sheets: tuple[SheetSpec, ...]
    guide_title: str
    guide: Callable[[bool], list[list[str]]]  # with the context columns? → rows, heading first
    guide_widths: tuple[float, ...]
    lists_title: str
    lookups: Callable[[], dict[str, list[str]]] = dict  # lists read from the database
    max_bytes: int = 10 * 1024 * 1024  # the largest upload read


# --- the data sheets ------------------------------------------------------------------------


def data_sheet(
    book: Workbook,
    spec: SheetSpec,
    cols: Sequence[Column | None],
    headings: Sequence[str] | None = None,
    *,
    title: str = "",
    with_errors: bool = False,
) -> Sheet:
    """A sheet of ``cols`` with its heading row (the columns' labels, or ``headings`` as
    uploaded, None for a column the import does not read), the heading and the first columns
    frozen. ``with_errors`` adds the error workbook's 错误 column at the end."""
    if headings is None:
        headings = [column.label for column in cols if column]
    formats = [
        ColumnFormat(_width(heading, column), STYLES[_cell_style(column)])
        for heading, column in zip(headings, cols, strict=True)
    ]
    heading_styles = [STYLES[_heading_style(column)] for column in cols]
    if with_errors:
        headings = [*headings, ERROR_HEADING]
        formats.append(ColumnFormat(60, STYLES["error"]))
        heading_styles.append(STYLES["header"])
    sheet = book.add_sheet(title or spec.title, columns=formats, freeze=(1, spec.freeze_columns))
    sheet.append(headings, styles=heading_styles, height=32)
    return sheet


def _heading_style(column: Column | None) -> str:
    if column and column.is_context:
        return "context"
    return "required" if column and column.required else "header"


def _cell_style(column: Column | None) -> str:
    return _CELL_STYLES.get(column.kind, "text") if column else "text"


def _width(heading: str, column: Column | None) -> float:
    if column is not None and column.width is not None:
        return column.width
    return max(12, len(heading) * 2)


def cells(cols: Iterable[Column]) -> list[Cell]:
    """How each column shows a record's value: decided once per column, not per cell (an
    export writes millions of cells)."""
    return [_cell(column) for column in cols]


def _cell(column: Column) -> Cell:
    name, show = column.field, column.show
    if show is not None:
        return lambda record: show(record.get(name))
    if column.kind == Kind.CHOICE:
        labels: dict[Any, str] = dict(column.choices)
        return lambda record: labels.get(record.get(name), record.get(name)) or None
    if column.kind == Kind.BOOLEAN:
        return lambda record: _yes_no(record.get(name))
    if column.kind == Kind.DECIMAL:  # the writer keeps a Decimal as its text
        return lambda record: _number(record.get(name))
    return lambda record: record.get(name)


def _yes_no(value: Any) -> Any:
    if isinstance(value, bool):
        return YES if value else NO
    return value  # a value of the wrong kind is written as it is, for the import to name


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


# --- the guide, the lists and the validations -----------------------------------------------


def finish(
    book: Workbook,
    form: Form,
    written: Sequence[tuple[Sheet, SheetSpec, Sequence[Column | None]]],
    *,
    with_context: bool,
    ranges: Mapping[str, str] | None = None,
) -> None:
    """Add the guide and the hidden lists to ``book``, and to each written data sheet (with
    its spec and its columns) the validations of its columns down to its blank rows.
    ``ranges`` adds dropdown sources of the domain's own (list name → a range, such as the
    names typed on another sheet)."""
    taken = {sheet.title for sheet in book.sheets}
    if form.guide_title not in taken:
        guide_sheet(book, form.guide_title, form.guide(with_context), form.guide_widths)
    sources = dict(ranges or {})
    if form.lists_title not in taken:
        lists = dropdown_lists([c for s in form.sheets for c in s.columns], form.lookups())
        sources.update(lists_sheet(book, form.lists_title, lists))
    for sheet, spec, cols in written:
        for rule in validations(cols, sources, sheet.rows + spec.blank_rows):
            sheet.validate(rule)


def guide_sheet(
    book: Workbook, title: str, rows: list[list[str]], widths: Sequence[float]
) -> Sheet:
    """The filling guide (填表说明): a heading row, then the rows as given; the wide columns
    (descriptions) wrap."""
    columns = [ColumnFormat(width, STYLES["wrap"] if width >= 40 else None) for width in widths]
    sheet = book.add_sheet(title, columns=columns)
    sheet.append(rows[0], styles=[STYLES["header"]] * len(rows[0]))
    for row in rows[1:]:
        sheet.append(row)
    return sheet


def rule_text(column: Column) -> str:
    """What a cell of ``column`` may hold, in words (the guide's last column)."""
    with translation.override(FORM_LANGUAGE):
        return _rule_text(column)


def _rule_text(column: Column) -> str:
    if column.is_context:
        return _("For reading only; not imported.")
    if column.hint:
        return column.hint
    if column.choices:
        return _("One of: %(values)s") % {"values": "、".join(t for _c, t in column.choices)}
    if column.kind == Kind.BOOLEAN:
        return _("%(yes)s or %(no)s") % {"yes": YES, "no": NO}
    if column.kind == Kind.INTEGER:
        return _("A whole number from %(min)s to %(max)s.") % {
            "min": column.minimum,
            "max": column.maximum,
        }
    if column.kind == Kind.DECIMAL:
        return _amount_text(column)
    if column.kind == Kind.DATE:
        return _("A date as YYYY-MM-DD.")
    if column.max_length:
        return _("Text of at most %(max)s characters.") % {"max": column.max_length}
    return _("Text.")


def _amount_text(column: Column) -> str:
    return _("A number from %(min)s to %(max)s, with at most %(places)s decimals.") % {
        "min": column.minimum,
        "max": column.maximum,
        "places": column.decimal_places,
    }


def dropdown_lists(
    cols: Iterable[Column], lookups: Mapping[str, list[str]]
) -> dict[str, list[str]]:
    """The values each dropdown offers: the choices' labels, 是/否, and the lookups read from
    the database (classifications, data elements), each once."""
    lists: dict[str, list[str]] = {}
    for column in cols:
        name = column.list_name
        if not name or name in lists or column.is_context:
            continue
        if column.kind == Kind.BOOLEAN:
            lists[name] = [YES, NO]
        elif column.choices:
            lists[name] = [label for _code, label in column.choices]
        elif lookups.get(name):
            lists[name] = list(lookups[name])
    return lists


def lists_sheet(book: Workbook, title: str, lists: Mapping[str, list[str]]) -> dict[str, str]:
    """The lists side by side on a hidden sheet (a list has no 255-character limit there, as an
    inline one has); returns each list's range, the source of its dropdowns."""
    sheet = book.add_sheet(title, is_hidden=True)
    depth = max((len(values) for values in lists.values()), default=0)
    for row in range(depth):
        sheet.append([values[row] if row < len(values) else None for values in lists.values()])
    quoted = title.replace("'", "''")
    return {
        name: f"'{quoted}'!${letter}$1:${letter}${len(values)}"
        for letter, (name, values) in zip(
            map(get_column_letter, range(1, len(lists) + 1)), lists.items(), strict=True
        )
    }


def validations(
    cols: Iterable[Column | None], sources: Mapping[str, str], last_row: int
) -> list[Validation]:
    """The data validations of a sheet's columns, from row 2 to ``last_row``, each with the
    column's guidance as its prompt."""
    last_row = min(last_row, MAX_ROWS)
    rules = []
    with translation.override(FORM_LANGUAGE):
        for index, column in enumerate(cols):
            if column is None or column.is_context:
                continue
            rule = _validation(column, sources)
            if rule:
                title = column.label[:32]  # Excel's limits on a validation's texts
                prompt = {"error_title": title, "prompt_title": title}
                rules.append(
                    Validation(index, 2, last_row, **rule, **prompt, prompt=column.guidance[:255])
                )
    return rules


def _validation(column: Column, sources: Mapping[str, str]) -> dict[str, Any]:
    """A column's rule: a dropdown, a number or date range, a length, or none ({})."""
    if column.list_name in sources:
        # A text column's list only suggests (the names typed on another sheet, which may be
        # typed later): a warning; a choice, a boolean or a lookup takes nothing else.
        style = "warning" if column.kind == Kind.TEXT else ""
        source = sources[column.list_name]
        message = _("Choose a value from the list.")
        return {"type": "list", "formula1": source, "error_style": style, "error": message}
    if column.kind == Kind.INTEGER:
        return _between("whole", column.minimum, column.maximum, _integer_text(column))
    if column.kind == Kind.DECIMAL:
        low = column.minimum if column.minimum is not None else -(column.maximum or 0)
        return _between("decimal", low, column.maximum, _amount_text(column))
    if column.kind == Kind.DATE:
        first, last = serial(FIRST_DATE), serial(LAST_DATE)
        return _between("date", first, last, _("Enter a date as YYYY-MM-DD."))
    if column.max_length:
        text = _("At most %(max)s characters.") % {"max": column.max_length}
        limit = {"operator": "lessThanOrEqual", "formula1": str(column.max_length)}
        return {"type": "textLength", **limit, "error": text}
    return {}


def _between(kind: str, low: Any, high: Any, message: str) -> dict[str, Any]:
    return {"type": kind, "formula1": str(low), "formula2": str(high), "error": message}


def _integer_text(column: Column) -> str:
    return _("Enter a whole number from %(min)s to %(max)s.") % {
        "min": column.minimum,
        "max": column.maximum,
    }
