"""Columns of the catalog workbook (信息资源目录编制表): sheets, limits, and the guide's core
metadata in its order, as column tables of ``core.xlsx`` (issue 12 item 7); the writer, the
reader and the error workbook share them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models
from django.utils import translation

from govshare.catalog.exports import GUIDE_LABELS, guide_label
from govshare.catalog.models import DataItem, ResourceVersion
from govshare.core.xlsx.columns import Column, Kind, aliases, field_rules, normalize
from govshare.core.xlsx.importer import ImportResult

RESOURCE_SHEET, ITEM_SHEET, GUIDE_SHEET, LISTS_SHEET = "信息资源", "信息项", "填表说明", "代码表"
# Bounds on what one upload may make the server read.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_RESOURCES = 10_000
MAX_ITEMS = 200_000
EXCEL_ROWS = 1_048_576  # rows of one sheet; more items continue on 信息项2, 信息项3, …
# Rows below the data that still carry the dropdowns, for departments to fill in.
BLANK_RESOURCE_ROWS, BLANK_ITEM_ROWS = 1000, 5000
# The dropdown of an item's resource: the names typed on sheet 1 (a range, not a list).
RESOURCE_NAMES = "resource"


@dataclass
class CatalogImportResult(ImportResult):
    created: int = 0
    updated: int = 0
    changed: int = 0  # published resources whose change (new version) the import edited
    unchanged: int = 0


# --- columns --------------------------------------------------------------------------------

# (field, heading, kind, guidance): the guide's core metadata in its order (standards.md §1.2).
RESOURCE_SPEC: tuple[tuple[str, str, Kind, str], ...] = (
    ("category", "分类代码", Kind.LOOKUP, "资源属性分类（类/项/目/细目），从下拉列表选择。"),
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
    ("resource", "资源名称", Kind.TEXT, "信息资源表中资源的名称。"),
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
    ("element", "数据元标识符", Kind.LOOKUP, "关联的标准数据元，从下拉列表选择。"),
)


# What the guide says a cell of these columns takes (their kind does not say it).
HINTS = {
    "category": "分类代码，如 101001；可带名称，如“101001 户籍人口”。",
    "element": "数据元标识符，如 GMSFHM；可带名称。",
    "resource": "信息资源表中的资源名称。",
}
# How a record's value is shown in the cell, where its kind does not say it.
SHOWN: dict[str, Any] = {
    "category": lambda category: f"{category['code']} {category['name']}",
    "element": lambda element: f"{element['identifier']} {element['name']}" if element else None,
    "provider": lambda provider: provider["name"],
    "status": lambda status: guide_label("status", status),
}


@cache
def resource_columns(with_context: bool = False) -> tuple[Column, ...]:
    """The columns of sheet 信息资源; the export adds the grey context columns."""
    columns = tuple(_column(ResourceVersion, *spec) for spec in RESOURCE_SPEC)
    if with_context:
        columns += tuple(
            Column(name, label, is_context=True, width=_width(label), show=SHOWN.get(name))
            for name, label in CONTEXT_SPEC
        )
    return columns


@cache
def item_columns() -> tuple[Column, ...]:
    """The columns of sheet 信息项."""
    name_field = ResourceVersion._meta.get_field("name")
    assert isinstance(name_field, models.CharField)
    field, label, _kind, guidance = ITEM_SPEC[0]
    first = Column(
        field,
        label,
        guidance=guidance,
        hint=HINTS[field],
        required=True,
        refuses_blank=True,
        max_length=name_field.max_length,
        width=_width(label),
        dropdown=RESOURCE_NAMES,
    )
    return (first, *(_column(DataItem, *spec) for spec in ITEM_SPEC[1:]))


def _column(model: type[models.Model], name: str, label: str, kind: Kind, guidance: str) -> Column:
    rules = field_rules(model._meta.get_field(name), kind)
    choices = tuple(GUIDE_LABELS.get(name, {}).items())
    return Column(
        name,
        label,
        kind,
        guidance=guidance,
        hint=HINTS.get(name, ""),
        choices=choices,
        aliases=choice_lookup(name) if choices else {},
        width=40 if name == "summary" else _width(label),
        dropdown=name if kind == Kind.LOOKUP else "",
        show=SHOWN.get(name),
        **rules,
    )


def _width(label: str) -> int:
    return max(12, len(label) * 3)


@cache
def choice_lookup(name: str) -> Mapping[str, str]:
    """Normalized guide label, English label or code → code, for reading a cell back."""
    model_field = {**_fields(ResourceVersion), **_fields(DataItem)}[name]
    with translation.override("en"):
        english = [(code, str(text)) for code, text in model_field.flatchoices]
    lookup = aliases(english, GUIDE_LABELS[name].items())
    for code, label in GUIDE_LABELS[name].items():
        lookup[normalize(label.removesuffix(code))] = code  # 字符型C → also 字符型
    return lookup


def _fields(model: type[models.Model]) -> dict[str, Any]:
    return {f.name: f for f in model._meta.get_fields() if getattr(f, "choices", None)}
