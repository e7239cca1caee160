"""The catalog's indicators at /api/v1/catalog/indicators: live, or at the end of a month."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from govshare.catalog.indicators import GroupIndicators, indicator_values, parse_month
from govshare.core.web.api import auth_user, responses
from govshare.inventory.api.systems import IndicatorOut, MonthText

router = Router(tags=["catalog"])


class GroupOut(Schema):
    key: str = Field(description="department id or classification code")
    name: str
    indicators: list[IndicatorOut]


class CatalogIndicatorsOut(Schema):
    month: str | None = Field(description="YYYY-MM, or null for live figures")
    as_of: dt.datetime
    mounts_known: bool = Field(description="false for past months: mounts keep no history")
    totals: list[IndicatorOut]
    departments: list[GroupOut]
    classes: list[GroupOut]


@router.get("/indicators", response=responses({200: CatalogIndicatorsOut}), summary="Indicators")
def catalog_indicators(request: HttpRequest, month: MonthText = "") -> dict[str, Any]:
    """Resources per department and class, share-type split, open rate, mount rate (目录挂接率),
    item and element coverage — with their formulas."""
    parsed = parse_month(month) if month.strip() else None
    report = indicator_values(auth_user(request), parsed)
    return {
        "month": parsed.strftime("%Y-%m") if parsed else None,
        "as_of": report.as_of,
        "mounts_known": report.knows_mounts,
        "totals": [item.as_dict() for item in report.totals],
        "departments": [_group(group) for group in report.departments],
        "classes": [_group(group) for group in report.classes],
    }


def _group(group: GroupIndicators) -> dict[str, Any]:
    return {
        "key": str(group.key),
        "name": group.name,
        "indicators": [item.as_dict() for item in group.indicators],
    }
