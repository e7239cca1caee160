"""The streaming XLSX writer: well-formed parts, values read back as written, styles, frozen
panes, hidden sheets, data validations, and rows of several sheets written in turn."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from govshare.core.xlsx import writer as xlsx

HEADER = xlsx.Style(bold=True, fill="DCE6F1", border=True, wrap=True, valign="center")
TEXT = xlsx.Style(num_format="@")


def written(build, **options) -> bytes:
    """The bytes of a workbook ``build(book)`` fills in."""
    output = io.BytesIO()
    with xlsx.Workbook(output, **options) as book:
        build(book)
    return output.getvalue()


def assert_well_formed(content: bytes) -> list[str]:
    """Every part parses as XML and is declared in [Content_Types].xml; returns the names."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = package.namelist()
        parts = {name: ET.fromstring(package.read(name)) for name in names}
    declared = {
        e.get("PartName") for e in parts["[Content_Types].xml"] if e.tag.endswith("Override")
    }
    assert {f"/{n}" for n in names if not n.endswith(".rels") and n.startswith("xl/")} == declared
    return names


def test_values_read_back_as_they_were_written():
    # given text with XML's specials and edge spaces, numbers, booleans, dates, and blanks
    row = [
        'a & b <c> "d"',
        "  edge  ",
        "line\nbreak\ttab",
        "户籍人口",
        42,
        -1.5,
        True,
        dt.date(2024, 3, 1),
        dt.datetime(2024, 3, 1, 12, 0),
        None,
        "",
        Decimal("1.25"),
        "=SUM(A1:A2)",
    ]

    # when it is written and read back
    content = written(lambda book: book.add_sheet("数据").append(row))
    assert_well_formed(content)
    sheet = load_workbook(io.BytesIO(content))["数据"]
    values = [cell.value for cell in sheet[1]]

    # then each value is what it was (a Decimal as its text, a formula as plain text)
    assert values[:9] == row[:7] + [dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 12, 0)]
    assert values[9:] == [None, None, "1.25", "=SUM(A1:A2)"]
    assert sheet["H1"].number_format == "yyyy-mm-dd" and sheet["M1"].data_type == "s"


def test_characters_xml_cannot_carry_are_escaped_as_excel_does_or_dropped():
    texts = ["ctl\x01", "lit _x0041_", "cr\r\nlf", "bad\ud800\ufffe"]
    content = written(lambda book: [book.add_sheet("s").append(texts)])
    assert_well_formed(content)
    values = [c.value for c in load_workbook(io.BytesIO(content))["s"][1]]
    # openpyxl leaves Excel's _xHHHH_ escapes as they are; Excel shows the characters
    assert values == ["ctl_x0001_", "lit _x005F_x0041_", "cr_x000D_\nlf", "bad"]


def test_columns_styles_frozen_panes_and_the_active_and_hidden_sheets():
    def build(book: xlsx.Workbook) -> None:
        columns = [xlsx.ColumnFormat(12, TEXT), xlsx.ColumnFormat(40), xlsx.ColumnFormat()]
        data = book.add_sheet("资源", columns=columns, freeze=(1, 2))
        data.append(["代码", "名称", "数量"], styles=[HEADER, HEADER, None], height=32)
        data.append(["101001", "户籍", 3])
        book.active = book.add_sheet("说明", freeze=(1, 0))
        book.add_sheet("代码表", is_hidden=True).append(["是"])

    book = load_workbook(io.BytesIO(written(build)))

    data = book["资源"]
    assert data.freeze_panes == "C2" and book["说明"].freeze_panes == "A2"
    assert data["A1"].font.b and data["A1"].fill.fgColor.rgb == "FFDCE6F1"
    assert data["A1"].border.left.style == "thin" and data["A1"].alignment.wrap_text
    assert not data["C1"].font.b and data.row_dimensions[1].height == 32
    assert data["A2"].number_format == "@" and data["C2"].number_format == "General"
    assert round(data.column_dimensions["A"].width) == 13  # 12 characters and the padding
    assert data.column_dimensions["B"].width > 40
    assert book.active.title == "说明" and book["代码表"].sheet_state == "hidden"


def test_a_cell_styled_in_its_row_is_written_even_when_empty():
    # given a row whose empty second cell is styled (a required cell left blank, marked red)
    bad = xlsx.Style(fill="FFC7CE")

    def build(book: xlsx.Workbook) -> None:
        sheet = book.add_sheet("表", columns=[xlsx.ColumnFormat(10, TEXT)] * 3)
        sheet.append(["名称", None, ""], styles=[None, bad, None])
        sheet.append(["名称", None, ""])

    # when it is read back
    content = written(build)
    assert_well_formed(content)
    sheet = load_workbook(io.BytesIO(content))["表"]

    # then the styled blank is there with its fill, and the unstyled blanks are not written
    assert sheet["B1"].value is None and sheet["B1"].fill.fgColor.rgb == "FFFFC7CE"
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        rows = ET.fromstring(package.read("xl/worksheets/sheet1.xml")).iter(
            f"{{{xlsx.MAIN_NS}}}row"
        )
        assert [[c.get("r") for c in row] for row in rows] == [["A1", "B1"], ["A2"]]


def test_data_validations_are_written_with_their_messages():
    def build(book: xlsx.Workbook) -> None:
        sheet = book.add_sheet("表")
        sheet.append(["共享类型", "长度"])
        rule = xlsx.Validation(1, 2, 100, "whole", "0", "10", error="请输入整数。")
        sheet.validate(xlsx.Validation(0, 2, 100, "list", "'代码表'!$A$1:$A$3", prompt="选择"))
        sheet.validate(rule)
        book.add_sheet("代码表", is_hidden=True).append(["无条件共享"])

    content = written(build)
    assert_well_formed(content)
    rules = load_workbook(io.BytesIO(content))["表"].data_validations.dataValidation

    assert [(str(r.sqref), r.type, r.formula1, r.formula2) for r in rules] == [
        ("A2:A100", "list", "'代码表'!$A$1:$A$3", None),
        ("B2:B100", "whole", "0", "10"),
    ]
    assert rules[0].prompt == "选择" and rules[1].error == "请输入整数。"


def test_rows_of_several_sheets_may_be_written_in_turn_past_the_memory_spool(monkeypatch):
    # given rows spilled to disk after a few hundred bytes
    monkeypatch.setattr(xlsx, "SPOOL_BYTES", 300)
    monkeypatch.setattr(xlsx, "FLUSH_ROWS", 7)

    def build(book: xlsx.Workbook) -> None:
        first, second = book.add_sheet("一"), book.add_sheet("二")
        for n in range(1, 501):
            first.append([f"资源{n}", n])
            second.append([f"信息项{n}"])
            second.append([])  # a row left empty

    # when both sheets are read back
    book = load_workbook(io.BytesIO(written(build)), read_only=True)

    # then each holds its own rows, in order
    assert list(book["一"].iter_rows(values_only=True))[-1] == ("资源500", 500)
    second = [row[0] for row in book["二"].iter_rows(values_only=True)]
    assert second[::2] == [f"信息项{n}" for n in range(1, 501)] and set(second[1::2]) == {None}
    book.close()


def test_an_empty_workbook_is_still_a_workbook():
    content = written(lambda book: book.add_sheet("空"))
    assert assert_well_formed(content)
    assert load_workbook(io.BytesIO(content)).sheetnames == ["空"]


def test_nothing_is_written_when_the_block_raises():
    output = io.BytesIO()
    with pytest.raises(RuntimeError), xlsx.Workbook(output) as book:
        book.add_sheet("表").append(["x"])
        raise RuntimeError
    assert output.getvalue() == b""


@pytest.mark.parametrize("title", ["", "a" * 32, "a/b", "[x]", "'quoted'"])
def test_a_sheet_name_excel_refuses_is_refused(title):
    with pytest.raises(ValueError):
        xlsx.Workbook(io.BytesIO()).add_sheet(title)


def test_values_excel_cannot_hold_are_refused():
    book = xlsx.Workbook(io.BytesIO())
    sheet = book.add_sheet("表")
    with pytest.raises(ValueError):
        book.add_sheet("表")
    with pytest.raises(ValueError):
        sheet.append([float("nan")])
    with pytest.raises(ValueError):
        sheet.append([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)])
    sheet.rows = xlsx.MAX_ROWS
    with pytest.raises(ValueError):
        sheet.append(["one row too many"])
    book.discard()


def test_a_report_merges_cells_filters_its_headings_and_prints_landscape_on_one_page_across():
    # given a report: a merged title in large type, centred; headings with filter buttons,
    # printed on every page; amounts aligned right
    title = xlsx.Style(bold=True, font_size=16, align="center")
    amount = xlsx.Style(align="right", num_format="0.00")
    page = xlsx.PageSetup(landscape=True, fit_width=True, repeat_rows=(2, 2))

    def build(book: xlsx.Workbook) -> None:
        sheet = book.add_sheet("进展'表", page=page, freeze=(2, 0))
        row = sheet.append(["统计表"], styles=[title], height=28)
        sheet.merge(row, 0, 2)
        sheet.append(["单位", "任务", "金额"])
        sheet.autofilter(2, 0, 2)
        sheet.append(["公安局", "1.1", 12.5], styles=[None, None, amount])

    # when it is read back
    content = written(build)
    assert_well_formed(content)
    book = load_workbook(io.BytesIO(content))
    sheet = book["进展'表"]

    # then each part is there as Excel reads it
    assert [str(block) for block in sheet.merged_cells.ranges] == ["A1:C1"]
    assert sheet["A1"].font.sz == 16 and sheet["A1"].alignment.horizontal == "center"
    assert sheet["C3"].alignment.horizontal == "right" and sheet["C3"].number_format == "0.00"
    assert sheet.auto_filter.ref == "A2:C2" and sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.freeze_panes == "A3"
