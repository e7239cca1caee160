"""Pages of the delivery log (交付日志): the filtered list with its charts, one record with its
place in the hash chain, and the CSV export of the filtered list.

Department members see the calls they made (我的调用) and the calls on their data (数据被调用);
auditors see every call. Everything reads through ``exchange.selectors``, restricted to the user.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.catalog.exports import FORMULA_START
from govshare.core.text import join_sentences
from govshare.core.web.downloads import CSV, streamed_attachment
from govshare.core.web.pages import Crumb
from govshare.core.web.pagination import paginate
from govshare.exchange import selectors
from govshare.exchange.forms import DeliveryFilterForm
from govshare.exchange.models import CallMode, DeliveryRecord
from govshare.exchange.selectors import DeliveryFilters, Side, StatusClass
from govshare.orgs.models import Department
from govshare.sharing.selectors import member_department

# ECharts first: the chart script draws with it (both deferred, so they run in this order).
CHART_SCRIPTS = ("vendor/echarts/echarts.min.js", "exchange/deliveries-charts.js")
# The export streams at most this many rows (newest first); narrow the filters for more.
MAX_EXPORT_ROWS = 100_000
DELIVERY_LOG = gettext_lazy("Delivery log")  # the export's file name
PAGE_SIZE = 25


def active_member_department(request: HttpRequest) -> int | None:
    return member_department(request.user, getattr(request, "active_department_id", None))


def _filters(request: HttpRequest) -> tuple[DeliveryFilterForm, DeliveryFilters | None]:
    """The bound filter form and its filters; None when a filter is malformed. The tabs ("my
    calls", "calls on my data") refer to the active department."""
    form = DeliveryFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    department_id = active_member_department(request)
    data = dict(form.cleaned_data)
    if department_id is None:
        data["side"] = Side.ALL  # "my calls" needs a department to be mine
    else:
        data["departments"] = frozenset({department_id})
    return form, DeliveryFilters.of(data)


def chart_specs(stats: dict[str, Any]) -> dict[str, Any]:
    """What deliveries-charts.js draws: a stacked per-day bar chart and three ranked bars."""
    labels = {str(value): str(label) for value, label in StatusClass.choices}
    modes = {str(value): str(label) for value, label in CallMode.choices}
    per_day = stats["per_day"]
    calls = _("Calls")
    return {
        "per_day": {
            "type": "stacked",
            "x": per_day["x"],
            "series": [
                {"name": labels.get(s["name"], s["name"]), "key": s["name"], "data": s["data"]}
                for s in per_day["series"]
            ],
        },
        "consumers": _ranked(stats["consumers"], "name", calls),
        "resources": _ranked(stats["resources"], "name", calls),
        "errors": _ranked(stats["errors"], "code", calls),
        "modes": _ranked(
            [
                {"label": modes.get(r["mode"], r["mode"]), "calls": r["calls"]}
                for r in stats["modes"]
            ],
            "label",
            calls,
        ),
    }


def _ranked(rows: list[dict[str, Any]], label: str, name: str) -> dict[str, Any]:
    return {
        "type": "bar",
        "name": name,
        "labels": [str(row[label]) for row in rows],
        "values": [row["calls"] for row in rows],
    }


def _chart_scripts() -> list[str]:
    try:
        return [static(name) for name in CHART_SCRIPTS]
    except ValueError:  # not collected yet (no manifest entry): the table stands alone
        return []


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    side = filters.side if filters else ""
    context: dict[str, Any] = {
        "form": form,
        "tabs": _tabs(request, side) if active_member_department(request) is not None else [],
        "side": side,
        "export_query": request.GET.urlencode(),
        "max_export_rows": MAX_EXPORT_ROWS,
    }
    if filters is None:
        context.update(paginate(request, DeliveryRecord.objects.none(), PAGE_SIZE))
        return render(request, "exchange/deliveries/list.html", context, status=400)
    rows = selectors.deliveries(request.user, filters)
    stats = selectors.delivery_stats(rows)
    context.update(
        paginate(request, rows, PAGE_SIZE),
        totals=stats["totals"],
        charts=chart_specs(stats),
        chart_scripts=_chart_scripts(),
    )
    return render(request, "exchange/deliveries/list.html", context)


def _tabs(request: HttpRequest, side: str) -> list[dict[str, Any]]:
    """All / my calls / calls on my data: this page's URL on each, other filters kept, page 1."""
    tabs = []
    for value, label in Side.choices:
        query = request.GET.copy()
        query.pop("page", None)
        query["side"] = value
        url = "?" + query.urlencode()
        tabs.append({"value": value, "label": label, "url": url, "is_active": value == side})
    return tabs


@login_required
def delivery_detail(request: HttpRequest, seq: int) -> HttpResponse:
    record = selectors.delivery(request.user, seq)
    if record is None:
        raise Http404("no such delivery record")
    provider = (
        Department.objects.filter(pk=record.provider_id).first()
        if record.provider_id is not None
        else None
    )
    context = {
        "record": record,
        "provider": provider,
        "is_intact": record.compute_hash() == record.hash,
        "crumbs": [Crumb(_("Delivery log"), reverse("exchange:delivery_list"))],
    }
    return render(request, "exchange/deliveries/detail.html", context)


# --- CSV export -----------------------------------------------------------------------------

CSV_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("seq", gettext_lazy("Sequence")),
    ("created", gettext_lazy("Time")),
    ("request_id", gettext_lazy("Request id")),
    ("application_name", gettext_lazy("Application")),
    ("consumer_name", gettext_lazy("Consumer department")),
    ("provider", gettext_lazy("Provider department")),
    ("resource_name", gettext_lazy("Resource")),
    ("share_request_number", gettext_lazy("Request number")),
    ("purpose", gettext_lazy("Purpose")),
    ("mode", gettext_lazy("Mode")),
    ("items", gettext_lazy("Items returned")),
    ("masked", gettext_lazy("Items masked")),
    ("row_count", gettext_lazy("Rows")),
    ("status", gettext_lazy("Status")),
    ("error_code", gettext_lazy("Error code")),
    ("latency_ms", gettext_lazy("Latency (ms)")),
    ("end_user", gettext_lazy("End user")),
    ("case_number", gettext_lazy("Case number")),
    ("client_ip", gettext_lazy("Client address")),
    ("body_digest", gettext_lazy("SM3 digest of the response")),
    ("hash", gettext_lazy("Record hash")),
)


class _Echo:
    """A file-like object whose write returns the line: csv.writer then yields text chunks."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> str:
    """A cell as text; caller-supplied text never starts a formula (CSV injection, OWASP)."""
    if isinstance(value, list):
        value = ",".join(str(part) for part in value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_rows(rows: QuerySet[DeliveryRecord]) -> Iterator[str]:
    """The header, then one line per record; UTF-8 with a BOM so that Excel reads it as such."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")  # RFC 4180
    providers: dict[int | None, str] = dict(Department.objects.values_list("pk", "name"))
    yield "\ufeff" + writer.writerow([str(heading) for _key, heading in CSV_COLUMNS])
    for record in rows[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        values = {key: getattr(record, key, None) for key, _heading in CSV_COLUMNS}
        values["created"] = timezone.localtime(record.created).isoformat(timespec="seconds")
        values["provider"] = providers.get(record.provider_id, record.provider_id)
        yield writer.writerow([csv_cell(values[key]) for key, _heading in CSV_COLUMNS])


@login_required
def delivery_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, filters = _filters(request)
    if filters is None:
        message = join_sentences(
            _("%(field)s: %(message)s") % {"field": name, "message": errors[0]}
            for name, errors in form.errors.items()
        )
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    rows = selectors.deliveries(request.user, filters)
    suffix = f"-{timezone.localdate():%Y%m%d}"  # the name in the user's language (#12 item 7)
    return streamed_attachment(csv_rows(rows), CSV, DELIVERY_LOG, suffix=suffix, extension="csv")


urlpatterns: list[URLPattern] = [
    path("deliveries/", delivery_list, name="delivery_list"),
    path("deliveries/export.csv", delivery_export, name="delivery_export"),
    path("deliveries/<int:seq>/", delivery_detail, name="delivery_detail"),
]
