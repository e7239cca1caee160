"""Pages: the connectivity overview (系统联通率) with health probing, and the indicators."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from govshare.core.permissions import can
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pagination import paginate
from govshare.inventory import health
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.inventory.indicators import CONNECTIVITY, indicator_values, parse_month
from govshare.inventory.models import InformationSystem
from govshare.inventory.services import health_probe_start

# ?reachability= on the connectivity page: which latest-probe outcome to list.
REACHABILITY_FILTERS = {
    "up": {"last_is_up": True},
    "down": {"last_is_up": False},
    "unprobed": {"last_checked__isnull": True},
}


@login_required
def connectivity(request: HttpRequest) -> HttpResponse:
    """Which systems must connect, which are connected, and which answer their health probe."""
    user = request.user
    departments, total = health.connectivity_overview(user)
    systems = _system_rows(request)
    page = paginate(request, systems)
    rates = health.availability(system.pk for system in page["object_list"])
    context = {
        "departments": departments,
        "total": total,
        "rows": [(system, rates.get(system.pk)) for system in page["object_list"]],
        "department_filter": _int_param(request, "department"),
        "reachability": request.GET.get("reachability", ""),
        "can_probe": can(user, "review", InformationSystem),
        "availability_days": health.availability_days(),
        "formula": CONNECTIVITY.formula,
        **page,
    }
    return render(request, "inventory/health/connectivity.html", context)


def _system_rows(request: HttpRequest) -> QuerySet[InformationSystem]:
    visible = InformationSystem.objects.restrict(request.user, "view")
    systems: QuerySet[InformationSystem] = visible.filter(lifecycle__in=LIVE_LIFECYCLES)
    department_id = _int_param(request, "department")
    if department_id is not None:
        systems = systems.filter(department_id=department_id)
    systems = health.with_last_probe(systems.select_related("department"))
    reachability = REACHABILITY_FILTERS.get(request.GET.get("reachability", ""))
    if reachability:
        systems = systems.filter(**reachability)
    return systems.order_by("department__name", "name", "pk")


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


@login_required
@action_view("inventory:connectivity")
def probe_start(request: HttpRequest) -> HttpResponse:
    """The "probe now" button: probe every system in the background (the authority, admins)."""
    job = health_probe_start(actor=request.user)
    messages.info(request, _("Probing started; the result appears on the job page."))
    return redirect("core:job_detail", pk=job.pk)


@login_required
def indicators(request: HttpRequest) -> HttpResponse:
    """The module's indicators with their formulas, now or at the end of ``?month=YYYY-MM``."""
    raw_month = request.GET.get("month", "").strip()
    context: dict[str, Any] = {"month_value": raw_month}
    try:
        month = parse_month(raw_month) if raw_month else None
    except ValidationError as error:
        context["error"] = join_sentences(error.messages)
        return render(request, "inventory/indicators/indicators.html", context, status=400)
    report = indicator_values(request.user, month)
    context.update(
        report=report,
        specs=report.totals,
        month_value=month.strftime("%Y-%m") if month else "",
    )
    return render(request, "inventory/indicators/indicators.html", context)


urlpatterns: list[URLPattern] = [
    path("connectivity/", connectivity, name="connectivity"),
    path("connectivity/probe/", probe_start, name="probe_start"),
    path("indicators/", indicators, name="indicators"),
]
