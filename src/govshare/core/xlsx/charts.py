"""The writer's calls backed by XlsxWriter, for a report that needs native Excel charts.

DESIGN.md (Stack, "Excel"): one writing API; the streaming ``writer.Workbook`` for data, and
where a report needs native charts, the same API backed by XlsxWriter — one way for callers, not
two. ``ChartWorkbook`` and its sheets take the calls of ``writer.Workbook`` and ``writer.Sheet``
(sheets, rows with styles, column formats, frozen panes, hidden sheets, validations, merged
cells, an autofilter, the page set-up) and add ``add_chart``. A report's data is small: the rows
are kept in memory and written when the workbook is closed. XlsxWriter is used nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any

import xlsxwriter
from openpyxl.utils.cell import get_column_letter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from govshare.core.xlsx.writer import (
    DATE_FORMAT,
    EPOCH,
    MAX_ROWS,
    ColumnFormat,
    PageSetup,
    Style,
    Validation,
    check_sheet_title,
)

# User text is never a formula, a link or a number: "=1+1" stays text, as in writer.Workbook.
OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_VALIDATION_TYPES = {"whole": "integer", "textLength": "length"}
_OPERATORS = {
    "": "between",
    "lessThanOrEqual": "<=",
    "greaterThanOrEqual": ">=",
    "lessThan": "<",
    "greaterThan": ">",
    "equal": "==",
}


@dataclass(frozen=True)
class Chart:
    """A native chart of a block of the sheet it is added to: one series per value column,
    named by its cell on ``heading_row``, over the rows ``first_row``–``last_row`` (as Excel
    numbers them), with the categories in ``categories_column`` (columns from 0)."""

    kind: str  # "column", "bar", "line", "pie"
    title: str
    heading_row: int
    first_row: int
    last_row: int
    categories_column: int
    value_columns: tuple[int, ...]
    anchor: str = ""  # the cell of its top-left corner; default: two columns right of the data
    y_title: str = ""


@dataclass(eq=False)
class ChartSheet:
    """A worksheet of a ``ChartWorkbook``; the calls of ``writer.Sheet`` and ``add_chart``."""

    title: str
    columns: Sequence[ColumnFormat] = ()
    freeze: tuple[int, int] | None = None
    is_hidden: bool = False
    page: PageSetup | None = None
    rows: int = field(default=0, init=False)
    width: int = field(default=0, init=False)
    validations: list[Validation] = field(default_factory=list, init=False)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list, init=False)
    filtered: tuple[int, int, int] | None = field(default=None, init=False)
    charts: list[Chart] = field(default_factory=list, init=False)
    data: list[tuple[Sequence[Any], Sequence[Style | None] | None, float | None]] = field(
        default_factory=list, init=False
    )

    def append(
        self,
        values: Sequence[Any],
        *,
        styles: Sequence[Style | None] | None = None,
        height: float | None = None,
    ) -> int:
        """As ``writer.Sheet.append``: the next row; its number."""
        if self.rows >= MAX_ROWS:
            raise ValueError(f"sheet {self.title!r} is full ({MAX_ROWS} rows)")
        self.rows += 1
        self.width = max(self.width, len(values))
        self.data.append((list(values), styles, height))
        return self.rows

    def validate(self, validation: Validation) -> None:
        self.validations.append(validation)

    def merge(self, row: int, first_column: int, last_column: int, last_row: int = 0) -> None:
        self.merged.append((row, first_column, last_row or row, last_column))

    def autofilter(self, row: int, first_column: int, last_column: int) -> None:
        self.filtered = (row, first_column, last_column)

    def add_chart(self, chart: Chart) -> None:
        self.charts.append(chart)


class ChartWorkbook:
    """A workbook written to ``output`` when it is closed, as ``writer.Workbook`` is, whose
    sheets may carry native charts."""

    def __init__(self, output: IO[bytes]) -> None:
        self.output = output
        self.sheets: list[ChartSheet] = []
        self.active: ChartSheet | None = None

    def add_sheet(
        self,
        title: str,
        *,
        columns: Sequence[ColumnFormat] = (),
        freeze: tuple[int, int] | None = None,
        is_hidden: bool = False,
        page: PageSetup | None = None,
    ) -> ChartSheet:
        check_sheet_title(title, [sheet.title for sheet in self.sheets])
        sheet = ChartSheet(title, columns, freeze, is_hidden, page)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        book = xlsxwriter.Workbook(self.output, OPTIONS)
        formats = _Formats(book)
        written = {id(sheet): _write_sheet(book, sheet, formats) for sheet in self.sheets}
        visible = [sheet for sheet in self.sheets if not sheet.is_hidden]
        if not visible:
            raise ValueError("a workbook needs a visible sheet")
        active = self.active if self.active in visible else visible[0]
        written[id(active)].activate()
        book.close()

    def discard(self) -> None:
        """Nothing goes to the output (the rows are in memory only)."""
        self.sheets.clear()

    def __enter__(self) -> ChartWorkbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


class _Formats:
    """Each distinct Style as one XlsxWriter format."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.cache: dict[Style, Format] = {}

    def get(self, style: Style | None, *, dated: bool = False) -> Format | None:
        if dated and (style is None or not style.num_format):
            style = Style(num_format=DATE_FORMAT) if style is None else _dated(style)
        if style is None:
            return None
        if style not in self.cache:
            self.cache[style] = self.book.add_format(_format_options(style))
        return self.cache[style]


def _dated(style: Style) -> Style:
    return Style(**{**style.__dict__, "num_format": DATE_FORMAT})


def _format_options(style: Style) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bold": style.bold,
        "text_wrap": style.wrap,
        "border": 1 if style.border else 0,
    }
    if style.font_color:
        options["font_color"] = f"#{style.font_color}"
    if style.font_size:
        options["font_size"] = style.font_size
    if style.fill:
        options["bg_color"] = f"#{style.fill}"
    if style.valign:
        options["valign"] = "vcenter" if style.valign == "center" else style.valign
    if style.align:
        options["align"] = style.align
    if style.num_format:
        options["num_format"] = style.num_format
    return options


def _write_sheet(book: xlsxwriter.Workbook, sheet: ChartSheet, formats: _Formats) -> Worksheet:
    page = book.add_worksheet(sheet.title)
    for index, column in enumerate(sheet.columns):
        page.set_column(index, index, column.width, formats.get(column.style))
    tops = {(row, first): (last_row, last) for row, first, last_row, last in sheet.merged}
    for number, (values, styles, height) in enumerate(sheet.data, start=1):
        if height is not None:
            page.set_row(number - 1, height)
        for index, value in enumerate(values):
            style = _cell_style(sheet, index, styles)
            if (number, index) in tops:
                last_row, last_column = tops[(number, index)]
                cell = formats.get(style)
                page.merge_range(number - 1, index, last_row - 1, last_column, value, cell)
            else:
                _write_cell(page, number - 1, index, value, style, formats, styles is not None)
    _sheet_settings(page, sheet)
    for chart in sheet.charts:
        _insert_chart(book, page, sheet, chart)
    return page


def _cell_style(
    sheet: ChartSheet, index: int, styles: Sequence[Style | None] | None
) -> Style | None:
    if styles is not None and index < len(styles) and styles[index] is not None:
        return styles[index]
    return sheet.columns[index].style if index < len(sheet.columns) else None


def _write_cell(
    page: Worksheet,
    row: int,
    column: int,
    value: Any,
    style: Style | None,
    formats: _Formats,
    keeps_blank: bool,
) -> None:
    """One cell as ``writer.Sheet.append`` writes it: None and "" empty (a styled blank when
    the row gave styles), text as text, numbers, booleans, dates with a date format."""
    if value is None or value == "":
        if keeps_blank and style is not None:
            page.write_blank(row, column, None, formats.get(style))
    elif isinstance(value, bool):
        page.write_boolean(row, column, value, formats.get(style))
    elif isinstance(value, int | float):
        page.write_number(row, column, value, formats.get(style))
    elif isinstance(value, dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        page.write_datetime(row, column, moment, formats.get(style, dated=True))
    else:
        page.write_string(row, column, str(value), formats.get(style))


def _sheet_settings(page: Worksheet, sheet: ChartSheet) -> None:
    if sheet.freeze:
        page.freeze_panes(*sheet.freeze)
    if sheet.is_hidden:
        page.hide()
    if sheet.filtered:
        row, first, last = sheet.filtered
        page.autofilter(row - 1, first, row - 1, last)
    for rule in sheet.validations:
        page.data_validation(
            rule.first_row - 1, rule.column, rule.last_row - 1, rule.column, _validation(rule)
        )
    if sheet.page is not None:
        _page_setup(page, sheet.page)


def _validation(rule: Validation) -> dict[str, Any]:
    options: dict[str, Any] = {"validate": _VALIDATION_TYPES.get(rule.type, rule.type)}
    if rule.type == "list":
        options["source"] = "=" + rule.formula1.removeprefix("=")
    else:
        options["criteria"] = _OPERATORS[rule.operator]
        low, high = _bound(rule.type, rule.formula1), _bound(rule.type, rule.formula2)
        if rule.formula2:
            options.update(minimum=low, maximum=high)
        else:
            options["value"] = low
    texts = {
        "error_type": {"": "stop"}.get(rule.error_style, rule.error_style),
        "error_title": rule.error_title,
        "error_message": rule.error,
        "input_title": rule.prompt_title,
        "input_message": rule.prompt,
    }
    return options | {key: text for key, text in texts.items() if text}


def _bound(kind: str, formula: str) -> Any:
    if not formula:
        return None
    if kind == "date":
        return EPOCH + dt.timedelta(days=float(formula))
    number = float(formula)
    return int(number) if number.is_integer() else number


def _page_setup(page: Worksheet, setup: PageSetup) -> None:
    page.set_paper(9)  # A4
    if setup.landscape:
        page.set_landscape()
    if setup.fit_width:
        page.fit_to_pages(1, 0)
    if setup.repeat_rows:
        first, last = setup.repeat_rows
        page.repeat_rows(first - 1, last - 1)


def _insert_chart(
    book: xlsxwriter.Workbook, page: Worksheet, sheet: ChartSheet, chart: Chart
) -> None:
    native = book.add_chart({"type": chart.kind})
    if native is None:
        raise ValueError(f"XlsxWriter has no chart of the kind {chart.kind!r}")
    first, last, categories = chart.first_row - 1, chart.last_row - 1, chart.categories_column
    for column in chart.value_columns:
        native.add_series(
            {
                "name": [sheet.title, chart.heading_row - 1, column],
                "categories": [sheet.title, first, categories, last, categories],
                "values": [sheet.title, first, column, last, column],
            }
        )
    native.set_title({"name": chart.title})
    if chart.y_title and chart.kind != "pie":
        native.set_y_axis({"name": chart.y_title})
    anchor = chart.anchor or f"{get_column_letter(sheet.width + 2)}{chart.heading_row}"
    page.insert_chart(anchor, native)
