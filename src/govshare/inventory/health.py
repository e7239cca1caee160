"""Health probing (健康探测) of the systems' health URLs, their availability, and chart series.

``probe_all`` measures every system with a health URL over HTTP (concurrently: the network
waits, not the CPU) and stores one HealthCheck per system from the calling thread, so no
database connection crosses threads. A probe is an observation, not a change of domain state:
it is not audited (the job that runs it is).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import httpx
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.config import param
from govshare.inventory import config
from govshare.inventory.choices import LIVE_LIFECYCLES, Lifecycle
from govshare.inventory.indicators import STATE_FIELDS, SystemState
from govshare.inventory.models import HealthCheck, InformationSystem, UsageReport

# A stopped system that still answers is evidence too (it should be off), so it is probed.
PROBED_LIFECYCLES = frozenset({Lifecycle.BUILDING, Lifecycle.IN_USE, Lifecycle.STOPPED})
MAX_REDIRECTS = 3
MAX_BODY_BYTES = 4096  # enough to know the server answers; a health page is not downloaded
PROBE_CONCURRENCY = 8
SAVE_BATCH = 100
USER_AGENT = "govshare-health-probe/1"
ERROR_LENGTH = 300  # HealthCheck.error
DEFAULT_PORTS = {"http": 80, "https": 443}
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ProbeResult:
    """What one request to a health URL showed. Error texts stay in English: they are
    diagnostics stored once and read by operators, like an HTTP client's own messages."""

    checked: dt.datetime
    is_up: bool
    status_code: int | None = None
    latency_ms: int | None = None
    error: str = ""


class ProbeTimeout(Exception):
    """The whole probe (all redirects and the body read) ran past its deadline."""


def probe_timeout() -> float:
    return float(param(config.PROBE_TIMEOUT.key))


def probe_client(timeout: float) -> httpx.Client:
    """A client that never follows redirects by itself and ignores proxy settings.

    Redirects are followed by ``measure`` only within the same origin, so a health URL cannot
    send the prober to another host. Proxies are ignored because the question is whether this
    node reaches the system, not whether a proxy does.
    """
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=PROBE_CONCURRENCY * 2),
    )


# --- probing --------------------------------------------------------------------------------


def is_probe_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Addresses no system has: cloud metadata at 169.254.169.254 and other link-local,
    multicast, and 0.0.0.0 / :: — the prober, inside the network, never fetches them."""
    return not (address.is_link_local or address.is_multicast or address.is_unspecified)


def refused_address(host: str, port: int | None) -> str | None:
    """The first address ``host`` stands for that the prober may not fetch, or None.

    The census refuses such literals when the URL is saved; a name is checked here, on every
    probe, after it resolves (a name can be pointed anywhere later).
    """
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
        except OSError:
            return None  # unresolvable: the fetch itself reports it
        # Only IP families come back, whose sockaddr starts with the address as text; str() is
        # for the type checker, which also allows the (int, bytes) sockaddr of other families.
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    refused = next((address for address in addresses if not is_probe_address(address)), None)
    return str(refused) if refused is not None else None


def measure(url: str, *, client: httpx.Client, timeout: float) -> ProbeResult:
    """GET ``url``: status below 400 is up; everything else, with the reason, is down."""
    started = time.monotonic()
    target = httpx.URL(url)
    refused = refused_address(target.host, target.port)
    if refused is not None:
        return ProbeResult(timezone.now(), False, error=f"refused: {target.host} is {refused}")
    try:
        status_code, latency_ms = _fetch(client, httpx.URL(url), started + timeout)
    except (httpx.TimeoutException, ProbeTimeout):
        return ProbeResult(timezone.now(), False, error=f"no answer within {timeout:g} s")
    except httpx.TooManyRedirects:
        return ProbeResult(timezone.now(), False, error=f"more than {MAX_REDIRECTS} redirects")
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as failure:
        text = f"{type(failure).__name__}: {failure}"
        return ProbeResult(timezone.now(), False, error=text[:ERROR_LENGTH])
    is_up = status_code < 400
    reason = "" if is_up else f"HTTP {status_code}"
    return ProbeResult(timezone.now(), is_up, status_code, latency_ms, reason)


def _fetch(client: httpx.Client, url: httpx.URL, deadline: float) -> tuple[int, int]:
    """(status, latency in ms) of the final response, following same-origin redirects only."""
    started = time.monotonic()
    for _hop in range(MAX_REDIRECTS + 1):
        with client.stream("GET", url, timeout=_remaining(deadline)) as response:
            latency_ms = round((time.monotonic() - started) * 1000)
            _read_some(response, deadline)
            target = _same_origin_redirect(url, response)
            if target is None:
                return response.status_code, latency_ms
        url = target
    raise httpx.TooManyRedirects("too many redirects")


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise ProbeTimeout
    return left


def _read_some(response: httpx.Response, deadline: float) -> None:
    """Read at most MAX_BODY_BYTES, and not past the deadline (a slow drip counts as a hang)."""
    received = 0
    for chunk in response.iter_raw():
        received += len(chunk)
        if received >= MAX_BODY_BYTES:
            return
        _remaining(deadline)


def _same_origin_redirect(url: httpx.URL, response: httpx.Response) -> httpx.URL | None:
    location = response.headers.get("Location")
    if not response.is_redirect or not location:
        return None
    target = url.join(location)
    # Another host (or scheme or port) is not followed: the 3xx itself is the answer.
    return target if _origin(target) == _origin(url) else None


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme)


def probe(
    system: InformationSystem,
    *,
    client: httpx.Client | None = None,
    timeout: float | None = None,
) -> HealthCheck:
    """Probe one system now and store the result."""
    if not system.health_url:
        raise ValueError(f"system {system.pk} has no health URL")
    seconds = timeout or probe_timeout()
    if client is None:
        with probe_client(seconds) as own_client:
            result = measure(system.health_url, client=own_client, timeout=seconds)
    else:
        result = measure(system.health_url, client=client, timeout=seconds)
    return HealthCheck.objects.create(system=system, **_fields(result))


def _fields(result: ProbeResult) -> dict[str, Any]:
    return {
        "checked": result.checked,
        "is_up": result.is_up,
        "status_code": result.status_code,
        "latency_ms": result.latency_ms,
        "error": result.error,
    }


def probe_targets() -> QuerySet[InformationSystem]:
    """Systems with a health URL that still exist as systems."""
    return InformationSystem.objects.filter(lifecycle__in=PROBED_LIFECYCLES).exclude(health_url="")


def probe_all(
    *, on_progress: ProgressCallback | None = None, timeout: float | None = None
) -> list[HealthCheck]:
    """Probe every target concurrently; store the results as they come, in batches."""
    systems = list(probe_targets().only("pk", "health_url"))
    seconds = timeout or probe_timeout()
    saved: list[HealthCheck] = []
    pending: list[HealthCheck] = []
    with probe_client(seconds) as client, ThreadPoolExecutor(PROBE_CONCURRENCY) as pool:
        futures = {
            pool.submit(measure, system.health_url, client=client, timeout=seconds): system
            for system in systems
        }
        for done, future in enumerate(as_completed(futures), start=1):
            pending.append(HealthCheck(system=futures[future], **_fields(future.result())))
            if len(pending) >= SAVE_BATCH:
                saved += HealthCheck.objects.bulk_create(pending)
                pending = []
            if on_progress is not None:
                on_progress(done, len(systems))
    saved += HealthCheck.objects.bulk_create(pending)
    return saved


# --- availability and reachability ----------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """Share of successful probes over the availability window (可用率)."""

    up: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.up / self.total, 1) if self.total else None


def availability_days() -> int:
    return int(param(config.AVAILABILITY_DAYS.key))


def availability(
    system_ids: Iterable[int] | None = None,
    *,
    days: int | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Availability]:
    """Availability per system id over the last ``days`` (the configured window by default)."""
    since = (now or timezone.now()) - dt.timedelta(days=days or availability_days())
    checks = HealthCheck.objects.filter(checked__gte=since)
    if system_ids is not None:
        checks = checks.filter(system_id__in=list(system_ids))
    rows = (
        checks.order_by()
        .values("system_id")
        .annotate(total=Count("pk"), up=Count("pk", filter=Q(is_up=True)))
    )
    return {row["system_id"]: Availability(row["up"], row["total"]) for row in rows}


def latest_probe(field: str) -> Subquery:
    """``field`` of a system's latest health check, to annotate a system queryset with."""
    latest = HealthCheck.objects.filter(system_id=OuterRef("pk")).order_by("-checked", "-pk")
    return Subquery(latest.values(field)[:1])


def with_last_probe(systems: QuerySet[InformationSystem]) -> QuerySet[InformationSystem]:
    """Annotate ``last_checked``, ``last_is_up``, ``last_status_code``, ``last_latency_ms``."""
    return systems.annotate(
        last_checked=latest_probe("checked"),
        last_is_up=latest_probe("is_up"),
        last_status_code=latest_probe("status_code"),
        last_latency_ms=latest_probe("latency_ms"),
    )


# --- connectivity overview (系统联通率) ------------------------------------------------------


@dataclass
class ConnectivityRow:
    """One department's (or the total's) connection and reachability figures."""

    department_id: int | None
    name: str
    required: int = 0  # live systems required to connect to the sharing platform
    connected: int = 0
    live: int = 0
    reachable: int = 0  # the latest probe answered
    unreachable: int = 0  # the latest probe failed
    unprobed: int = 0  # never probed (no health URL, or not probed yet)

    @property
    def rate(self) -> float | None:
        return round(100 * self.connected / self.required, 1) if self.required else None

    def add(self, state: SystemState, last_is_up: bool | None) -> None:
        self.live += 1
        self.required += state.must_connect
        self.connected += state.is_connected
        if last_is_up is None:
            self.unprobed += 1
        elif last_is_up:
            self.reachable += 1
        else:
            self.unreachable += 1


def connectivity_overview(user: Actor) -> tuple[list[ConnectivityRow], ConnectivityRow]:
    """Per department and in total: who must connect, who is connected, who answers probes."""
    systems = InformationSystem.objects.restrict(user, "view").filter(lifecycle__in=LIVE_LIFECYCLES)
    rows = systems.annotate(last_is_up=latest_probe("is_up")).values(
        "pk", "department__name", "last_is_up", *STATE_FIELDS
    )
    total = ConnectivityRow(None, _("Total"))
    departments: dict[int, ConnectivityRow] = {}
    for row in rows:
        state = SystemState.from_record(row["pk"], row)
        department = departments.setdefault(
            row["department_id"], ConnectivityRow(row["department_id"], row["department__name"])
        )
        department.add(state, row["last_is_up"])
        total.add(state, row["last_is_up"])
    return sorted(departments.values(), key=lambda r: r.name), total


# --- chart series for the system page -------------------------------------------------------


def _days(days: int, today: dt.date | None) -> list[dt.date]:
    last = today or timezone.localdate()
    return [last - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def usage_series(
    system: InformationSystem, days: int = 30, today: dt.date | None = None
) -> dict[str, Any]:
    """Daily active users and requests the system reported; a day without a report is a gap
    (null), not zero: no report says nothing about use."""
    dates = _days(days, today)
    reports = UsageReport.objects.filter(system=system, date__gte=dates[0], date__lte=dates[-1])
    by_day = {r.date: r for r in reports.only("date", "active_users", "requests")}
    return {
        "x": [day.isoformat() for day in dates],
        "axes": [{"name": _("Active users")}, {"name": _("Requests")}],
        "series": [
            {
                "name": _("Daily active users"),
                "axis": 0,
                "data": [by_day[d].active_users if d in by_day else None for d in dates],
            },
            {
                "name": _("Requests"),
                "axis": 1,
                "data": [by_day[d].requests if d in by_day else None for d in dates],
            },
        ],
    }


def health_series(
    system: InformationSystem, days: int = 30, today: dt.date | None = None
) -> dict[str, Any]:
    """Per day (local time): share of successful probes (%) and mean latency of those (ms)."""
    dates = _days(days, today)
    start = timezone.make_aware(dt.datetime.combine(dates[0], dt.time.min))
    rows = (
        HealthCheck.objects.filter(system=system, checked__gte=start)
        .annotate(day=TruncDate("checked"))
        .order_by()
        .values("day")
        .annotate(
            total=Count("pk"),
            up=Count("pk", filter=Q(is_up=True)),
            latency=Avg("latency_ms", filter=Q(is_up=True)),
        )
    )
    by_day = {row["day"]: row for row in rows}
    return {
        "x": [day.isoformat() for day in dates],
        "axes": [{"name": _("Availability (%)"), "max": 100}, {"name": _("Latency (ms)")}],
        "series": [
            {
                "name": _("Availability (%)"),
                "axis": 0,
                "data": [_day_availability(by_day.get(d)) for d in dates],
            },
            {
                "name": _("Mean latency (ms)"),
                "axis": 1,
                "data": [_day_latency(by_day.get(d)) for d in dates],
            },
        ],
    }


def _day_availability(row: Mapping[str, Any] | None) -> float | None:
    return Availability(row["up"], row["total"]).percent if row else None


def _day_latency(row: Mapping[str, Any] | None) -> int | None:
    return round(row["latency"]) if row and row["latency"] is not None else None
