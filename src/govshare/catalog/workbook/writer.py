"""Writing the catalog workbook: the template, the export of any catalog view, and the form
the import's error workbook is built on (the same sheets, an 错误 column, the bad cells marked).

All are streamed with ``core.xlsx``: issue 4 asks for an export of 100,000 resources (and their
500,000 data items) in under 60 s. The column tables are in ``columns``; the layout, the guide,
the dropdown lists and the validations are the core's forms, defined for the catalog once here
(``catalog_form``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from django.db import models

from govshare.catalog.exports import NO, YES, resource_records
from govshare.catalog.models import Category, DataElement, Resource
from govshare.catalog.workbook.columns import (
    BLANK_ITEM_ROWS,
    BLANK_RESOURCE_ROWS,
    EXCEL_ROWS,
    GUIDE_SHEET,
    ITEM_SHEET,
    LISTS_SHEET,
    MAX_ITEMS,
    MAX_RESOURCES,
    MAX_UPLOAD_BYTES,
    RESOURCE_NAMES,
    RESOURCE_SHEET,
    item_columns,
    resource_columns,
)
from govshare.core.xlsx.columns import Column
from govshare.core.xlsx.forms import Cell, Form, SheetSpec, cells, data_sheet, finish, rule_text
from govshare.core.xlsx.writer import Sheet, Workbook

# --- the form -------------------------------------------------------------------------------


@cache
def catalog_form() -> Form:
    """The catalog workbook as a form: sheet 信息资源 (one resource a row), sheet 信息项 (one
    data item a row, continuing on 信息项2, … past Excel's limit), the guide, the lists."""
    resources = SheetSpec(
        RESOURCE_SHEET,
        resource_columns(with_context=True),
        max_rows=MAX_RESOURCES,
        blank_rows=BLANK_RESOURCE_ROWS,
        freeze_columns=2,
    )
    items = SheetSpec(
        ITEM_SHEET,
        item_columns(),
        max_rows=MAX_ITEMS,
        blank_rows=BLANK_ITEM_ROWS,
        freeze_columns=2,
        continues=True,
    )
    return Form(
        sheets=(resources, items),
        guide_title=GUIDE_SHEET,
        guide=guide_rows,
        guide_widths=GUIDE_WIDTHS,
        lists_title=LISTS_SHEET,
        lookups=lookup_lists,
        max_bytes=MAX_UPLOAD_BYTES,
    )


def resource_names(resource_rows: int) -> dict[str, str]:
    """The dropdown of an item's resource: the names on sheet 1 (column B), down to the blank
    rows below the resources (a warning only, so that items may be typed in first)."""
    last = min(resource_rows + BLANK_RESOURCE_ROWS + 1, EXCEL_ROWS)
    return {RESOURCE_NAMES: f"'{RESOURCE_SHEET}'!$B$2:$B${last}"}


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
    form = catalog_form()
    output = io.BytesIO()
    res_spec, item_spec = form.sheets
    res_cols = res_spec.columns_for(with_context)
    resource_cells, item_cells = cells(res_cols), _item_cells()
    with Workbook(output) as book:
        sheet = book.active = data_sheet(book, res_spec, res_cols)
        items = ItemSheets(book, item_spec)
        for record in records:
            sheet.append([cell(record) for cell in resource_cells])
            name = record["name"]
            for item in record["items"]:
                items.append([name, *[cell(item) for cell in item_cells]])
        written = [(sheet, res_spec, res_cols)]
        written += [(item_sheet, item_spec, item_spec.columns) for item_sheet in items.sheets]
        ranges = resource_names(sheet.rows - 1)
        finish(book, form, written, with_context=with_context, ranges=ranges)
    return output.getvalue()


class ItemSheets:
    """Item rows on 信息项, continuing on 信息项2, 3 … past Excel's row limit."""

    def __init__(self, book: Workbook, spec: SheetSpec) -> None:
        self.book, self.spec = book, spec
        self.sheets: list[Sheet] = []
        self.current = self._new_sheet()

    def _new_sheet(self) -> Sheet:
        title = ITEM_SHEET if not self.sheets else f"{ITEM_SHEET}{len(self.sheets) + 1}"
        self.sheets.append(data_sheet(self.book, self.spec, self.spec.columns, title=title))
        return self.sheets[-1]

    def append(self, values: list[Any]) -> None:
        if self.current.rows >= EXCEL_ROWS:
            self.current = self._new_sheet()
        self.current.append(values)


# --- cell values ----------------------------------------------------------------------------


def resource_values(record: Mapping[str, Any], cols: Iterable[Column]) -> list[Any]:
    """A record as the cells of sheet 信息资源 (labels, 是/否, ``code name`` references)."""
    return [cell(record) for cell in cells(cols)]


def item_values(resource_name: str, item: Mapping[str, Any]) -> list[Any]:
    """An item as the cells of sheet 信息项, behind the name of its resource."""
    return [resource_name, *[cell(item) for cell in _item_cells()]]


@cache
def _item_cells() -> tuple[Cell, ...]:
    return tuple(cells(item_columns()[1:]))


# --- the guide and the lists ----------------------------------------------------------------

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


def lookup_lists() -> dict[str, list[str]]:
    """The dropdowns read from the database: classifications and data elements."""
    elements = DataElement.objects.values_list("identifier", "name")
    return {
        "category": [f"{c} {n}" for c, n in Category.objects.values_list("code", "name")],
        "element": [f"{i} {n}" for i, n in elements],
    }
