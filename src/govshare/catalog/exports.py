"""The catalog as plain data: records read in bulk, and the JSON, CSV and DCAT (JSON-LD) exports.

``resource_records`` reads a (restricted) queryset of resources with the version to show and
its data items in chunks of plain values, so the Excel, JSON and CSV exports of 100,000
resources never build a model instance per row. The Chinese labels of the enumerations are the
wording of the 政务信息资源目录编制指南（试行）(standards.md §1.4); the workbook uses them too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from govshare.catalog.choices import (
    DataType,
    FormatClass,
    Grade,
    Masking,
    ResourceStatus,
    ShareModeClass,
    ShareModeType,
    ShareType,
    UpdateCycle,
)
from govshare.catalog.models import DataItem, Resource, ResourceVersion
from govshare.catalog.services import ITEM_FIELDS, VERSION_FIELDS

CHUNK_SIZE = 2000

# --- the guide's wording --------------------------------------------------------------------

# The labels of the 编制指南 and of the templates departments fill in (standards.md §1.4). They
# are the form's own words, not a translation of the UI: the workbook and the CSV are Chinese
# government forms whatever language the user's pages are in.
GUIDE_LABELS: dict[str, dict[str, str]] = {
    "format_class": {
        FormatClass.DOCUMENT: "电子文件",
        FormatClass.SPREADSHEET: "电子表格",
        FormatClass.DATABASE: "数据库",
        FormatClass.IMAGE: "图形图像",
        FormatClass.MEDIA: "流媒体",
        FormatClass.SELF_DESCRIBING: "自描述格式",
        FormatClass.SERVICE: "服务接口",
        FormatClass.OTHER: "其他",
    },
    "share_type": {
        ShareType.UNCONDITIONAL: "无条件共享",
        ShareType.CONDITIONAL: "有条件共享",
        ShareType.NOT_SHARED: "不予共享",
    },
    "share_mode_class": {
        ShareModeClass.PLATFORM: "共享平台",
        ShareModeClass.EMAIL: "邮件",
        ShareModeClass.DISK: "拷盘",
        ShareModeClass.PAPER: "介质交换（纸质报表）",
        ShareModeClass.ELECTRONIC: "介质交换（电子文档）",
        ShareModeClass.OTHER: "其他",
    },
    "share_mode_type": {
        ShareModeType.TABLE: "库表",
        ShareModeType.API: "接口",
        ShareModeType.FILE: "文件",
    },
    "update_cycle": {
        UpdateCycle.REALTIME: "实时",
        UpdateCycle.DAILY: "每日",
        UpdateCycle.WEEKLY: "每周",
        UpdateCycle.MONTHLY: "每月",
        UpdateCycle.QUARTERLY: "每季度",
        UpdateCycle.HALF_YEARLY: "每半年",
        UpdateCycle.YEARLY: "每年",
        UpdateCycle.IRREGULAR: "不定期",
    },
    "data_type": {
        DataType.C: "字符型C",
        DataType.N: "数值型N",
        DataType.Y: "货币型Y",
        DataType.D: "日期型D",
        DataType.T: "日期时间型T",
        DataType.L: "逻辑型L",
        DataType.M: "备注型M",
        DataType.G: "通用型G",
        DataType.B: "双精度型B",
        DataType.I: "整型I",
        DataType.F: "浮点型F",
    },
    "grade": {
        Grade.CORE: "核心",
        Grade.IMPORTANT: "重要",
        Grade.GENERAL_4: "一般4级",
        Grade.GENERAL_3: "一般3级",
        Grade.GENERAL_2: "一般2级",
        Grade.GENERAL_1: "一般1级",
    },
    "masking": {
        Masking.NONE: "不脱敏",
        Masking.NAME: "姓名",
        Masking.ID_NUMBER: "证件号码",
        Masking.PHONE: "电话号码",
        Masking.ADDRESS: "地址",
        Masking.BANK_CARD: "银行卡号",
        Masking.EMAIL: "电子邮箱",
        Masking.CUSTOM: "自定义",
    },
    "status": {
        ResourceStatus.DRAFT: "草稿",
        ResourceStatus.SUBMITTED: "审核中",
        ResourceStatus.PUBLISHED: "已发布",
        ResourceStatus.WITHDRAWN: "已撤销",
    },
}
YES, NO = "是", "否"


def guide_label(field: str, code: str) -> str:
    """The guide's label of an enumeration code (the code itself if it has none)."""
    return GUIDE_LABELS.get(field, {}).get(code, code)


# --- records --------------------------------------------------------------------------------

# The version columns read for a record: every field a provider fills in, plus the context.
VERSION_VALUES = (
    "id",
    "number",
    "status",
    "category__code",
    "category__name",
    *(name for name in VERSION_FIELDS if name != "category"),
    "publish_date",
    "grade",
)
ITEM_VALUES = (
    "version_id",
    *(name for name in ITEM_FIELDS if name != "element"),
    "element__identifier",
    "element__name",
)


def resource_records(
    resources: QuerySet[Resource], *, in_force_only: bool = False, with_issued: bool = False
) -> Iterator[dict[str, Any]]:
    """Each resource (ordered by provider and name) with its shown version and data items.

    The shown version is the one in force, else the draft (``Resource.shown_version``);
    ``in_force_only`` skips resources that have none in force. ``with_issued`` adds the date
    the resource was first published (its earliest version's publish date).
    """
    current = F("current_version_id")
    version = current if in_force_only else Coalesce(current, "working_version_id")
    heads = resources.order_by("provider__name", "name", "pk").annotate(shown_id=version)
    fields = ["pk", "code", "status", "withdrawn_reason", "provider_id", "provider__name"]
    if with_issued:
        heads = heads.annotate(issued=Min("versions__publish_date"))
        fields.append("issued")
    rows = list(heads.filter(shown_id__isnull=False).values(*fields, "shown_id"))
    for start in range(0, len(rows), CHUNK_SIZE):
        yield from _chunk_records(rows[start : start + CHUNK_SIZE])


def _chunk_records(heads: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    ids = [head["shown_id"] for head in heads]
    versions = {
        v["id"]: v for v in ResourceVersion.objects.filter(pk__in=ids).values(*VERSION_VALUES)
    }
    items: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = DataItem.objects.filter(version_id__in=ids).order_by("version_id", "position")
    for item in rows.values(*ITEM_VALUES):
        items[item.pop("version_id")].append(_item_record(item))
    for head in heads:
        yield _record(head, versions[head["shown_id"]], items[head["shown_id"]])


def _record(
    head: dict[str, Any], version: dict[str, Any], items: list[dict[str, Any]]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": head["pk"],
        "code": head["code"] or "",
        "status": head["status"],
        "provider": {"id": head["provider_id"], "name": head["provider__name"]},
        "version": version["number"],
        "version_status": version["status"],
        "category": {"code": version["category__code"], "name": version["category__name"]},
    }
    record.update({name: version[name] for name in VERSION_FIELDS if name != "category"})
    record.update(
        publish_date=version["publish_date"],
        grade=version["grade"],
        withdrawn_reason=head["withdrawn_reason"],
        items=items,
    )
    if "issued" in head:
        record["issued"] = head["issued"]
    return record


def _item_record(item: dict[str, Any]) -> dict[str, Any]:
    identifier, name = item.pop("element__identifier"), item.pop("element__name")
    item["element"] = {"identifier": identifier, "name": name} if identifier else None
    return item


# --- filters --------------------------------------------------------------------------------


def filter_resources(
    resources: QuerySet[Resource],
    *,
    provider: int | None = None,
    status: str = "",
    share_type: str = "",
    category: str = "",
) -> QuerySet[Resource]:
    """The simple filters of the catalog list (text search is the search module's): provider
    id, status, the shown version's share type, and a classification code prefix."""
    if provider:
        resources = resources.filter(provider_id=provider)
    if status:
        resources = resources.filter(status=status)
    if share_type:
        resources = resources.filter(_shown(share_type=share_type))
    if category:
        resources = resources.filter(_shown(category__code__startswith=category))
    return resources


def _shown(**lookup: Any) -> Q:
    """A condition on the shown version: the one in force, else the one being edited."""
    current = Q(**{f"current_version__{key}": value for key, value in lookup.items()})
    working = Q(**{f"working_version__{key}": value for key, value in lookup.items()})
    return current | (Q(current_version__isnull=True) & working)


# --- JSON -----------------------------------------------------------------------------------


def json_export(resources: QuerySet[Resource]) -> bytes:
    """``{"generated", "count", "resources": [...]}``: every record with its items (codes)."""
    records = list(resource_records(resources))
    body = {"generated": timezone.now(), "count": len(records), "resources": records}
    return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


# --- CSV ------------------------------------------------------------------------------------

CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "信息资源代码"),
    ("category_code", "分类代码"),
    ("category_name", "分类名称"),
    ("name", "信息资源名称"),
    ("summary", "摘要"),
    ("provider", "信息资源提供方"),
    ("format_class", "格式分类"),
    ("format_type", "格式类型"),
    ("share_type", "共享类型"),
    ("share_condition", "共享条件"),
    ("share_basis", "不予共享依据"),
    ("share_mode_class", "共享方式分类"),
    ("share_mode_type", "共享方式类型"),
    ("is_open", "是否向社会开放"),
    ("open_condition", "开放条件"),
    ("update_cycle", "更新周期"),
    ("publish_date", "发布日期"),
    ("keywords", "关键字"),
    ("related_codes", "关联资源代码"),
    ("is_key_supervision", "重点监管"),
    ("is_government_service", "政务服务"),
    ("grade", "分级"),
    ("status", "状态"),
    ("version", "版本"),
    ("item_count", "信息项数"),
)
# A cell starting with one of these is taken as a formula by Excel (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_export(resources: QuerySet[Resource]) -> bytes:
    """One row per resource, Chinese headings and labels, UTF-8 with a BOM: Excel reads the
    file as UTF-8 only when it starts with the BOM (otherwise as the local GBK code page)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow([heading for _key, heading in CSV_COLUMNS])
    for record in resource_records(resources):
        values = csv_values(record)
        writer.writerow([values[key] for key, _heading in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_values(record: Mapping[str, Any]) -> dict[str, str]:
    values = {key: record.get(key) for key, _heading in CSV_COLUMNS}
    values.update(
        category_code=record["category"]["code"],
        category_name=record["category"]["name"],
        provider=record["provider"]["name"],
        item_count=len(record["items"]),
    )
    return {key: _csv_text(key, value) for key, value in values.items()}


def _csv_text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, dt.date):
        return value.isoformat()
    if key in GUIDE_LABELS:
        return guide_label(key, value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


# --- DCAT (JSON-LD) -------------------------------------------------------------------------

DCAT_CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "@language": "zh-CN",
    # Codes and identifiers are not Chinese text: no language tag on them.
    "dct:identifier": {"@id": "dct:identifier", "@language": None},
    "skos:notation": {"@id": "skos:notation", "@language": None},
    "dct:issued": {"@id": "dct:issued", "@type": "xsd:date"},
    "dct:modified": {"@id": "dct:modified", "@type": "xsd:date"},
    "dct:accrualPeriodicity": {"@id": "dct:accrualPeriodicity", "@type": "@id"},
    "dct:accessRights": {"@id": "dct:accessRights", "@type": "@id"},
    "dcat:dataset": {"@id": "dcat:dataset", "@container": "@set"},
    "dcat:keyword": {"@id": "dcat:keyword", "@container": "@set"},
}
# dct:accrualPeriodicity from the EU Publications Office frequency authority table (DCAT-AP).
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    UpdateCycle.REALTIME: "CONT",
    UpdateCycle.DAILY: "DAILY",
    UpdateCycle.WEEKLY: "WEEKLY",
    UpdateCycle.MONTHLY: "MONTHLY",
    UpdateCycle.QUARTERLY: "QUARTERLY",
    UpdateCycle.HALF_YEARLY: "ANNUAL_2",
    UpdateCycle.YEARLY: "ANNUAL",
    UpdateCycle.IRREGULAR: "IRREG",
}
# dct:accessRights from the EU access-right table: open to the public is PUBLIC; shared with
# departments (with or without conditions) is RESTRICTED; 不予共享 is NON_PUBLIC.
EU_ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
KEYWORD_SEPARATORS = re.compile(r"[\s,，、;；]+")


def dcat_export(resources: QuerySet[Resource], *, base_url: str, title: str) -> bytes:
    """A dcat:Catalog of the published resources among ``resources``, one dcat:Dataset each.

    ``base_url``: the catalog API's absolute URL; the catalog, its datasets and themes are named
    under it (the dataset's IRI is the API address of the resource).
    """
    published = resources.filter(status=ResourceStatus.PUBLISHED)
    records = resource_records(published, in_force_only=True, with_issued=True)
    catalog = {
        "@context": DCAT_CONTEXT,
        "@id": f"{base_url}/dcat.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": title,
        "dct:modified": timezone.localdate().isoformat(),
        "dcat:dataset": [dcat_dataset(record, base_url) for record in records],
    }
    return json.dumps(catalog, ensure_ascii=False).encode()


def dcat_dataset(record: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    category = record["category"]
    dataset: dict[str, Any] = {
        "@id": f"{base_url}/resources/{record['id']}",
        "@type": "dcat:Dataset",
        "dct:identifier": record["code"],
        "dct:title": record["name"],
        "dct:description": record["summary"],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": record["provider"]["name"]},
        "dcat:keyword": keywords(record["keywords"]),
        "dct:accrualPeriodicity": EU_FREQUENCY + FREQUENCIES[record["update_cycle"]],
        "dcat:theme": {
            "@id": f"{base_url}/categories/{category['code']}",
            "@type": "skos:Concept",
            "skos:notation": category["code"],
            "skos:prefLabel": category["name"],
        },
        "dct:accessRights": EU_ACCESS_RIGHT + access_right(record),
        "dct:rights": {"@type": "dct:RightsStatement", "rdfs:label": rights_text(record)},
    }
    if record.get("issued"):
        dataset["dct:issued"] = record["issued"].isoformat()
    if record.get("publish_date"):
        dataset["dct:modified"] = record["publish_date"].isoformat()
    return dataset


def keywords(text: str) -> list[str]:
    return [word for word in KEYWORD_SEPARATORS.split(text or "") if word]


def access_right(record: Mapping[str, Any]) -> str:
    if record["share_type"] == ShareType.NOT_SHARED:
        return "NON_PUBLIC"
    return "PUBLIC" if record["is_open"] else "RESTRICTED"


def rights_text(record: Mapping[str, Any]) -> str:
    """The share type in the guide's words, with its condition or basis."""
    label = guide_label("share_type", record["share_type"])
    detail = {
        ShareType.CONDITIONAL: record["share_condition"],
        ShareType.NOT_SHARED: record["share_basis"],
    }.get(record["share_type"], "")
    return f"{label}：{detail}" if detail else label
