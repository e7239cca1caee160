"""A small streaming writer of Excel workbooks (.xlsx, Office Open XML / ECMA-376 part 1).

The one way the project writes a workbook (DESIGN.md, Stack, "Excel"; issue 12 item 7): the
exports, the import templates, the error workbooks and the reports all go through
``Workbook``; a report that needs native charts takes ``charts.ChartWorkbook``, the same calls
backed by XlsxWriter.

Why our own: the exports write millions of cells (issue 4: the catalog of 100,000 resources
with 500,000 data items in under 60 s), and a general library spends most of that time on
per-cell bookkeeping we do not need. An .xlsx is a zip of XML parts; this module writes only
what the exports and reports use: text, numbers, booleans and dates, column widths and formats,
cell styles, frozen panes, hidden sheets, data validations (dropdowns), merged cells, an
autofilter and the page set-up of a printed report.

How: each row becomes one XML string as it is appended, and goes to the sheet's temporary file
(on disk past a few megabytes), so memory stays flat however many rows are written and rows of
several sheets may be written in turn. ``close`` puts the parts into the zip. Text is written
inline (``t="inlineStr"``), so no shared-string table is kept in memory. Rows are numbered as
Excel shows them (the first row is 1); columns are positions in a row's values (0 is A).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl.utils.cell import get_column_letter

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # the size of one Excel sheet
# zlib level 3: as fast as level 1 on the catalog export and 13 % smaller; level 6 takes half
# as long again to write for 11 % less (bench/catalog_transfer.py data, 20,000 resources).
COMPRESS_LEVEL = 3
SPOOL_BYTES = 4 * 1024 * 1024  # a sheet's rows stay in memory up to this size
FLUSH_ROWS = 1000  # rows joined and encoded at a time
EPOCH = dt.datetime(1899, 12, 30)  # day 0 of Excel's 1900 date system (after its leap bug)
DEFAULT_WIDTH = 8.43  # characters, Excel's default column width for Calibri 11
DATE_FORMAT = "yyyy-mm-dd"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# One search tells whether a text needs more than being pasted in: XML's specials, characters
# XML 1.0 cannot carry, and "_" (a literal "_xHHHH_" needs Excel's escape, see _text). One
# character class is the quickest test; the rare false alarm only takes the slower path.
_UNSAFE = re.compile(r"[&<>_\x00-\x1f\ud800-\udfff\ufffe\uffff]")
_is_unsafe = _UNSAFE.search
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_UNREPRESENTABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
_BUILTIN_FORMATS = {"": 0, "General": 0, "0": 1, "0.00": 2, "@": 49}
_SHEET_TITLE = re.compile(r"[^\[\]:*?/\\]{1,31}")  # Excel's rule for sheet names


@dataclass(frozen=True)
class Style:
    """A cell format. Colours are RGB hex ("DCE6F1"); ``valign`` is "center" or "top",
    ``align`` "left", "center" or "right"; ``font_size`` in points (0: Excel's 11);
    ``num_format`` an Excel number format ("@" text, "0" integer, "yyyy-mm-dd")."""

    bold: bool = False
    font_color: str = ""
    font_size: float = 0
    fill: str = ""
    border: bool = False  # thin, on the four sides
    wrap: bool = False
    valign: str = ""
    align: str = ""
    num_format: str = ""


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: ``repeat_rows`` (first, last, as Excel numbers them) head every
    page; ``fit_width`` shrinks the columns onto one page across."""

    landscape: bool = False
    fit_width: bool = False
    repeat_rows: tuple[int, int] | None = None


@dataclass(frozen=True)
class ColumnFormat:
    """A column's width (in characters) and the style of its cells, typed in or written."""

    width: float | None = None
    style: Style | None = None


@dataclass(frozen=True)
class Validation:
    """An Excel data validation on rows ``first_row``–``last_row`` of one column.

    ``type``: "list" (a dropdown; ``formula1`` a range such as ``'Lists'!$A$1:$A$8``),
    "whole", "decimal", "textLength", …; ``operator`` as in the file format ("" is between
    ``formula1`` and ``formula2``); ``error_style`` "" (stop), "warning" or "information".
    """

    column: int
    first_row: int
    last_row: int
    type: str
    formula1: str
    formula2: str = ""
    operator: str = ""
    error_style: str = ""
    error_title: str = ""
    error: str = ""
    prompt_title: str = ""
    prompt: str = ""


# --- text -----------------------------------------------------------------------------------


def _text(value: str) -> tuple[str, bool]:
    """``value`` escaped for a <t> element, and whether its edge whitespace must be preserved.

    Control characters cannot appear in XML 1.0; Excel writes them as ``_xHHHH_`` and, so that
    such a text typed literally survives, writes its underscore as ``_x005F``. Surrogates and
    U+FFFE/U+FFFF have no XML form at all and are dropped.
    """
    value = _EXCEL_ESCAPE.sub(r"_x005F\g<0>", value)
    value = _CONTROL.sub(lambda match: f"_x{ord(match.group()):04X}_", value)
    value = escape(_UNREPRESENTABLE.sub("", value))
    return value, value[:1].isspace() or value[-1:].isspace()


def _attribute(value: str) -> str:
    """``value`` for a double-quoted attribute; line breaks kept as character references."""
    clean = _CONTROL.sub("", _UNREPRESENTABLE.sub("", value.replace("\r\n", "\n")))
    return escape(clean, {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


def _number(value: float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Excel cannot store the number {value!r}")
    return repr(value) if isinstance(value, float) else str(value)


def serial(value: dt.date) -> str:
    """A date or a naive datetime as Excel's day number (its 1900 system)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise ValueError("Excel has no time zones: convert the datetime to a naive one")
        return _number((value - EPOCH).total_seconds() / 86400)
    return str((value - EPOCH.date()).days)


# --- styles ---------------------------------------------------------------------------------


class Stylesheet:
    """The workbook's styles.xml: each distinct Style becomes one cell format (xf)."""

    def __init__(self) -> None:
        self._xfs: dict[Style, int] = {Style(): 0}

    def index(self, style: Style | None) -> int:
        if style is None:
            return 0
        return self._xfs.setdefault(style, len(self._xfs))

    def xml(self) -> str:
        styles = list(self._xfs)
        formats = _numbering({s.num_format for s in styles} - set(_BUILTIN_FORMATS))
        fonts = _numbering({_font_key(s) for s in styles} - {_font_key(Style())})
        fills = _numbering({s.fill for s in styles} - {""})
        parts = [f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">']
        if formats:
            parts.append(f'<numFmts count="{len(formats)}">')
            parts.extend(
                f'<numFmt numFmtId="{163 + n}" formatCode="{_attribute(code)}"/>'
                for code, n in formats.items()
            )
            parts.append("</numFmts>")
        parts.append(f'<fonts count="{len(fonts) + 1}">{_font(*_font_key(Style()))}')
        parts.extend(_font(*font) for font in fonts)
        parts.append(f'</fonts><fills count="{len(fills) + 2}">')
        parts.append('<fill><patternFill patternType="none"/></fill>')
        parts.append('<fill><patternFill patternType="gray125"/></fill>')  # required second
        parts.extend(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
            for rgb in fills
        )
        parts.append(f'</fills><borders count="2">{_border("")}{_border("thin")}</borders>')
        parts.append(
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        )
        parts.append(f'</cellStyleXfs><cellXfs count="{len(styles)}">')
        parts.extend(_xf(style, formats, fonts, fills) for style in styles)
        parts.append('</cellXfs><cellStyles count="1">')
        parts.append('<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>')
        parts.append("</styleSheet>")
        return "".join(parts)


def _numbering(items: set[Any]) -> dict[Any, int]:
    """Each item → 1, 2, … in a stable order (a style's parts are numbered after the defaults)."""
    return {item: n for n, item in enumerate(sorted(items), start=1)}


def _font_key(style: Style) -> tuple[bool, str, float]:
    return style.bold, style.font_color, style.font_size or 11


def _font(bold: bool, color: str, size: float) -> str:
    weight = "<b/>" if bold else ""
    colour = f'<color rgb="FF{color}"/>' if color else ""
    font = f'<sz val="{size:g}"/>{colour}<name val="Calibri"/><family val="2"/>'
    return f"<font>{weight}{font}</font>"


def _border(line: str) -> str:
    if not line:
        return "<border><left/><right/><top/><bottom/><diagonal/></border>"
    sides = "".join(f'<{side} style="{line}"><color auto="1"/></{side}>' for side in _SIDES)
    return f"<border>{sides}<diagonal/></border>"


_SIDES = ("left", "right", "top", "bottom")


def _xf(
    style: Style,
    formats: dict[str, int],
    fonts: dict[tuple[bool, str, float], int],
    fills: dict[str, int],
) -> str:
    code = style.num_format
    number = _BUILTIN_FORMATS[code] if code in _BUILTIN_FORMATS else 163 + formats[code]
    font = fonts.get(_font_key(style), 0)
    fill = fills[style.fill] + 1 if style.fill else 0
    border = int(style.border)
    attributes = f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
    applied = {"NumberFormat": number, "Font": font, "Fill": fill, "Border": border}
    attributes += "".join(f' apply{name}="1"' for name, used in applied.items() if used)
    if not (style.wrap or style.valign or style.align):
        return f"<xf {attributes}/>"
    alignment = (
        (f' horizontal="{style.align}"' if style.align else "")
        + (f' vertical="{style.valign}"' if style.valign else "")
        + (' wrapText="1"' if style.wrap else "")
    )
    return f'<xf {attributes} applyAlignment="1"><alignment{alignment}/></xf>'


# --- sheets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CellParts:
    """The fixed pieces of a cell's XML in one column with one style, so that writing a cell
    is pasting its row number and value between them."""

    ref: str  # '<c r="B' — the row number follows
    text: str
    preserved_text: str
    number: str
    boolean: str
    date: str
    blank: str = ""  # a cell styled in ``append(styles=...)`` is written even when empty


@dataclass(eq=False)
class Sheet:
    """One worksheet being written; get it from ``Workbook.add_sheet``."""

    title: str
    stylesheet: Stylesheet
    columns: Sequence[ColumnFormat] = ()
    freeze: tuple[int, int] | None = None  # (rows, columns) kept in view
    is_hidden: bool = False
    page: PageSetup | None = None
    rows: int = field(default=0, init=False)  # the number of the last row written
    width: int = field(default=0, init=False)  # the number of columns written
    validations: list[Validation] = field(default_factory=list, init=False)
    merged: list[str] = field(default_factory=list, init=False)  # ranges such as "A1:L1"
    filtered: str = field(default="", init=False)  # the autofilter's heading range
    _cells: list[_CellParts] = field(default_factory=list, init=False)
    _styled: dict[tuple[int, Style], _CellParts] = field(default_factory=dict, init=False)
    _pending: list[str] = field(default_factory=list, init=False)
    _data: Any = field(
        default_factory=lambda: tempfile.SpooledTemporaryFile(SPOOL_BYTES), init=False
    )

    def append(
        self,
        values: Sequence[Any],
        *,
        styles: Sequence[Style | None] | None = None,
        height: float | None = None,
    ) -> int:
        """Write the next row and return its number. None and "" leave a cell empty; other
        values are written as what they are (text is never read as a formula). ``styles``
        overrides the columns' styles cell by cell; a cell it styles is written even when
        empty (an error workbook marks a required cell left blank)."""
        if self.rows >= MAX_ROWS:
            raise ValueError(f"sheet {self.title!r} is full ({MAX_ROWS} rows)")
        self.rows += 1
        number = str(self.rows)
        if len(values) > len(self._cells):
            self._add_columns(len(values))
        cells = self._cells if styles is None else self._cells_styled(styles)
        parts: list[str] = []
        # The loop of every cell of an export: the common cases (plain text, int) first.
        for cell, value in zip(cells, values, strict=False):  # cells: as many or more
            kind = type(value)
            if kind is str:
                if not value:
                    if cell.blank:
                        parts.append(f"{cell.ref}{number}{cell.blank}")
                    continue
                if _is_unsafe(value) is None and value.strip() == value:
                    parts.append(f"{cell.ref}{number}{cell.text}{value}</t></is></c>")
                    continue
            elif value is None:
                if cell.blank:
                    parts.append(f"{cell.ref}{number}{cell.blank}")
                continue
            elif kind is int:
                parts.append(f"{cell.ref}{number}{cell.number}{value}</v></c>")
                continue
            parts.append(_other_cell(cell, number, value))
        if parts or height is not None:
            self.width = max(self.width, len(values))
            size = "" if height is None else f' ht="{height}" customHeight="1"'
            self._pending.append(f'<row r="{number}"{size}>{"".join(parts)}</row>')
            if len(self._pending) >= FLUSH_ROWS:
                self._flush()
        return self.rows

    def validate(self, validation: Validation) -> None:
        self.validations.append(validation)

    def merge(self, row: int, first_column: int, last_column: int, last_row: int = 0) -> None:
        """Merge a block of cells (rows as Excel numbers them, columns from 0) into one that
        shows the value and style of its first cell (a report's title across the table)."""
        self.merged.append(_block(row, first_column, last_row or row, last_column))

    def autofilter(self, row: int, first_column: int, last_column: int) -> None:
        """Give the headings on ``row`` Excel's filter buttons."""
        self.filtered = _block(row, first_column, row, last_column)

    def _add_columns(self, count: int) -> None:
        if count > MAX_COLUMNS:
            raise ValueError(f"a sheet has at most {MAX_COLUMNS} columns")
        for index in range(len(self._cells), count):
            column = self.columns[index] if index < len(self.columns) else ColumnFormat()
            self._cells.append(self._parts(index, column.style))

    def _cells_styled(self, styles: Sequence[Style | None]) -> list[_CellParts]:
        cells = list(self._cells)
        for index, style in enumerate(styles[: len(cells)]):
            if style is not None:
                key = (index, style)
                if key not in self._styled:
                    self._styled[key] = self._parts(index, style, keeps_blank=True)
                cells[index] = self._styled[key]
        return cells

    def _parts(self, index: int, style: Style | None, keeps_blank: bool = False) -> _CellParts:
        xf = self.stylesheet.index(style)
        s = f' s="{xf}"' if xf else ""
        # A date needs a date format, or Excel shows a day number: the column's own if it has
        # one of its making, else yyyy-mm-dd.
        dated = replace(style or Style(), num_format=DATE_FORMAT)
        if style and style.num_format not in _BUILTIN_FORMATS:
            dated = style
        return _CellParts(
            ref=f'<c r="{get_column_letter(index + 1)}',
            text=f'"{s} t="inlineStr"><is><t>',
            preserved_text=f'"{s} t="inlineStr"><is><t xml:space="preserve">',
            number=f'"{s}><v>',
            boolean=f'"{s} t="b"><v>',
            date=f'" s="{self.stylesheet.index(dated)}"><v>',
            blank=f'"{s}/>' if keeps_blank else "",
        )

    def _flush(self) -> None:
        self._data.write("".join(self._pending).encode())
        self._pending.clear()

    # --- the part -----------------------------------------------------------------------

    def head(self, is_active: bool) -> bytes:
        """The XML before the rows: the used range, the view, the columns."""
        last = f"{get_column_letter(max(self.width, 1))}{max(self.rows, 1)}"
        fits = self.page is not None and self.page.fit_width
        parts = [
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if fits else "",
            f'<dimension ref="{"A1" if last == "A1" else "A1:" + last}"/>',
            '<sheetViews><sheetView workbookViewId="0"',
            ' tabSelected="1">' if is_active else ">",
            self._pane(),
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>',
            self._columns_xml(),
            "<sheetData>",
        ]
        return "".join(parts).encode()

    def _pane(self) -> str:
        if not self.freeze or self.freeze == (0, 0):
            return ""
        rows, columns = self.freeze
        pane = {(True, True): "bottomRight", (True, False): "bottomLeft"}.get(
            (rows > 0, columns > 0), "topRight"
        )
        corner = f"{get_column_letter(columns + 1)}{rows + 1}"
        return (
            f'<pane xSplit="{columns}" ySplit="{rows}" topLeftCell="{corner}" '
            f'activePane="{pane}" state="frozen"/><selection pane="{pane}"/>'
        )

    def _columns_xml(self) -> str:
        items = []
        for number, column in enumerate(self.columns, start=1):
            if column.width is None and column.style is None:
                continue
            width = _stored_width(DEFAULT_WIDTH if column.width is None else column.width)
            custom = "" if column.width is None else ' customWidth="1"'
            xf = self.stylesheet.index(column.style)
            style = f' style="{xf}"' if xf else ""
            items.append(f'<col min="{number}" max="{number}" width="{width}"{style}{custom}/>')
        return f"<cols>{''.join(items)}</cols>" if items else ""

    def tail(self) -> bytes:
        """The XML after the rows: the autofilter, the merged cells, the data validations and
        the page set-up (in the order the schema gives them)."""
        parts = ["</sheetData>"]
        if self.filtered:
            parts.append(f'<autoFilter ref="{self.filtered}"/>')
        if self.merged:
            parts.append(f'<mergeCells count="{len(self.merged)}">')
            parts.extend(f'<mergeCell ref="{block}"/>' for block in self.merged)
            parts.append("</mergeCells>")
        if self.validations:
            parts.append(f'<dataValidations count="{len(self.validations)}">')
            parts.extend(_validation_xml(v) for v in self.validations)
            parts.append("</dataValidations>")
        parts.append(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/>'
        )
        parts.append(_page_setup_xml(self.page) + "</worksheet>")
        return "".join(parts).encode()

    def defined_names(self, index: int) -> list[str]:
        """The workbook-level names this sheet needs: its print titles and its filter."""
        names = []
        sheet = "'" + self.title.replace("'", "''") + "'"
        if self.page is not None and self.page.repeat_rows:
            first, last = self.page.repeat_rows
            value = f"{sheet}!${first}:${last}"
            names.append(_defined_name("_xlnm.Print_Titles", index, value))
        if self.filtered:
            start, end = self.filtered.split(":")
            value = f"{sheet}!{_absolute(start)}:{_absolute(end)}"
            names.append(_defined_name("_xlnm._FilterDatabase", index, value, hidden=True))
        return names

    def rows_data(self) -> tuple[IO[bytes], int]:
        """The rows' XML from its start, and its size in bytes (once all rows are written)."""
        self._flush()
        size = int(self._data.tell())
        self._data.seek(0)
        return self._data, size

    def release(self) -> None:
        """Delete the rows' temporary file."""
        self._data.close()


def _other_cell(cell: _CellParts, number: str, value: Any) -> str:
    """A cell off the fast path: text to escape, floats, booleans, dates, anything else."""
    if isinstance(value, bool):
        return f"{cell.ref}{number}{cell.boolean}{int(value)}</v></c>"
    if isinstance(value, int | float):
        return f"{cell.ref}{number}{cell.number}{_number(value)}</v></c>"
    if isinstance(value, dt.date):
        return f"{cell.ref}{number}{cell.date}{serial(value)}</v></c>"
    text, is_spaced = _text(value if isinstance(value, str) else str(value))
    return f"{cell.ref}{number}{cell.preserved_text if is_spaced else cell.text}{text}</t></is></c>"


def _block(first_row: int, first_column: int, last_row: int, last_column: int) -> str:
    first = f"{get_column_letter(first_column + 1)}{first_row}"
    return f"{first}:{get_column_letter(last_column + 1)}{last_row}"


def _absolute(reference: str) -> str:
    """``A3`` → ``$A$3``."""
    letters = reference.rstrip("0123456789")
    return f"${letters}${reference[len(letters) :]}"


def _defined_name(name: str, sheet_index: int, value: str, hidden: bool = False) -> str:
    hide = ' hidden="1"' if hidden else ""
    return (
        f'<definedName name="{name}" localSheetId="{sheet_index}"{hide}>'
        f"{escape(value)}</definedName>"
    )


def _page_setup_xml(page: PageSetup | None) -> str:
    if page is None or not (page.landscape or page.fit_width):
        return ""
    orientation = ' orientation="landscape"' if page.landscape else ""
    fit = ' fitToWidth="1" fitToHeight="0"' if page.fit_width else ""
    return f'<pageSetup paperSize="9"{orientation}{fit}/>'


def _stored_width(characters: float) -> float:
    """A width as the file stores it: Excel adds 5 px of padding to the width in characters,
    counted in 7 px digits of the default font, and keeps 1/256 of a character."""
    return int((characters * 7 + 5) / 7 * 256) / 256


def _validation_xml(rule: Validation) -> str:
    letter = get_column_letter(rule.column + 1)
    attributes = {
        "type": rule.type,
        "errorStyle": rule.error_style,
        "operator": rule.operator,
        "allowBlank": "1",
        "showInputMessage": "1",
        "showErrorMessage": "1",
        "errorTitle": rule.error_title,
        "error": rule.error,
        "promptTitle": rule.prompt_title,
        "prompt": rule.prompt,
        "sqref": f"{letter}{rule.first_row}:{letter}{rule.last_row}",
    }
    text = " ".join(f'{name}="{_attribute(value)}"' for name, value in attributes.items() if value)
    formulas = f"<formula1>{escape(rule.formula1.removeprefix('='))}</formula1>"
    if rule.formula2:
        formulas += f"<formula2>{escape(rule.formula2.removeprefix('='))}</formula2>"
    return f"<dataValidation {text}>{formulas}</dataValidation>"


# --- the workbook ---------------------------------------------------------------------------


def check_sheet_title(title: str, taken: Sequence[str]) -> None:
    """Refuse a sheet name Excel refuses, or one the workbook already has (in any case)."""
    if not _SHEET_TITLE.fullmatch(title) or title.startswith("'") or title.endswith("'"):
        raise ValueError(f"{title!r} is not a valid sheet name")
    if title.casefold() in {other.casefold() for other in taken}:
        raise ValueError(f"the workbook already has a sheet {title!r}")


class Workbook:
    """A workbook written to ``output`` (a binary file) when it is closed.

    ``with Workbook(output) as book:`` closes it at the end of the block, or, if the block
    raises, drops what was written.
    """

    def __init__(self, output: IO[bytes], *, compress_level: int = COMPRESS_LEVEL) -> None:
        self.output, self.compress_level = output, compress_level
        self.sheets: list[Sheet] = []
        self.active: Sheet | None = None
        self.stylesheet = Stylesheet()

    def add_sheet(
        self,
        title: str,
        *,
        columns: Sequence[ColumnFormat] = (),
        freeze: tuple[int, int] | None = None,
        is_hidden: bool = False,
        page: PageSetup | None = None,
    ) -> Sheet:
        check_sheet_title(title, [sheet.title for sheet in self.sheets])
        sheet = Sheet(title, self.stylesheet, columns, freeze, is_hidden, page)
        self.sheets.append(sheet)
        return sheet

    def close(self) -> None:
        """Write the workbook's parts to the output."""
        try:
            with zipfile.ZipFile(
                self.output, "w", zipfile.ZIP_DEFLATED, compresslevel=self.compress_level
            ) as package:
                for name, text in self._small_parts():
                    package.writestr(name, text)
                for number, sheet in enumerate(self.sheets, start=1):
                    self._write_sheet(package, f"xl/worksheets/sheet{number}.xml", sheet)
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop the rows written so far; nothing goes to the output."""
        for sheet in self.sheets:
            sheet.release()

    def __enter__(self) -> Workbook:
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

    def _write_sheet(self, package: zipfile.ZipFile, name: str, sheet: Sheet) -> None:
        head, tail = sheet.head(sheet is self._active()), sheet.tail()
        rows, size = sheet.rows_data()
        # Zip64 records only when a part needs them: some older readers reject them.
        is_large = len(head) + size + len(tail) > zipfile.ZIP64_LIMIT
        with package.open(name, "w", force_zip64=is_large) as part:
            part.write(head)
            shutil.copyfileobj(rows, part, 1024 * 1024)
            part.write(tail)

    def _active(self) -> Sheet:
        visible = [sheet for sheet in self.sheets if not sheet.is_hidden]
        if not visible:
            raise ValueError("a workbook needs a visible sheet")
        if self.active is not None and self.active in visible:
            return self.active
        return visible[0]

    def _small_parts(self) -> list[tuple[str, str]]:
        count = len(self.sheets)
        return [
            ("[Content_Types].xml", _content_types(count)),
            ("_rels/.rels", _relationships([("officeDocument", "xl/workbook.xml")])),
            ("xl/workbook.xml", self._workbook_xml()),
            ("xl/_rels/workbook.xml.rels", _workbook_relationships(count)),
            ("xl/styles.xml", self.stylesheet.xml()),
        ]

    def _workbook_xml(self) -> str:
        active = self.sheets.index(self._active())
        sheets = "".join(
            f'<sheet name="{_attribute(sheet.title)}" sheetId="{n}"'
            + (' state="hidden"' if sheet.is_hidden else "")
            + f' r:id="rId{n}"/>'
            for n, sheet in enumerate(self.sheets, start=1)
        )
        names = [name for n, sheet in enumerate(self.sheets) for name in sheet.defined_names(n)]
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><bookViews>'
            f'<workbookView activeTab="{active}"/></bookViews><sheets>{sheets}</sheets>'
            f"{defined}</workbook>"
        )


def _content_types(sheets: int) -> str:
    """[Content_Types].xml: the media type of every part."""
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = [("workbook.xml", "sheet.main"), ("styles.xml", "styles")]
    parts += [(f"worksheets/sheet{n}.xml", "worksheet") for n in range(1, sheets + 1)]
    overrides = "".join(
        f'<Override PartName="/xl/{name}" ContentType="{office}.{kind}+xml"/>'
        for name, kind in parts
    )
    return (
        f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
    )


def _workbook_relationships(sheets: int) -> str:
    links = [("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, sheets + 1)]
    return _relationships([*links, ("styles", "styles.xml")])


def _relationships(links: list[tuple[str, str]]) -> str:
    """A .rels part: (relationship type, target) numbered rId1, rId2, … in order."""
    items = "".join(
        f'<Relationship Id="rId{n}" Type="{REL_NS}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(links, start=1)
    )
    return f'{XML_HEAD}<Relationships xmlns="{PACKAGE_REL_NS}">{items}</Relationships>'
