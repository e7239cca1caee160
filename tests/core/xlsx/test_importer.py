"""A form read and applied through core.xlsx alone: the template from a column table, every bad
cell named, nothing written unless every row is good, and the error workbook that marks the
bad cells and imports once fixed (here a form of node settings, a core table)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from govshare.core.models import ConfigParam
from govshare.core.xlsx.columns import FILE_ROW, Column, Kind
from govshare.core.xlsx.forms import Form, SheetSpec, data_sheet, finish
from govshare.core.xlsx.importer import ImportResult, apply_all, error_workbook, errors_of
from govshare.core.xlsx.reader import FileError, ParsedRow, parse_rows, read_upload
from govshare.core.xlsx.writer import Workbook

pytestmark = pytest.mark.django_db

COLUMNS = (
    Column("key", "键", required=True, refuses_blank=True, max_length=20),
    Column("value", "值", Kind.INTEGER, required=True, minimum=0, maximum=100),
    Column("shared", "共享", Kind.BOOLEAN),
)
FORM = Form(
    sheets=(SheetSpec("设置", COLUMNS, max_rows=10),),
    guide_title="填表说明",
    guide=lambda with_context: [["列", "说明"], *([c.label, c.guidance] for c in COLUMNS)],
    guide_widths=(12, 40),
    lists_title="代码表",
)


def template() -> bytes:
    output = io.BytesIO()
    with Workbook(output) as book:
        spec = FORM.sheets[0]
        sheet = data_sheet(book, spec, COLUMNS)
        finish(book, FORM, [(sheet, spec, COLUMNS)], with_context=False)
    return output.getvalue()


def filled(rows: list[list[Any]], content: bytes | None = None) -> bytes:
    book = load_workbook(io.BytesIO(content or template()))
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            book["设置"].cell(row=number, column=column, value=value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def import_settings(content: bytes) -> ImportResult:
    """The settings of ``content``, each written as a ConfigParam, all or none."""
    try:
        ((sheet,),) = read_upload(content, FORM)
    except FileError as problem:
        return ImportResult(errors=[problem.error])
    rows = parse_rows(sheet, ParsedRow)

    def write() -> None:
        for row in rows:
            if not row.errors:
                ConfigParam.objects.create(key=row.data["key"], value=row.data["value"])

    errors = apply_all(rows, write)
    if errors:
        return ImportResult(errors=errors, error_workbook=error_workbook(FORM, [sheet], errors))
    return ImportResult()


def test_the_template_has_the_headings_the_guide_and_a_dropdown_for_the_booleans():
    book = load_workbook(io.BytesIO(template()))
    assert book.sheetnames == ["设置", "填表说明", "代码表"]
    assert [c.value for c in book["设置"][1]] == ["键", "值", "共享"]
    rules = {str(r.sqref)[0]: r for r in book["设置"].data_validations.dataValidation}
    assert (rules["B"].type, rules["B"].formula1, rules["B"].formula2) == ("whole", "0", "100")
    assert rules["C"].type == "list" and book["代码表"]["A1"].value == "是"
    assert book["设置"]["A1"].font.color.rgb.endswith("C00000")  # a required column in red


def test_good_rows_are_written_and_a_bad_row_keeps_them_all_out(english):
    # given two good rows and one whose value is past its bound and whose key is blank
    content = filled([["甲", 1, "是"], [None, 101, "否"], ["乙", 2, None]])

    # when it is imported
    result = import_settings(content)

    # then both bad cells of row 3 are named, and nothing is written
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "键", "required"),
        (3, "值", "max_value"),
    ]
    assert not ConfigParam.objects.exists()

    # and the error workbook marks those cells and says why, beside the rows as uploaded
    sheet = load_workbook(io.BytesIO(result.error_workbook))["设置"]
    assert [c.value for c in sheet[1]] == ["键", "值", "共享", "错误"]
    assert sheet["B3"].value == 101 and sheet["B3"].fill.fgColor.rgb.endswith("FFC7CE")
    assert not sheet["B2"].fill.fill_type
    assert sheet["D3"].value.splitlines() == [
        "键：This cell is required.",
        "值：Enter a whole number from 0 to 100.",
    ]

    # and once fixed it imports whole (its 错误 column ignored)
    fixed = load_workbook(io.BytesIO(result.error_workbook))
    fixed["设置"]["A3"], fixed["设置"]["B3"] = "丙", 100
    output = io.BytesIO()
    fixed.save(output)
    assert import_settings(output.getvalue()).is_valid
    assert sorted(ConfigParam.objects.values_list("key", "value")) == [
        ("丙", 100),
        ("乙", 2),
        ("甲", 1),
    ]


def test_a_write_that_fails_rolls_back_the_rows_written_before_it():
    # given rows that read well, the second of which the write refuses
    rows = [ParsedRow("设置", 2, {"key": "甲"}), ParsedRow("设置", 3, {"key": "乙"})]

    def write() -> None:
        ConfigParam.objects.create(key="甲", value=1)
        rows[1].refuse("键", "taken", "duplicate")

    # when applied, then the first write is undone and the error returned
    assert [e.code for e in apply_all(rows, write)] == ["duplicate"]
    assert not ConfigParam.objects.exists() and errors_of(rows)


@pytest.mark.parametrize(
    "content, code",
    [
        (b"not a workbook", "invalid"),
        (b"x" * (11 * 1024 * 1024), "invalid"),  # larger than the form's 10 MB
    ],
)
def test_a_file_that_cannot_be_read_is_one_error_of_the_whole_file(content, code):
    result = import_settings(content)
    assert [(e.row, e.code) for e in result.errors] == [(FILE_ROW, code)]


def test_a_sheet_with_an_unknown_or_a_missing_heading_is_refused_whole():
    book = load_workbook(io.BytesIO(filled([["甲", 1, "是"]])))
    book["设置"]["B1"] = "数值"
    output = io.BytesIO()
    book.save(output)
    (error,) = import_settings(output.getvalue()).errors
    assert error.row == FILE_ROW and "数值" in error.message
