"""Writing the catalog workbook: the template, the export of any catalog view, and the error
workbook an import gives back (the same sheets, an 错误 column, the bad cells marked)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from typing import Any

import xlsxwriter
from django.db import models
from xlsxwriter.utility import xl_col_to_name

from govshare.catalog.exports import GUIDE_LABELS, NO, YES, guide_label, resource_records
from govshare.catalog.models import Category, DataElement, Resource
from govshare.catalog.workbook.columns import (
    BLANK_ITEM_ROWS,
    BLANK_RESOURCE_ROWS,
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
from govshare.inventory.workbook import INT_MAX

# --- writing: template, export, error workbook ----------------------------------------------


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
    # constant_memory: rows go to disk as written, so a 100,000-resource export stays small.
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    styles = _styles(book)
    res_cols, item_cols = resource_columns(with_context), item_columns()
    sheet = book.add_worksheet(RESOURCE_SHEET)
    _write_header(sheet, [c.label for c in res_cols], res_cols, styles)
    writer = ItemWriter(book, item_cols, styles)
    count = 0
    for count, record in enumerate(records, start=1):
        _write_values(sheet, count, resource_values(record, res_cols), styles)
        for item in record["items"]:
            writer.write(item_values(record["name"], item))
    sources = _finish(book, styles, with_context)
    _add_validations(sheet, res_cols, sources, count + BLANK_RESOURCE_ROWS)
    for item_sheet, rows in writer.sheets:
        _add_validations(item_sheet, item_cols, sources, rows + BLANK_ITEM_ROWS, count)
    sheet.activate()
    book.close()
    return output.getvalue()


class ItemWriter:
    """Writes item rows to 信息项, continuing on 信息项2, 3 … past Excel's row limit."""

    def __init__(self, book: Any, cols: tuple[Column, ...], styles: dict[str, Any]) -> None:
        self.book, self.cols, self.styles = book, cols, styles
        self.sheets: list[tuple[Any, int]] = []
        self._new_sheet()

    def _new_sheet(self) -> None:
        title = ITEM_SHEET if not self.sheets else f"{ITEM_SHEET}{len(self.sheets) + 1}"
        sheet = self.book.add_worksheet(title)
        _write_header(sheet, [c.label for c in self.cols], self.cols, self.styles)
        self.sheets.append((sheet, 0))

    def write(self, values: list[Any]) -> None:
        sheet, rows = self.sheets[-1]
        if rows + 1 >= EXCEL_ROWS:
            self._new_sheet()
            sheet, rows = self.sheets[-1]
        rows += 1
        _write_values(sheet, rows, values, self.styles)
        self.sheets[-1] = (sheet, rows)


CONTEXT_VALUES: dict[str, Any] = {
    "code": lambda record: record["code"],
    "provider": lambda record: record["provider"]["name"],
    "status": lambda record: guide_label("status", record["status"]),
    "version": lambda record: record["version"],
    "publish_date": lambda record: record["publish_date"],
}


def resource_values(record: Mapping[str, Any], cols: Iterable[Column]) -> list[Any]:
    """A record as the cells of sheet 信息资源 (labels, 是/否, ``code name`` references)."""
    values: list[Any] = []
    for column in cols:
        if column.kind == Kind.CATEGORY:
            category = record["category"]
            values.append(f"{category['code']} {category['name']}")
        elif column.is_context:
            values.append(CONTEXT_VALUES[column.field](record))
        else:
            values.append(_cell_value(column, record[column.field]))
    return values


def item_values(resource_name: str, item: Mapping[str, Any]) -> list[Any]:
    element = item["element"]
    values: list[Any] = [resource_name]
    for column in item_columns()[1:]:
        if column.kind == Kind.ELEMENT:
            values.append(f"{element['identifier']} {element['name']}" if element else None)
        else:
            values.append(_cell_value(column, item[column.field]))
    return values


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == Kind.CHOICE:
        return guide_label(column.field, value) if value else None
    if column.kind == Kind.BOOLEAN:
        return YES if value else NO
    return value


def _styles(book: Any) -> dict[str, Any]:
    header = {"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True}
    return {
        "header": book.add_format({**header, "valign": "vcenter"}),
        "required": book.add_format({**header, "valign": "vcenter", "font_color": "#C00000"}),
        "context": book.add_format({**header, "valign": "vcenter", "bg_color": "#EDEDED"}),
        "text": book.add_format({"num_format": "@"}),
        "integer": book.add_format({"num_format": "0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "bad": book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
        "bad_date": book.add_format(
            {"bg_color": "#FFC7CE", "font_color": "#9C0006", "num_format": "yyyy-mm-dd"}
        ),
        "error": book.add_format({"text_wrap": True, "font_color": "#C00000", "valign": "top"}),
    }


def _write_header(
    sheet: Any, headings: list[str], cols: Iterable[Column | None], styles: dict[str, Any]
) -> None:
    sheet.freeze_panes(1, 2)
    sheet.set_row(0, 32)
    for index, (heading, column) in enumerate(zip(headings, cols, strict=True)):
        kind = column.kind if column else Kind.TEXT
        width = 40 if column and column.field == "summary" else max(12, len(heading) * 3)
        sheet.set_column(index, index, width, styles["integer" if kind == Kind.INTEGER else "text"])
        style = "header"
        if column and column.is_context:
            style = "context"
        elif column and column.required:
            style = "required"
        sheet.write_string(0, index, heading, styles[style])


def _write_values(
    sheet: Any,
    row: int,
    values: Iterable[Any],
    styles: dict[str, Any],
    bad: frozenset[int] = frozenset(),
) -> None:
    """One row; text is always written as a string, never as a formula. ``bad``: the indexes of
    cells to highlight (the error workbook)."""
    write_string = sheet.write_string  # the export writes millions of cells: keep the loop lean
    for index, value in enumerate(values):
        if bad and index in bad:
            _write_bad(sheet, row, index, value, styles)
        elif value is None or value == "":
            continue
        elif isinstance(value, str):
            write_string(row, index, value)
        elif isinstance(value, bool):
            sheet.write_boolean(row, index, value)
        elif isinstance(value, int | float):
            sheet.write_number(row, index, value)
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, index, _as_datetime(value), styles["date"])
        else:
            write_string(row, index, str(value))


def _write_bad(sheet: Any, row: int, index: int, value: Any, styles: dict[str, Any]) -> None:
    """A highlighted cell of the error workbook, holding what was uploaded."""
    style = styles["bad"]
    if value is None or value == "":
        sheet.write_blank(row, index, None, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, index, value, style)
    elif isinstance(value, int | float):
        sheet.write_number(row, index, value, style)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, index, _as_datetime(value), styles["bad_date"])
    else:
        sheet.write_string(row, index, str(value), style)


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def _finish(book: Any, styles: dict[str, Any], with_context: bool) -> dict[str, str]:
    """The guide and the hidden lists sheets; returns each list's range formula."""
    _write_guide(book.add_worksheet(GUIDE_SHEET), styles, with_context)
    lists = book.add_worksheet(LISTS_SHEET)
    sources = _write_lists(lists)
    lists.hide()
    return sources


def dropdown_lists() -> dict[str, list[str]]:
    """The values each dropdown offers: guide labels, 是/否, classifications, data elements."""
    lists = {name: list(labels.values()) for name, labels in GUIDE_LABELS.items()}
    lists.pop("status")
    lists["boolean"] = [YES, NO]
    lists["category"] = [f"{c} {n}" for c, n in Category.objects.values_list("code", "name")]
    elements = DataElement.objects.values_list("identifier", "name")
    lists["element"] = [f"{i} {n}" for i, n in elements]
    return {name: values for name, values in lists.items() if values}


def _write_lists(sheet: Any) -> dict[str, str]:
    lists = dropdown_lists()
    names = list(lists)
    depth = max(len(values) for values in lists.values())
    for row in range(depth):  # constant_memory: rows strictly in order
        for index, name in enumerate(names):
            if row < len(lists[name]):
                sheet.write_string(row, index, lists[name][row])
    letters = [xl_col_to_name(index) for index in range(len(names))]
    return {
        name: f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(lists[name])}"
        for letter, name in zip(letters, names, strict=True)
    }


def _add_validations(
    sheet: Any,
    cols: Iterable[Column | None],
    sources: dict[str, str],
    last_row: int,
    resource_rows: int = 0,
) -> None:
    for index, column in enumerate(cols):
        if column is None or column.is_context:
            continue
        rule = _validation(column, sources, resource_rows)
        if rule is not None:
            prompt = {"input_title": column.label[:32], "input_message": column.guidance[:255]}
            sheet.data_validation(
                1, index, min(last_row, EXCEL_ROWS - 1), index, {**rule, **prompt}
            )


def _validation(
    column: Column, sources: dict[str, str], resource_rows: int
) -> dict[str, Any] | None:
    """The Excel data validation of a column: a dropdown, a number range or a length."""
    message = {"error_title": column.label[:32]}
    source = "boolean" if column.kind == Kind.BOOLEAN else column.field
    if column.kind == Kind.RESOURCE:
        # The names typed on sheet 1; a warning only, so items may be typed in first.
        last = min(resource_rows + BLANK_RESOURCE_ROWS + 1, EXCEL_ROWS)
        formula = f"='{RESOURCE_SHEET}'!$B$2:$B${last}"
        text = "请填写信息资源表中的资源名称。"
        return {
            "validate": "list",
            "source": formula,
            "error_type": "warning",
            "error_message": text,
            **message,
        }
    if source in sources:
        text = "请从下拉列表中选择。"
        return {"validate": "list", "source": sources[source], "error_message": text, **message}
    if column.kind == Kind.INTEGER:
        text = f"请输入 0 到 {INT_MAX} 之间的整数。"
        limits = {"criteria": "between", "minimum": 0, "maximum": INT_MAX}
        return {"validate": "integer", **limits, "error_message": text, **message}
    if column.max_length:
        text = f"不超过 {column.max_length} 个字符。"
        limits = {"criteria": "<=", "value": column.max_length}
        return {"validate": "length", **limits, "error_message": text, **message}
    return None


GUIDE_NOTES = (
    "信息资源表每行一个资源；信息项表每行一个信息项，用“资源名称”与信息资源表对应。请勿修改列标题。",
    "与本部门已有草稿同名的行更新该草稿；与已发布资源同名的行发起变更（新版本，审核通过前原版本继续有效）；"
    "其他行登记为新的草稿。审核中或已撤销的资源不能通过导入修改。未出现在工作簿中的资源保持不变。",
    "导入时先检查全部行：任何单元格有误，则不导入任何内容，并返回标出错误单元格、附“错误”列的工作簿。",
    "分类代码和数据元标识符从下拉列表选择；导入时只取空格前的代码。",
)


def _write_guide(guide: Any, styles: dict[str, Any], with_context: bool) -> None:
    guide.set_column(0, 0, 10)
    guide.set_column(1, 1, 16)
    guide.set_column(2, 2, 6)
    guide.set_column(3, 4, 60, styles["wrap"])
    headings = ("工作表", "列", "必填", "说明", "填写要求")
    for index, heading in enumerate(headings):
        guide.write_string(0, index, heading, styles["header"])
    row = 0
    for title, cols in (
        (RESOURCE_SHEET, resource_columns(with_context)),
        (ITEM_SHEET, item_columns()),
    ):
        for column in cols:
            row += 1
            values = (
                title,
                column.label,
                YES if column.required else NO,
                column.guidance,
                rule_text(column),
            )
            for index, value in enumerate(values):
                guide.write_string(row, index, value)
    notes = GUIDE_NOTES + (("灰色列仅供查阅，不导入。",) if with_context else ())
    for offset, note in enumerate(notes, start=row + 2):
        guide.write_string(offset, 0, f"{offset - row - 1}. {note}")


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
