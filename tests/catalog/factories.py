"""Helpers of the catalog tests: valid resource data to start from."""

from __future__ import annotations

from govshare.catalog.models import Category, DataElement


def resource_data(**overrides) -> dict:
    """A valid base resource (人口) shared on conditions, as a provider drafts it."""
    data = {
        "category": Category.objects.get(code="101001"),
        "name": "户籍人口基本信息",
        "summary": "本市户籍人口的身份、户籍和住址等基本信息",
        "format_class": "database",
        "format_type": "PostgreSQL",
        "share_type": "conditional",
        "share_condition": "用于行政审批和公共服务的身份核验",
        "share_mode_class": "platform",
        "share_mode_type": "api",
        "update_cycle": "daily",
        "keywords": "人口 户籍 身份",
    }
    data.update(overrides)
    return data


def items_data(*overrides: dict) -> list[dict]:
    """Three items: ID number (important), name, sex."""
    items = [
        {
            "name": "公民身份号码",
            "identifier": "GMSFHM",
            "data_type": "C",
            "length": 18,
            "share_type": "conditional",
            "grade": "important",
            "is_personal": True,
            "masking": "id_number",
            "element": DataElement.objects.get(identifier="GMSFHM"),
        },
        {
            "name": "姓名",
            "identifier": "XM",
            "data_type": "C",
            "length": 50,
            "share_type": "conditional",
            "grade": "general_3",
            "is_personal": True,
            "masking": "name",
        },
        {
            "name": "性别",
            "identifier": "XBDM",
            "data_type": "C",
            "length": 1,
            "share_type": "conditional",
            "grade": "general_1",
        },
    ]
    for index, change in enumerate(overrides):
        items[index].update(change)
    return items
