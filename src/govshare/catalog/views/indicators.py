"""Pages: the catalog's indicators (资源数, 共享类型, 开放率, 目录挂接率, 信息项和数据元覆盖率)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from govshare.catalog.indicators import SPECS, indicator_values, parse_month
from govshare.core.text import join_sentences
from govshare.orgs.roles import principal_of

TEMPLATE = "catalog/indicators/indicators.html"


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """The indicators with their formulas, now or at the end of ``?month=YYYY-MM``; a malformed
    or future month is answered with 400 and the reason."""
    raw_month = request.GET.get("month", "").strip()
    context: dict[str, Any] = {
        "month_value": raw_month,
        "specs": SPECS,
        "oversees": principal_of(request.user).sees_everything,
    }
    try:
        month = parse_month(raw_month) if raw_month else None
    except ValidationError as error:
        context["error"] = join_sentences(error.messages)
        return render(request, TEMPLATE, context, status=400)
    report = indicator_values(request.user, month)
    context.update(report=report, month_value=month.strftime("%Y-%m") if month else "")
    return render(request, TEMPLATE, context)


urlpatterns: list[URLPattern] = [
    path("indicators/", indicators, name="indicators"),
]
