"""The chart workbook takes the writer's calls: the same build gives the same workbook through
either, and the chart workbook adds native charts (DESIGN.md, Stack, "Excel": one way for
callers, not two)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from govshare.core.xlsx.charts import Chart, ChartWorkbook
from govshare.core.xlsx.writer import ColumnFormat, PageSetup, Style, Validation, Workbook

HEADER = Style(bold=True, fill="DCE6F1", border=True, wrap=True, valign="center")
TITLE = Style(bold=True, font_size=16, align="center")
MONEY = Style(num_format="0.00", align="right")
BAD = Style(fill="FFC7CE", font_color="9C0006")


def build(book: Any) -> None:
    """A report through the calls both workbooks take."""
    columns = [ColumnFormat(12, Style(num_format="@")), ColumnFormat(20), ColumnFormat(14, MONEY)]
    page = PageSetup(landscape=True, fit_width=True, repeat_rows=(2, 2))
    sheet = book.add_sheet("数据", columns=columns, freeze=(2, 1), page=page)
    row = sheet.append(["统计表"], styles=[TITLE], height=28)
    sheet.merge(row, 0, 2)
    sheet.append(["单位", "日期", "金额"], styles=[HEADER] * 3, height=32)
    sheet.autofilter(2, 0, 2)
    sheet.append(["公安局", dt.date(2026, 10, 1), 12.5])
    sheet.append(["人社局", dt.datetime(2026, 10, 2, 8, 30), 7])
    sheet.append(["=1+1", None, True], styles=[None, BAD, None])
    sheet.validate(Validation(0, 3, 50, "list", "'代码表'!$A$1:$A$2", error="请选择。"))
    sheet.validate(Validation(2, 3, 50, "decimal", "0", "100"))
    sheet.validate(Validation(1, 3, 50, "date", "25569", "73050", prompt="日期"))
    book.add_sheet("代码表", is_hidden=True).append(["公安局"])
    book.active = book.add_sheet("说明")


def written(book_type: type, extra: Any = None) -> bytes:
    output = io.BytesIO()
    with book_type(output) as book:
        build(book)
        if extra:
            extra(book)
    return output.getvalue()


def described(content: bytes) -> dict[str, Any]:
    """What a reader sees of the workbook: sheets, cells and their formats, and the rest."""
    book = load_workbook(io.BytesIO(content))
    sheet = book["数据"]
    cells = {
        cell.coordinate: (
            cell.value,
            cell.number_format,
            bool(cell.font.b),
            cell.font.sz,
            cell.fill.fgColor.rgb if cell.fill.fill_type else None,
            cell.alignment.horizontal,
            bool(cell.alignment.wrap_text),
            cell.border.left.style,
        )
        for row in sheet.iter_rows()
        for cell in row
    }
    rules = [
        (str(v.sqref), v.type, v.formula1, v.formula2, v.error, v.prompt)
        for v in sheet.data_validations.dataValidation
    ]
    return {
        "sheets": [(s.title, s.sheet_state) for s in book.worksheets],
        "active": book.active.title,
        "cells": cells,
        "merged": [str(block) for block in sheet.merged_cells.ranges],
        "frozen": sheet.freeze_panes,
        "filter": sheet.auto_filter.ref,
        "titles": sheet.print_title_rows,
        "page": (
            sheet.page_setup.orientation,
            sheet.page_setup.fitToWidth or 1,  # 1 is the file format's default
            sheet.page_setup.fitToHeight,
            sheet.sheet_properties.pageSetUpPr.fitToPage,
        ),
        # XlsxWriter keeps a height to the pixel (0.75 pt)
        "heights": [round(sheet.row_dimensions[n].height) for n in (1, 2)],
        "widths": [round(sheet.column_dimensions[c].width, 2) for c in "ABC"],
        "rules": sorted(rules),
    }


def test_the_same_calls_give_the_same_workbook_through_either_writer():
    streamed, charted = described(written(Workbook)), described(written(ChartWorkbook))

    for key in streamed:
        assert streamed[key] == charted[key], key
    assert streamed["cells"]["A5"][0] == "=1+1"  # text, never a formula
    assert streamed["cells"]["B3"][:2] == (dt.datetime(2026, 10, 1), "yyyy-mm-dd")


def test_the_chart_workbook_adds_a_native_chart_of_a_block_of_its_sheet():
    # given the report with a column chart of the amounts by unit
    chart = Chart("column", "金额", heading_row=2, first_row=3, last_row=4,
                  categories_column=0, value_columns=(2,), y_title="万元")  # fmt: skip

    # when it is written
    content = written(ChartWorkbook, lambda book: book.sheets[0].add_chart(chart))

    # then the file holds a chart drawn from the sheet's cells
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        xml = package.read("xl/charts/chart1.xml").decode()
    assert "<c:barChart>" in xml and "数据!$A$3:$A$4" in xml and "数据!$C$3:$C$4" in xml
    assert "数据!$C$2" in xml and "<c:v>12.5</c:v>" in xml  # named by its heading, with values
    assert load_workbook(io.BytesIO(content))["数据"]["A3"].value == "公安局"


def test_the_chart_workbook_refuses_what_the_writer_refuses():
    book = ChartWorkbook(io.BytesIO())
    book.add_sheet("表")
    with pytest.raises(ValueError):
        book.add_sheet("表")
    with pytest.raises(ValueError):
        book.add_sheet("a/b")
