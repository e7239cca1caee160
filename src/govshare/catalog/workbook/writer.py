"""Writing the catalog workbook: the template, the export of any catalog view, and the error
workbook an import gives back (the same sheets, an 错误 column, the bad cells marked).

All three are streamed with ``core.xlsx``: issue 4 asks for an export of 100,000 resources
(and their 500,000 data items) in under 60 s, which XlsxWriter could not do in the time. The
styles, column widths, guide, dropdown lists and validation rules they share are defined once,
here; ``importer.error_workbook`` builds on ``data_sheet``, ``guide_and_lists`` and
``validations``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cache
from operator import itemgetter
from typing import Any

from django.db import models
from openpyxl.utils.cell import get_column_letter

from govshare.catalog.exports import GUIDE_LABELS, NO, YES, guide_label, resource_records
from govshare.catalog.models import Category, DataElement, Resource
from govshare.catalog.workbook.columns import (
    BLANK_ITEM_ROWS,
    BLANK_RESOURCE_ROWS,
    ERROR_HEADING,
    EXCEL_ROWS,
    GUIDE_SHEET,
    ITEM_SHEET,
    LISTS_SHEET,
    RESOURCE_SHEET,
    Column,
    Kind,
    item_columns,
    resource_columns,
)
from govshare.core import xlsx
from govshare.inventory.workbook import INT_MAX

Cell = Callable[[Mapping[str, Any]], Any]  # a record (or an item) → the value of one cell

_HEADER = xlsx.Style(bold=True, fill="DCE6F1", border=True, wrap=True, valign="center")
STYLES: dict[str, xlsx.Style] = {
    "header": _HEADER,
    "required": replace(_HEADER, font_color="C00000"),
    "context": replace(_HEADER, fill="EDEDED"),
    "text": xlsx.Style(num_format="@"),  # typed-in codes such as 101001 stay text
    "integer": xlsx.Style(num_format="0"),
    "wrap": xlsx.Style(wrap=True, valign="top"),
    "bad": xlsx.Style(fill="FFC7CE", font_color="9C0006"),  # a date keeps its yyyy-mm-dd
    "error": xlsx.Style(wrap=True, font_color="C00000", valign="top"),
}

# --- the template and the export ------------------------------------------------------------


def catalog_template() -> bytes:
    """The empty workbook a department downloads and fills in."""
    return write_catalog([])


def catalog_export(resources: models.QuerySet[Resource]) -> bytes:
    """``resources`` (already restricted to the user) in the template's layout, each with its
    shown version (in force, else the draft) and data items."""
    return write_catalog(resource_records(resources), with_context=True)


def write_catalog(records: Iterable[Mapping[str, Any]], *, with_context: bool = False) -> bytes:
    """A catalog workbook of ``records`` (``exports.resource_records`` dicts)."""
    output = io.BytesIO()
    res_cols, item_cols = resource_columns(with_context), item_columns()
    resource_cells = [_resource_cell(column) for column in res_cols]
    item_cells = _item_cells()
    with xlsx.Workbook(output) as book:
        sheet = book.active = data_sheet(book, RESOURCE_SHEET, res_cols)
        items = ItemSheets(book, item_cols)
        for record in records:
            sheet.append([cell(record) for cell in resource_cells])
            name = record["name"]
            for item in record["items"]:
                items.append([name, *[cell(item) for cell in item_cells]])
        sources = guide_and_lists(book, with_context)
        resources = sheet.rows - 1
        for rule in validations(res_cols, sources, sheet.rows + BLANK_RESOURCE_ROWS, resources):
            sheet.validate(rule)
        for item_sheet in items.sheets:
            last_row = item_sheet.rows + BLANK_ITEM_ROWS
            for rule in validations(item_cols, sources, last_row, resources):
                item_sheet.validate(rule)
    return output.getvalue()


def data_sheet(
    book: xlsx.Workbook,
    title: str,
    cols: Sequence[Column | None],
    headings: Sequence[str] | None = None,
    *,
    with_errors: bool = False,
) -> xlsx.Sheet:
    """A sheet of ``cols`` with its heading row (the columns' labels, or ``headings`` as
    uploaded, None for a column the import does not know); the heading and first two columns
    frozen. ``with_errors`` adds the error workbook's 错误 column at the end."""
    if headings is None:
        headings = [column.label for column in cols if column]
    formats = [
        xlsx.ColumnFormat(_width(heading, column), STYLES[_cell_style(column)])
        for heading, column in zip(headings, cols, strict=True)
    ]
    heading_styles = [STYLES[_heading_style(column)] for column in cols]
    if with_errors:
        headings = [*headings, ERROR_HEADING]
        formats.append(xlsx.ColumnFormat(60, STYLES["error"]))
        heading_styles.append(STYLES["header"])
    sheet = book.add_sheet(title, columns=formats, freeze=(1, 2))
    sheet.append(headings, styles=heading_styles, height=32)
    return sheet


class ItemSheets:
    """Item rows on 信息项, continuing on 信息项2, 3 … past Excel's row limit."""

    def __init__(self, book: xlsx.Workbook, cols: tuple[Column, ...]) -> None:
        self.book, self.cols = book, cols
        self.sheets: list[xlsx.Sheet] = []
        self.current = self._new_sheet()

    def _new_sheet(self) -> xlsx.Sheet:
        title = ITEM_SHEET if not self.sheets else f"{ITEM_SHEET}{len(self.sheets) + 1}"
        self.sheets.append(data_sheet(self.book, title, self.cols))
        return self.sheets[-1]

    def append(self, values: list[Any]) -> None:
        if self.current.rows >= EXCEL_ROWS:
            self.current = self._new_sheet()
        self.current.append(values)


def guide_and_lists(book: xlsx.Workbook, with_context: bool) -> dict[str, str]:
    """The 填表说明 sheet and the hidden 代码表 of dropdown lists; returns each list's range."""
    _guide_sheet(book, with_context)
    return _lists_sheet(book)


def _guide_sheet(book: xlsx.Workbook, with_context: bool) -> None:
    columns = [xlsx.ColumnFormat(width) for width in GUIDE_WIDTHS[:3]]
    columns += [xlsx.ColumnFormat(width, STYLES["wrap"]) for width in GUIDE_WIDTHS[3:]]
    sheet = book.add_sheet(GUIDE_SHEET, columns=columns)
    rows = guide_rows(with_context)
    sheet.append(rows[0], styles=[STYLES["header"]] * len(rows[0]))
    for row in rows[1:]:
        sheet.append(row)


def _lists_sheet(book: xlsx.Workbook) -> dict[str, str]:
    """The hidden sheet of dropdown lists; returns each list's range."""
    lists = dropdown_lists()
    sheet = book.add_sheet(LISTS_SHEET, is_hidden=True)
    for row in list_rows(lists):
        sheet.append(row)
    return list_sources(lists)


# --- cell values ----------------------------------------------------------------------------

CONTEXT_VALUES: dict[str, Cell] = {
    "code": lambda record: record["code"],
    "provider": lambda record: record["provider"]["name"],
    "status": lambda record: guide_label("status", record["status"]),
    "version": lambda record: record["version"],
    "publish_date": lambda record: record["publish_date"],
}


def resource_values(record: Mapping[str, Any], cols: Iterable[Column]) -> list[Any]:
    """A record as the cells of sheet 信息资源 (labels, 是/否, ``code name`` references)."""
    return [_resource_cell(column)(record) for column in cols]


def item_values(resource_name: str, item: Mapping[str, Any]) -> list[Any]:
    """An item as the cells of sheet 信息项, behind the name of its resource."""
    return [resource_name, *[cell(item) for cell in _item_cells()]]


def _resource_cell(column: Column) -> Cell:
    if column.is_context:
        return CONTEXT_VALUES[column.field]
    if column.kind == Kind.CATEGORY:
        return lambda record: f"{record['category']['code']} {record['category']['name']}"
    return _field_cell(column)


@cache
def _item_cells() -> tuple[Cell, ...]:
    return tuple(_field_cell(column) for column in item_columns()[1:])


def _field_cell(column: Column) -> Cell:
    """How a field's value is shown: the guide's label, 是/否, ``identifier name``. Decided
    once per column, not per cell: an export writes millions of them."""
    name = column.field
    if column.kind == Kind.CHOICE:
        labels = GUIDE_LABELS.get(name, {})
        return lambda row: labels.get(row[name], row[name]) if row[name] else None
    if column.kind == Kind.BOOLEAN:
        return lambda row: YES if row[name] else NO
    if column.kind == Kind.ELEMENT:
        return lambda row: f"{row[name]['identifier']} {row[name]['name']}" if row[name] else None
    return itemgetter(name)


# --- what both writers share: layout, guide, lists, validations -----------------------------


def _heading_style(column: Column | None) -> str:
    if column and column.is_context:
        return "context"
    return "required" if column and column.required else "header"


def _cell_style(column: Column | None) -> str:
    return "integer" if column and column.kind == Kind.INTEGER else "text"


def _width(heading: str, column: Column | None) -> int:
    return 40 if column and column.field == "summary" else max(12, len(heading) * 3)


GUIDE_WIDTHS = (10, 16, 6, 60, 60)
GUIDE_NOTES = (
    "信息资源表每行一个资源；信息项表每行一个信息项，用“资源名称”与信息资源表对应。请勿修改列标题。",
    "与本部门已有草稿同名的行更新该草稿；与已发布资源同名的行发起变更（新版本，审核通过前原版本继续有效）；"
    "其他行登记为新的草稿。审核中或已撤销的资源不能通过导入修改。未出现在工作簿中的资源保持不变。",
    "导入时先检查全部行：任何单元格有误，则不导入任何内容，并返回标出错误单元格、附“错误”列的工作簿。",
    "分类代码和数据元标识符从下拉列表选择；导入时只取空格前的代码。",
)


def guide_rows(with_context: bool) -> list[list[str]]:
    """The rows of 填表说明: a heading, one row per column, a blank row, the numbered notes."""
    rows = [["工作表", "列", "必填", "说明", "填写要求"]]
    for title, cols in (
        (RESOURCE_SHEET, resource_columns(with_context)),
        (ITEM_SHEET, item_columns()),
    ):
        rows += [
            [title, c.label, YES if c.required else NO, c.guidance, rule_text(c)] for c in cols
        ]
    notes = GUIDE_NOTES + (("灰色列仅供查阅，不导入。",) if with_context else ())
    return [*rows, [], *([f"{n}. {note}"] for n, note in enumerate(notes, start=1))]


def rule_text(column: Column) -> str:
    """What a cell of ``column`` may hold, in words (the 填表说明 sheet)."""
    if column.is_context:
        return "仅供查阅，不导入。"
    if column.choices:
        return "可选值：" + "、".join(label for _code, label in column.choices)
    texts = {
        Kind.BOOLEAN: f"{YES}或{NO}。",
        Kind.INTEGER: "不小于 0 的整数。",
        Kind.CATEGORY: "分类代码，如 101001；可带名称，如“101001 户籍人口”。",
        Kind.ELEMENT: "数据元标识符，如 GMSFHM；可带名称。",
        Kind.RESOURCE: "信息资源表中的资源名称。",
    }
    if column.kind in texts:
        return texts[column.kind]
    return f"不超过 {column.max_length} 个字符的文本。" if column.max_length else "文本。"


def dropdown_lists() -> dict[str, list[str]]:
    """The values each dropdown offers: guide labels, 是/否, classifications, data elements."""
    lists = {name: list(labels.values()) for name, labels in GUIDE_LABELS.items()}
    lists.pop("status")
    lists["boolean"] = [YES, NO]
    lists["category"] = [f"{c} {n}" for c, n in Category.objects.values_list("code", "name")]
    elements = DataElement.objects.values_list("identifier", "name")
    lists["element"] = [f"{i} {n}" for i, n in elements]
    return {name: values for name, values in lists.items() if values}


def list_rows(lists: Mapping[str, list[str]]) -> list[list[str | None]]:
    """The lists side by side, one per column of 代码表."""
    depth = max(len(values) for values in lists.values())
    return [
        [values[row] if row < len(values) else None for values in lists.values()]
        for row in range(depth)
    ]


def list_sources(lists: Mapping[str, list[str]]) -> dict[str, str]:
    """Each list's range on 代码表, the source of its dropdowns."""
    return {
        name: f"'{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}"
        for letter, (name, values) in zip(
            map(get_column_letter, range(1, len(lists) + 1)), lists.items(), strict=True
        )
    }


def validations(
    cols: Iterable[Column | None], sources: Mapping[str, str], last_row: int, resource_rows: int
) -> list[xlsx.Validation]:
    """The data validations of a sheet's columns, from row 2 to ``last_row``, with the
    column's guidance as the prompt."""
    last_row = min(last_row, EXCEL_ROWS)
    rules = []
    for index, column in enumerate(cols):
        if column is None or column.is_context:
            continue
        rule = _validation(column, sources, resource_rows)
        if rule:
            title = column.label[:32]  # Excel's limits on a validation's texts
            prompt = {"error_title": title, "prompt_title": title, "prompt": column.guidance[:255]}
            rules.append(xlsx.Validation(index, 2, last_row, **rule, **prompt))
    return rules


def _validation(column: Column, sources: Mapping[str, str], resource_rows: int) -> dict[str, Any]:
    """A column's rule: a dropdown, a number range, a length, or none ({})."""
    source = "boolean" if column.kind == Kind.BOOLEAN else column.field
    if column.kind == Kind.RESOURCE:
        # The names typed on sheet 1; a warning only, so items may be typed in first.
        last = min(resource_rows + BLANK_RESOURCE_ROWS + 1, EXCEL_ROWS)
        formula = f"'{RESOURCE_SHEET}'!$B$2:$B${last}"
        text = "请填写信息资源表中的资源名称。"
        return {"type": "list", "formula1": formula, "error_style": "warning", "error": text}
    if source in sources:
        return {"type": "list", "formula1": sources[source], "error": "请从下拉列表中选择。"}
    if column.kind == Kind.INTEGER:
        text = f"请输入 0 到 {INT_MAX} 之间的整数。"
        return {"type": "whole", "formula1": "0", "formula2": str(INT_MAX), "error": text}
    if column.max_length:
        text = f"不超过 {column.max_length} 个字符。"
        limit = {"operator": "lessThanOrEqual", "formula1": str(column.max_length)}
        return {"type": "textLength", **limit, "error": text}
    return {}
