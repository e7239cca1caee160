"""Reads of the delivery log (交付日志): the filtered list, one record, and the aggregates behind
the charts (calls per day by status class, top consumers, top resources, errors by code, and
deliveries by mode: gateway calls, table syncs and file packages).

Every function starts from ``DeliveryRecord.objects.restrict(user, "view")``: providers see the
calls on their data, consumers their own calls, auditors all. The aggregates are single GROUP BY
queries that run the same on SQLite and PostgreSQL; days are cut in the node's time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import models
from django.db.models import Case, Count, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govshare.catalog.choices import MountKind
from govshare.catalog.models import DataItem, Mount
from govshare.core.actors import Actor
from govshare.exchange.models import DeliveryRecord
from govshare.sharing.choices import DeliveryMode, RequestState
from govshare.sharing.models import Grant

# Largest value a BigIntegerField holds; a bigger id would overflow the database driver.
MAX_ID = 2**63 - 1
TOP_LIMIT = 10
# Dates a filter may name: any day a call could have been made (and no overflow in UTC).
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
# A chart of more days than this shows the most recent ones (a year and a day: leap years).
MAX_CHART_DAYS = 366


class StatusClass(models.TextChoices):
    """HTTP status classes (RFC 9110 §15): success, the caller's error, the platform's error."""

    SUCCESS = "2xx", _("Success (2xx)")
    CLIENT_ERROR = "4xx", _("Refused (4xx)")
    SERVER_ERROR = "5xx", _("Failed (5xx)")


STATUS_RANGES: dict[str, tuple[int, int]] = {
    StatusClass.SUCCESS: (200, 300),
    StatusClass.CLIENT_ERROR: (400, 500),
    StatusClass.SERVER_ERROR: (500, 600),
}


class Side(models.TextChoices):
    """Which of the active department's calls: all it may see, its own, or those on its data."""

    ALL = "", _("All")
    CONSUMER = "consumer", _("My calls")
    PROVIDER = "provider", _("Calls on my data")


@dataclass(frozen=True)
class DeliveryFilters:
    """The filters of the list, the export, the charts and the API (all optional)."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    consumer: int | None = None
    provider: int | None = None
    application: int | None = None
    resource: int | None = None
    mode: str = ""
    status_class: str = ""
    end_user: str = ""
    case_number: str = ""
    request_id: str = ""
    side: str = ""
    departments: frozenset[int] = frozenset()  # the departments ``side`` refers to

    @classmethod
    def of(cls, data: dict[str, Any]) -> DeliveryFilters:
        """From cleaned form or API data: unknown keys ignored, None as "not given"."""
        values = {}
        for field in fields(cls):
            value = data.get(field.name)
            if value is not None:
                values[field.name] = getattr(value, "pk", value)  # a model choice → its id
        return cls(**values)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the node's time zone: ranges on ``created`` stay index scans."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def visible_deliveries(user: Actor) -> QuerySet[DeliveryRecord]:
    return DeliveryRecord.objects.restrict(user, "view")


def filter_deliveries(
    rows: QuerySet[DeliveryRecord], filters: DeliveryFilters
) -> QuerySet[DeliveryRecord]:
    conditions = Q()
    if filters.date_from is not None:
        conditions &= Q(created__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        conditions &= Q(created__lt=day_start(filters.date_to + dt.timedelta(days=1)))
    for name in ("consumer", "provider", "application", "resource"):
        if getattr(filters, name) is not None:
            conditions &= Q(**{f"{name}_id": getattr(filters, name)})
    if filters.mode:
        conditions &= Q(mode=filters.mode)
    if filters.status_class in STATUS_RANGES:
        low, high = STATUS_RANGES[filters.status_class]
        conditions &= Q(status__gte=low, status__lt=high)
    if filters.end_user:
        conditions &= Q(end_user__icontains=filters.end_user)
    if filters.case_number:
        conditions &= Q(case_number=filters.case_number)
    if filters.request_id:
        conditions &= Q(request_id=filters.request_id)
    return rows.filter(conditions, _side_condition(filters))


def _side_condition(filters: DeliveryFilters) -> Q:
    if filters.side == Side.CONSUMER:
        return Q(consumer_id__in=filters.departments)
    if filters.side == Side.PROVIDER:
        return Q(provider_id__in=filters.departments)
    return Q()


def deliveries(user: Actor, filters: DeliveryFilters) -> QuerySet[DeliveryRecord]:
    """The records ``user`` may see that match ``filters``, newest first."""
    return filter_deliveries(visible_deliveries(user), filters).order_by("-seq")


def delivery(user: Actor, seq: int) -> DeliveryRecord | None:
    """One visible record by its sequence number, or None (also for an out-of-range number)."""
    if not 0 < seq <= MAX_ID:
        return None
    return visible_deliveries(user).filter(seq=seq).first()


# --- aggregates -----------------------------------------------------------------------------


def status_class_expression() -> Case:
    whens = [
        When(status__gte=low, status__lt=high, then=Value(str(name)))
        for name, (low, high) in STATUS_RANGES.items()
    ]
    return Case(*whens, default=Value("other"), output_field=models.CharField())


def calls_per_day(rows: QuerySet[DeliveryRecord]) -> dict[str, Any]:
    """``{"x": [days], "series": [{"name": "2xx", "data": [...]}, ...]}``, gaps filled with 0.

    The day is cut by TruncDate in the current time zone (SQLite and PostgreSQL alike).
    """
    counts: dict[tuple[dt.date, str], int] = {}
    grouped = (
        rows.order_by()
        .annotate(day=TruncDate("created"), status_class=status_class_expression())
        .values("day", "status_class")
        .annotate(calls=Count("pk"))
    )
    for row in grouped:
        counts[(row["day"], row["status_class"])] = row["calls"]
    days = _day_range({day for day, _class in counts})
    classes = [str(name) for name in STATUS_RANGES]
    if any(name == "other" for _day, name in counts):
        classes.append("other")
    series = [
        {"name": name, "data": [counts.get((day, name), 0) for day in days]} for name in classes
    ]
    return {"x": [day.isoformat() for day in days], "series": series}


def _day_range(days: set[dt.date]) -> list[dt.date]:
    if not days:
        return []
    last = max(days)
    first = max(min(days), last - dt.timedelta(days=MAX_CHART_DAYS - 1))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def top_consumers(rows: QuerySet[DeliveryRecord], limit: int = TOP_LIMIT) -> list[dict[str, Any]]:
    """The departments that called most: ``[{"id", "name", "calls"}]``."""
    grouped = (
        rows.order_by()
        .values("consumer_id")
        .annotate(name=Max("consumer_name"), calls=Count("pk"))
        .order_by("-calls", "consumer_id")[:limit]
    )
    return [
        {"id": r["consumer_id"], "name": r["name"] or "—", "calls": r["calls"]} for r in grouped
    ]


def top_resources(rows: QuerySet[DeliveryRecord], limit: int = TOP_LIMIT) -> list[dict[str, Any]]:
    """The resources called most: ``[{"id", "name", "calls"}]`` (token calls name none)."""
    grouped = (
        rows.order_by()
        .filter(resource_id__isnull=False)
        .values("resource_id")
        .annotate(name=Max("resource_name"), calls=Count("pk"))
        .order_by("-calls", "resource_id")[:limit]
    )
    return [
        {"id": r["resource_id"], "name": r["name"] or "—", "calls": r["calls"]} for r in grouped
    ]


def errors_by_code(rows: QuerySet[DeliveryRecord], limit: int = TOP_LIMIT) -> list[dict[str, Any]]:
    """Refused and failed calls by error code: ``[{"code", "status", "calls"}]``."""
    grouped = (
        rows.order_by()
        .filter(status__gte=400)
        .values("error_code")
        .annotate(status=Max("status"), calls=Count("pk"))
        .order_by("-calls", "error_code")[:limit]
    )
    return [
        {
            "code": r["error_code"] or f"http_{r['status']}",
            "status": r["status"],
            "calls": r["calls"],
        }
        for r in grouped
    ]


def by_mode(rows: QuerySet[DeliveryRecord]) -> list[dict[str, Any]]:
    """Deliveries per mode — gateway calls, table syncs (库表) and file packages (文件) alike:
    ``[{"mode", "calls", "rows"}]``, most first."""
    grouped = (
        rows.order_by()
        .values("mode")
        .annotate(calls=Count("pk"), rows=Sum("row_count"))
        .order_by("-calls", "mode")
    )
    return [{"mode": r["mode"], "calls": r["calls"], "rows": r["rows"] or 0} for r in grouped]


def status_totals(rows: QuerySet[DeliveryRecord]) -> dict[str, int]:
    """Calls in all and per status class: ``{"total", "2xx", "4xx", "5xx"}``."""
    aggregates: dict[str, Any] = {"total": Count("pk")}
    for name, (low, high) in STATUS_RANGES.items():
        aggregates[str(name)] = Count("pk", filter=Q(status__gte=low, status__lt=high))
    return dict(rows.order_by().aggregate(**aggregates))


def delivery_stats(rows: QuerySet[DeliveryRecord]) -> dict[str, Any]:
    """Everything the charts draw, from one filtered queryset (six queries)."""
    return {
        "totals": status_totals(rows),
        "per_day": calls_per_day(rows),
        "consumers": top_consumers(rows),
        "resources": top_resources(rows),
        "errors": errors_by_code(rows),
        "modes": by_mode(rows),
    }


# --- the API console ------------------------------------------------------------------------


def console_grants(user: Actor, department_ids: set[int]) -> QuerySet[Grant]:
    """Live grants (active, within validity today) of ``department_ids`` as consumer."""
    today = timezone.localdate()
    return (
        Grant.objects.restrict(user, "view")
        .filter(
            consumer_id__in=department_ids,
            request__state=RequestState.ACTIVE,
            valid_from__lte=today,
            valid_until__gte=today,
        )
        .select_related("request", "resource", "application", "provider", "consumer")
        .order_by("resource__name", "application__name", "pk")
    )


@dataclass(frozen=True)
class CallParameter:
    """A value the console asks for: a key item (查询条件) or, for verification, a compared item."""

    identifier: str
    name: str
    is_key: bool


def call_parameters(grant: Grant) -> list[CallParameter]:
    """What a call under ``grant`` passes: the mount's key items (table: ``key_items``; upstream
    interface: ``key_params``); verification adds the granted items it compares. Empty when the
    resource names no keys: the console then takes free-form parameters."""
    mounts = {m.kind: m for m in Mount.objects.filter(resource_id=grant.resource_id)}
    table = getattr(mounts.get(MountKind.TABLE), "table_config", None)
    api = getattr(mounts.get(MountKind.API), "api_config", None)
    if grant.mode == DeliveryMode.PROXY:
        keys = list(api.key_params) if api else []
    else:
        keys = list(table.key_items) if table else []
    names = _item_names(grant)
    parameters = [CallParameter(key, names.get(key, key), True) for key in keys]
    if grant.mode == DeliveryMode.VERIFY and keys:
        compared = [i for i in grant.items.all() if i.identifier not in keys]
        parameters += [CallParameter(i.identifier, i.name, False) for i in compared]
    return parameters


def _item_names(grant: Grant) -> dict[str, str]:
    version_id = grant.resource.current_version_id
    rows = DataItem.objects.filter(version_id=version_id).values_list("identifier", "name")
    return dict(rows)
