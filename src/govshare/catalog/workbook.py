"""The catalog workbook (信息资源目录编制表): the Excel template, its import and the export.

Sheet 信息资源 holds one resource per row in the order of the 编制指南's core metadata
(standards.md §1.2); sheet 信息项 one data item per row, keyed by the resource's name; 填表说明
says what each column takes; a hidden 代码表 sheet holds the dropdown lists. Enumerations are
written and read as the guide's Chinese labels (``exports.GUIDE_LABELS``), booleans as 是/否.
Template, export and import share the column lists, so an export re-imports cleanly.

Issue 4 §7: the import checks every row of both sheets and applies all or nothing. What only the
file can tell (an unknown label, classification code or data element, an item of a resource
not on sheet 1) is found while reading; the catalog rules are the services' own: every resource
goes through ``resource_create`` / ``version_update`` inside one transaction, their field errors
(``share_condition``, ``items.2.share_type``) are mapped back to cells, and the transaction is
rolled back if anything is wrong. A failed import comes back as an error workbook: the uploaded
sheets with an 错误 column and the bad cells highlighted.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from xlsxwriter.utility import xl_col_to_name

from govshare.catalog.choices import EDITABLE_VERSIONS, ResourceStatus
from govshare.catalog.exports import GUIDE_LABELS, NO, YES, guide_label, resource_records
from govshare.catalog.models import Category, DataElement, DataItem, Resource, ResourceVersion
from govshare.catalog.services import (
    ITEM_FIELDS,
    resource_create,
    resource_start_change,
    version_update,
)
from govshare.core import audit
from govshare.core.errors import ErrorCode, field_error
from govshare.core.permissions import require
from govshare.inventory.workbook import INT_MAX, UNREADABLE, normalize
from govshare.orgs.models import Department

RESOURCE_SHEET, ITEM_SHEET, GUIDE_SHEET, LISTS_SHEET = "信息资源", "信息项", "填表说明", "代码表"
ERROR_HEADING = "错误"
# Bounds on what one upload may make the server read.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_RESOURCES = 10_000
MAX_ITEMS = 200_000
MAX_SHEET_ROWS = MAX_ITEMS + 50_000  # rows scanned, empty ones included
EXCEL_ROWS = 1_048_576  # rows of one sheet; more items continue on 信息项2, 信息项3, …
# Rows below the data that still carry the dropdowns, for departments to fill in.
BLANK_RESOURCE_ROWS, BLANK_ITEM_ROWS = 1000, 5000
FILE_ROW = 0  # the row of an error about the whole file, not one cell


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    CATEGORY = "category"  # a classification code (分类代码)
    ELEMENT = "element"  # a data element identifier (数据元标识符)
    RESOURCE = "resource"  # the name of a resource on sheet 1 (信息项 → 信息资源)


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    kind: Kind
    guidance: str = ""
    required: bool = False
    max_length: int | None = None
    is_context: bool = False  # export-only, not imported

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        return tuple(GUIDE_LABELS.get(self.field, {}).items())


@dataclass(frozen=True)
class CellError:
    """A bad cell (or row, when ``column`` is empty) as Excel numbers it, with the rule."""

    sheet: str
    row: int
    column: str
    message: str
    code: str


@dataclass
class ImportResult:
    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    changed: int = 0  # published resources whose change (new version) the import edited
    unchanged: int = 0
    error_workbook: bytes | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


# --- columns --------------------------------------------------------------------------------

# (field, heading, kind, guidance): the guide's core metadata in its order (standards.md §1.2).
RESOURCE_SPEC: tuple[tuple[str, str, Kind, str], ...] = (
    ("category", "分类代码", Kind.CATEGORY, "资源属性分类（类/项/目/细目），从下拉列表选择。"),
    ("name", "信息资源名称", Kind.TEXT, "资源的名称，不是信息系统的名称；在本部门内唯一。"),
    ("summary", "摘要", Kind.TEXT, "资源的内容、用途和范围。"),
    ("format_class", "格式分类", Kind.CHOICE, "资源的存储格式。"),
    ("format_type", "格式类型", Kind.TEXT, "如 xlsx、Oracle、pdf；格式分类为“其他”时必填。"),
    ("share_type", "共享类型", Kind.CHOICE, "基础信息资源不得为不予共享。"),
    ("share_condition", "共享条件", Kind.TEXT, "有条件共享时必填：共享的条件和范围。"),
    ("share_basis", "不予共享依据", Kind.TEXT, "不予共享时必填：法律、行政法规或政策依据。"),
    ("share_mode_class", "共享方式分类", Kind.CHOICE, "通过共享平台共享时须填共享方式类型。"),
    ("share_mode_type", "共享方式类型", Kind.CHOICE, "库表、接口或文件，须与格式分类相符。"),
    ("is_open", "是否向社会开放", Kind.BOOLEAN, "向社会开放时须填开放条件。"),
    ("open_condition", "开放条件", Kind.TEXT, "向社会开放时必填。"),
    ("update_cycle", "更新周期", Kind.CHOICE, "资源数据更新的频度。"),
    ("keywords", "关键字", Kind.TEXT, "多个关键字用空格或顿号分隔。"),
    ("related_codes", "关联资源代码", Kind.TEXT, "相关资源的代码，多个用空格分隔。"),
    ("is_key_supervision", "重点监管", Kind.BOOLEAN, "是否列入重点监管数据目录清单。"),
    ("is_government_service", "政务服务", Kind.BOOLEAN, "是否列入政务服务数据目录清单。"),
)
CONTEXT_SPEC: tuple[tuple[str, str], ...] = (
    ("code", "信息资源代码"),
    ("provider", "信息资源提供方"),
    ("status", "状态"),
    ("version", "版本"),
    ("publish_date", "发布日期"),
)
ITEM_SPEC: tuple[tuple[str, str, Kind, str], ...] = (
    ("resource", "资源名称", Kind.RESOURCE, "信息资源表中资源的名称。"),
    ("name", "信息项名称", Kind.TEXT, "数据项的中文名称。"),
    ("identifier", "标识符", Kind.TEXT, "英文字母开头，由字母、数字和下划线组成。"),
    ("data_type", "数据类型", Kind.CHOICE, "编制指南的数据类型代码。"),
    ("length", "长度", Kind.INTEGER, "数据长度（字节）。"),
    ("description", "说明", Kind.TEXT, "信息项的含义和取值说明。"),
    ("share_type", "共享类型", Kind.CHOICE, "可比所属资源更严格，不得更宽松。"),
    ("is_open", "是否开放", Kind.BOOLEAN, "所属资源向社会开放时才可开放。"),
    ("grade", "分级", Kind.CHOICE, "核心级信息项不得无条件共享或开放。"),
    ("is_personal", "个人信息", Kind.BOOLEAN, "是否为个人信息。"),
    ("masking", "脱敏策略", Kind.CHOICE, "共享时默认的脱敏方式。"),
    ("element", "数据元标识符", Kind.ELEMENT, "关联的标准数据元，从下拉列表选择。"),
)


@cache
def resource_columns(with_context: bool = False) -> tuple[Column, ...]:
    """The columns of sheet 信息资源; the export adds the grey context columns."""
    columns = tuple(_column(ResourceVersion, *spec) for spec in RESOURCE_SPEC)
    if with_context:
        columns += tuple(
            Column(name, label, Kind.TEXT, is_context=True) for name, label in CONTEXT_SPEC
        )
    return columns


@cache
def item_columns() -> tuple[Column, ...]:
    """The columns of sheet 信息项."""
    name_field = ResourceVersion._meta.get_field("name")
    assert isinstance(name_field, models.CharField)
    first = Column(
        "resource", ITEM_SPEC[0][1], Kind.RESOURCE, ITEM_SPEC[0][3], True, name_field.max_length
    )
    return (first, *(_column(DataItem, *spec) for spec in ITEM_SPEC[1:]))


def _column(model: type[models.Model], name: str, label: str, kind: Kind, guidance: str) -> Column:
    model_field = model._meta.get_field(name)
    required = not (model_field.blank or model_field.has_default())  # type: ignore[union-attr]
    max_length = getattr(model_field, "max_length", None) if kind == Kind.TEXT else None
    return Column(name, label, kind, guidance, required, max_length)


@cache
def choice_lookup(name: str) -> Mapping[str, str]:
    """Normalized guide label, English label or code → code, for reading a cell back."""
    model_field = {**_fields(ResourceVersion), **_fields(DataItem)}[name]
    with translation.override("en"):
        english = {code: str(text) for code, text in model_field.flatchoices}
    lookup = {normalize(text): code for code, text in english.items()}
    lookup.update({normalize(code): code for code in english})
    for code, label in GUIDE_LABELS[name].items():
        lookup[normalize(label)] = code
        lookup[normalize(label.removesuffix(code))] = code  # 字符型C → also 字符型
    return lookup


def _fields(model: type[models.Model]) -> dict[str, Any]:
    return {f.name: f for f in model._meta.get_fields() if getattr(f, "choices", None)}


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


# --- reading --------------------------------------------------------------------------------


class FileError(Exception):
    """The upload as a whole cannot be read as a catalog workbook."""

    def __init__(self, message: str, code: str, sheet: str = "") -> None:
        super().__init__(message)
        self.error = CellError(sheet, FILE_ROW, "", message, code)


@dataclass
class Sheet:
    """An uploaded sheet: title, heading row, non-empty rows, and sheet column → column."""

    title: str
    header: tuple[Any, ...]
    rows: list[tuple[int, tuple[Any, ...]]]
    mapping: dict[int, Column]


@dataclass
class Upload:
    resources: Sheet
    items: list[Sheet]

    @property
    def sheets(self) -> list[Sheet]:
        return [self.resources, *self.items]


@dataclass
class ItemRow:
    sheet: str
    number: int
    resource_name: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ResourceRow:
    sheet: str
    number: int
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    is_duplicate: bool = False


Row = ResourceRow | ItemRow


def read_upload(content: bytes) -> Upload:
    """The resource sheet and the item sheet(s) of an uploaded workbook."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise FileError(_("The file is larger than 20 MB."), ErrorCode.INVALID)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return _read_book(book)
        finally:
            book.close()
    except UNREADABLE:
        raise FileError(
            _("The file is not an Excel workbook (.xlsx)."), ErrorCode.INVALID
        ) from None


def _read_book(book: Any) -> Upload:
    by_title = {normalize(sheet.title): sheet for sheet in book.worksheets}
    first = by_title.get(normalize(RESOURCE_SHEET)) or book.worksheets[0]
    prefix = normalize(ITEM_SHEET)
    others = [
        s for s in book.worksheets if s is not first and normalize(s.title).startswith(prefix)
    ]
    resources = _read_sheet(first, resource_columns(with_context=True), MAX_RESOURCES)
    if not resources.rows:
        raise FileError(_("The workbook holds no resources."), ErrorCode.REQUIRED, first.title)
    items = [_read_sheet(sheet, item_columns(), MAX_ITEMS) for sheet in others]
    if sum(len(sheet.rows) for sheet in items) > MAX_ITEMS:
        raise FileError(_too_many(MAX_ITEMS), ErrorCode.INVALID, ITEM_SHEET)
    return Upload(resources, items)


def _too_many(limit: int) -> str:
    return _("The sheet holds more than %(max)s rows.") % {"max": limit}


def _read_sheet(sheet: Any, cols: tuple[Column, ...], limit: int) -> Sheet:
    cells = sheet.iter_rows(values_only=True)
    header = tuple(next(cells, ()))
    mapping = _map_header(header, cols, sheet.title)
    rows = list(_non_empty(cells, limit, sheet.title))
    return Sheet(sheet.title, header, rows, mapping)


def _non_empty(
    cells: Iterator[tuple[Any, ...]], limit: int, title: str
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    count = 0
    for number, values in enumerate(cells, start=2):
        if number > MAX_SHEET_ROWS:  # a sheet of endless empty rows is not read to its end
            raise FileError(_too_many(MAX_SHEET_ROWS), ErrorCode.INVALID, title)
        if any(value is not None and str(value).strip() for value in values):
            count += 1
            if count > limit:
                raise FileError(_too_many(limit), ErrorCode.INVALID, title)
            yield number, values


def _map_header(header: tuple[Any, ...], cols: tuple[Column, ...], title: str) -> dict[int, Column]:
    """Sheet column → column, by heading (its label or field name); all must be there."""
    by_text = {normalize(text): c for c in cols for text in (c.label, c.field)}
    mapping: dict[int, Column] = {}
    for index, heading in enumerate(header):
        text = normalize(heading) if heading is not None else ""
        if not text or text == normalize(ERROR_HEADING):
            continue  # the 错误 column of an error workbook sent back fixed
        if text not in by_text:
            message = _("Unknown column heading “%(heading)s”.") % {"heading": heading}
            raise FileError(message, ErrorCode.INVALID, title)
        mapping[index] = by_text[text]
    missing = [c.label for c in cols if not c.is_context and c not in mapping.values()]
    if missing:
        message = _("Columns missing from the sheet: %(columns)s.") % {
            "columns": "、".join(missing)
        }
        raise FileError(message, ErrorCode.REQUIRED, title)
    return mapping


class Parser:
    """Cells to service data, with the lookups of one import (classifications, elements)."""

    def __init__(self, provider: Department) -> None:
        self.provider = provider
        self.categories = {c.code: c for c in Category.objects.all()}
        self.elements = {e.identifier.upper(): e for e in DataElement.objects.all()}

    def resource_row(self, sheet: Sheet, number: int, values: tuple[Any, ...]) -> ResourceRow:
        row = ResourceRow(sheet.title, number)
        for index, column in sheet.mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed = self.cell(ResourceVersion, column, value)
            except ValidationError as error:
                row.errors.append(_cell_error(row, column, error))
                continue
            if column.field == "provider":
                self._check_provider(row, column, parsed)
            elif not column.is_context:
                row.data[column.field] = parsed
        return row

    def item_row(self, sheet: Sheet, number: int, values: tuple[Any, ...]) -> ItemRow:
        row = ItemRow(sheet.title, number)
        for index, column in sheet.mapping.items():
            value = values[index] if index < len(values) else None
            try:
                parsed = self.cell(DataItem, column, value)
            except ValidationError as error:
                row.errors.append(_cell_error(row, column, error))
                continue
            if column.kind == Kind.RESOURCE:
                row.resource_name = parsed
            else:
                row.data[column.field] = parsed
        return row

    def cell(self, model: type[models.Model], column: Column, value: Any) -> Any:
        """A cell's value as the service takes it; ValidationError naming the rule if bad."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return self._blank(model, column)
        if column.kind == Kind.CHOICE:
            return _parse_choice(column, value)
        if column.kind == Kind.BOOLEAN:
            return _parse_boolean(value)
        if column.kind == Kind.INTEGER:
            return _parse_integer(value)
        if column.kind == Kind.CATEGORY:
            return self._category(value)
        if column.kind == Kind.ELEMENT:
            return self._element(value)
        return _parse_text(value)

    def _blank(self, model: type[models.Model], column: Column) -> Any:
        if column.kind == Kind.RESOURCE:
            raise ValidationError(_("This field is required."), code=ErrorCode.REQUIRED)
        if column.is_context:
            return ""
        model_field = model._meta.get_field(column.field)
        assert isinstance(model_field, models.Field)
        if model_field.has_default():
            return model_field.get_default()
        return None if model_field.null else ""

    def _category(self, value: Any) -> Category:
        code = _leading_code(value)
        category = self.categories.get(code)
        if category is None:
            message = _("No classification has the code %(code)s.") % {"code": code}
            raise ValidationError(message, code="unknown_category")
        return category

    def _element(self, value: Any) -> DataElement:
        identifier = _leading_code(value)
        element = self.elements.get(identifier.upper())
        if element is None:
            message = _("No data element has the identifier %(identifier)s.") % {
                "identifier": identifier
            }
            raise ValidationError(message, code="unknown_element")
        return element

    def _check_provider(self, row: ResourceRow, column: Column, name: str) -> None:
        # An exported row of another department is not silently taken over by this one.
        if name and name not in (self.provider.name, self.provider.short_name):
            message = _("This row belongs to %(other)s, not %(department)s.") % {
                "other": name,
                "department": self.provider.name,
            }
            row.errors.append(
                CellError(row.sheet, row.number, column.label, message, "other_department")
            )


def _cell_error(row: Row, column: Column, error: ValidationError) -> CellError:
    return CellError(row.sheet, row.number, column.label, error.messages[0], error.code or "")


def _leading_code(value: Any) -> str:
    """``101001 户籍人口`` → ``101001``: a dropdown entry is the code and the name."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a classification code typed as a number
    return str(value).strip().split()[0]


def _parse_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).strip()


def _parse_choice(column: Column, value: Any) -> str:
    code = choice_lookup(column.field).get(normalize(value))
    if code is None:
        labels = "、".join(label for _code, label in column.choices)
        message = _("“%(value)s” is not one of: %(values)s.") % {"value": value, "values": labels}
        raise ValidationError(message, code="invalid_choice")
    return code


def _parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalize(value)
    if text in {YES, "yes", "true", "1", "y"}:
        return True
    if text in {NO, "no", "false", "0", "n"}:
        return False
    raise ValidationError(_("Enter %(yes)s or %(no)s.") % {"yes": YES, "no": NO}, code="invalid")


def _parse_integer(value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 0 <= number <= INT_MAX:
        message = _("Enter a whole number from %(min)s to %(max)s.") % {"min": 0, "max": INT_MAX}
        raise ValidationError(message, code="invalid")
    return number


def link_items(resources: list[ResourceRow], items: list[ItemRow]) -> None:
    """Give each resource row its item rows; flag duplicate names and items of no resource."""
    by_name: dict[str, ResourceRow] = {}
    name_label, resource_label = resource_columns()[1].label, item_columns()[0].label
    for row in resources:
        name = row.data.get("name", "")
        if name in by_name:
            message = _("The name is also used on row %(row)s.") % {"row": by_name[name].number}
            row.errors.append(CellError(row.sheet, row.number, name_label, message, "duplicate"))
            row.is_duplicate = True
        elif name:
            by_name[name] = row
    for item in items:
        owner = by_name.get(item.resource_name)
        if owner is not None:
            owner.items.append(item)
        elif item.resource_name:
            message = _("No resource named “%(name)s” on sheet %(sheet)s.") % {
                "name": item.resource_name,
                "sheet": RESOURCE_SHEET,
            }
            item.errors.append(
                CellError(item.sheet, item.number, resource_label, message, "unknown_resource")
            )


# --- the import: all or nothing -------------------------------------------------------------


class RolledBack(Exception):
    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(errors)
        self.errors = errors


def catalog_import(*, actor: Any, provider: Department, content: bytes) -> ImportResult:
    """Draft, update or change ``provider``'s resources from a catalog workbook, all or nothing."""
    require(actor, "add", Resource(provider=provider))
    try:
        upload = read_upload(content)
    except FileError as problem:
        return ImportResult(errors=[problem.error])
    parser = Parser(provider)
    sheet = upload.resources
    resources = [parser.resource_row(sheet, number, values) for number, values in sheet.rows]
    items = [parser.item_row(s, number, values) for s in upload.items for number, values in s.rows]
    link_items(resources, items)
    result = ImportResult()
    try:
        with transaction.atomic():
            _write_all(actor, provider, resources, result)
            errors = [e for row in resources for e in row.errors] + [
                e for i in items for e in i.errors
            ]
            if errors:
                raise RolledBack(errors)
            _record_import(actor, provider, len(resources), len(items), result)
    except RolledBack as rolled:
        return ImportResult(
            errors=rolled.errors, error_workbook=error_workbook(upload, rolled.errors)
        )
    return result


def _write_all(
    actor: Any, provider: Department, rows: list[ResourceRow], result: ImportResult
) -> None:
    existing = Resource.objects.filter(provider=provider).select_related(
        "current_version", "working_version"
    )
    by_name = {resource.name: resource for resource in existing}
    for row in rows:
        if row.is_duplicate:
            continue
        target = by_name.get(row.data.get("name", ""))
        items = [item.data for item in row.items]
        try:
            outcome = _write_resource(actor, provider, target, row.data, items)
        except ValidationError as error:
            place_errors(row, error)
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)


def _write_resource(
    actor: Any,
    provider: Department,
    target: Resource | None,
    data: dict[str, Any],
    items: list[dict[str, Any]],
) -> str:
    """Write one resource through the services; which of the result's counters it adds to."""
    if target is None:
        resource_create(actor=actor, provider=provider, data=data, items=items)
        return "created"
    _check_writable(target)
    working = target.working_version
    if is_unchanged(working or target.current_version, data, items):
        return "unchanged"
    if working is None:
        working = resource_start_change(actor=actor, resource=target, note=_import_note())
    systems = list(working.source_systems.all())  # the workbook has no column for them: keep
    version_update(actor=actor, resource=target, data=data, items=items, source_systems=systems)
    return "updated" if target.current_version_id is None else "changed"


def _check_writable(target: Resource) -> None:
    if target.status == ResourceStatus.WITHDRAWN:
        raise field_error(
            "status", _("The resource is withdrawn and cannot be changed."), ErrorCode.CONFLICT
        )
    working = target.working_version
    if working is not None and working.status not in EDITABLE_VERSIONS:
        raise field_error(
            "status",
            _("The resource is under review; it can be changed once the review is done."),
            ErrorCode.CONFLICT,
        )


def is_unchanged(
    version: ResourceVersion | None, data: Mapping[str, Any], items: list[dict[str, Any]]
) -> bool:
    """Whether ``data`` and ``items`` say what ``version`` already says (no new version)."""
    if version is None or any(_differs(version, k, v) for k, v in data.items()):
        return False
    current = list(version.items.all())
    if len(current) != len(items):
        return False
    return not any(
        _differs(item, name, new.get(name, _item_default(name)))
        for item, new in zip(current, items, strict=True)
        for name in ITEM_FIELDS
    )


def _differs(obj: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model) or name in ("category", "element"):
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _item_default(name: str) -> Any:
    model_field = DataItem._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    return model_field.get_default() if model_field.has_default() else None


def _import_note() -> str:
    return _("Catalog workbook import")


def _record_import(
    actor: Any, provider: Department, resources: int, items: int, result: ImportResult
) -> None:
    audit.record(
        actor=actor,
        action="catalog.workbook.import",
        object_type="catalog.resource",
        object_repr=_import_note(),
        department_id=provider.pk,
        after={
            "resources": resources,
            "items": items,
            "created": result.created,
            "updated": result.updated,
            "changed": result.changed,
            "unchanged": result.unchanged,
        },
    )


def place_errors(row: ResourceRow, error: ValidationError) -> None:
    """Put a service's field errors on their cells: ``share_condition`` on the resource's row,
    ``items.2.share_type`` on the row of its second item; other keys on the row as a whole."""
    fields = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
    for key, problems in fields.items():
        target, label = _cell_of(row, key)
        if label and any(e.column == label for e in target.errors):
            continue  # the cell is already reported as unreadable
        for problem in problems:
            for message in problem.messages:
                code = problem.code or ErrorCode.INVALID
                target.errors.append(CellError(target.sheet, target.number, label, message, code))


def _cell_of(row: ResourceRow, key: str) -> tuple[Row, str]:
    labels = {c.field: c.label for c in resource_columns()}
    parts = key.split(".")
    if parts[0] != "items" or len(parts) < 2 or not parts[1].isdigit():
        return row, labels.get(key, "")
    position = int(parts[1])
    if not 1 <= position <= len(row.items):
        return row, ""
    item_labels = {c.field: c.label for c in item_columns()}
    return row.items[position - 1], item_labels.get(parts[2], "") if len(parts) > 2 else ""


# --- the error workbook ---------------------------------------------------------------------


def error_workbook(upload: Upload, errors: list[CellError]) -> bytes:
    """The uploaded sheets as they were, bad cells highlighted, and an 错误 column per row."""
    marks: dict[tuple[str, int], tuple[list[str], set[str]]] = {}
    for error in errors:
        messages, labels = marks.setdefault((error.sheet, error.row), ([], set()))
        messages.append(f"{error.column}：{error.message}" if error.column else error.message)
        if error.column:
            labels.add(error.column)
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": True})
    styles = _styles(book)
    written = [_write_marked(book, sheet, marks, styles) for sheet in upload.sheets]
    sources = _finish(book, styles, with_context=False)
    resource_rows = upload.resources.rows[-1][0] if upload.resources.rows else 1
    for sheet, cols, last_row in written:
        _add_validations(sheet, cols, sources, last_row + BLANK_ITEM_ROWS, resource_rows)
    book.close()
    return output.getvalue()


def _write_marked(
    book: Any,
    upload: Sheet,
    marks: Mapping[tuple[str, int], tuple[list[str], set[str]]],
    styles: dict[str, Any],
) -> tuple[Any, list[Column | None], int]:
    kept = [
        i for i, h in enumerate(upload.header) if normalize(h or "") != normalize(ERROR_HEADING)
    ]
    cols: list[Column | None] = [upload.mapping.get(i) for i in kept] + [None]
    headings = ["" if upload.header[i] is None else str(upload.header[i]) for i in kept]
    sheet = book.add_worksheet(upload.title)
    _write_header(sheet, [*headings, ERROR_HEADING], cols, styles)
    sheet.set_column(len(kept), len(kept), 60, styles["error"])
    last_row = 1
    for number, values in upload.rows:
        messages, labels = marks.get((upload.title, number), ([], set()))
        cells = [values[i] if i < len(values) else None for i in kept]
        bad = frozenset(
            p for p, column in enumerate(cols[:-1]) if column and column.label in labels
        )
        _write_values(sheet, number - 1, cells, styles, bad)
        if messages:
            sheet.write_string(number - 1, len(kept), "\n".join(messages), styles["error"])
        last_row = number
    return sheet, cols, last_row
