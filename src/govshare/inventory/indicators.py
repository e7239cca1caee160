"""The indicators this module owns, computed live and for any past month.

- 系统整合数: systems merged or retired;
- 系统联通率: systems connected to the sharing platform ÷ systems required to connect;
- 上云率: systems on the government cloud ÷ live systems not exempt from migration;
- 僵尸系统数: systems flagged by the latest zombie assessment, less those merged or retired
  since (their clean-up is done);
- 统一登录覆盖率: systems connected to unified login ÷ live systems that need it.

A past month is read at its end (the first instant of the next month, local time): each
system's state is its latest SystemRevision created before then — every revision stores the
whole record — so one set of rules computes both the live and the historical figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from govshare.core import months
from govshare.core.actors import Actor
from govshare.inventory.choices import (
    INTEGRATED_LIFECYCLES,
    LIVE_LIFECYCLES,
    CloudStatus,
    Connection,
    Lifecycle,
)
from govshare.inventory.models import InformationSystem, SystemRevision, ZombieFinding
from govshare.orgs.models import Department

STATE_FIELDS = (
    "department_id",
    "lifecycle",
    "is_secret",
    "sharing_status",
    "sso_status",
    "cloud_status",
)


# --- the state of a system, now or at a month's end -----------------------------------------


@dataclass(frozen=True)
class SystemState:
    """The census fields the indicators read, from the live row or from a revision."""

    system_id: int
    department_id: int | None
    lifecycle: str
    is_secret: bool
    sharing_status: str
    sso_status: str
    cloud_status: str

    @property
    def is_live(self) -> bool:
        return self.lifecycle in LIVE_LIFECYCLES

    @property
    def is_integrated(self) -> bool:
        return self.lifecycle in INTEGRATED_LIFECYCLES

    @property
    def must_connect(self) -> bool:
        """Required to connect to the sharing platform: live, not classified (涉密 systems stay
        out by rule), and not marked as needing no connection."""
        return (
            self.is_live and not self.is_secret and self.sharing_status != Connection.NOT_REQUIRED
        )

    @property
    def is_connected(self) -> bool:
        return self.must_connect and self.sharing_status == Connection.CONNECTED

    @property
    def must_migrate(self) -> bool:
        return self.is_live and self.cloud_status != CloudStatus.EXEMPT

    @property
    def is_migrated(self) -> bool:
        return self.must_migrate and self.cloud_status == CloudStatus.MIGRATED

    @property
    def needs_sso(self) -> bool:
        return self.is_live and not self.is_secret and self.sso_status != Connection.NOT_REQUIRED

    @property
    def has_sso(self) -> bool:
        return self.needs_sso and self.sso_status == Connection.CONNECTED

    @classmethod
    def from_record(cls, system_id: int, record: dict[str, Any]) -> SystemState:
        """From a live row's values or a revision's ``data`` (which names the FK "department")."""
        department = record.get("department_id", record.get("department"))
        return cls(
            system_id=system_id,
            department_id=department,
            lifecycle=record.get("lifecycle", Lifecycle.IN_USE),
            is_secret=bool(record.get("is_secret", False)),
            sharing_status=record.get("sharing_status", Connection.NOT_CONNECTED),
            sso_status=record.get("sso_status", Connection.NOT_CONNECTED),
            cloud_status=record.get("cloud_status", CloudStatus.NOT_PLANNED),
        )


def live_states(systems: QuerySet[InformationSystem]) -> list[SystemState]:
    return [SystemState.from_record(row["pk"], row) for row in systems.values("pk", *STATE_FIELDS)]


def states_at(systems: QuerySet[InformationSystem], end: dt.datetime) -> list[SystemState]:
    """Each system as its latest revision before ``end`` recorded it.

    A system created before ``end`` with no revision before it (loaded without the census
    services) is taken as it is now: the best that is known of it.
    """
    latest = SystemRevision.objects.filter(system_id=OuterRef("pk"), created__lt=end).order_by(
        "-created", "-number"
    )
    rows = (
        systems.filter(created__lt=end)
        .annotate(record=Subquery(latest.values("data")[:1]))
        .values("pk", "record", *STATE_FIELDS)
    )
    return [SystemState.from_record(row["pk"], row["record"] or row) for row in rows]


# --- indicator definitions ------------------------------------------------------------------

Predicate = Callable[[SystemState], bool]


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator as data: a count (no denominator) or a rate of two counts."""

    key: str
    label: Any
    formula: Any
    numerator: Predicate
    denominator: Predicate | None = None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


INTEGRATED = IndicatorSpec(
    "integrated",
    gettext_lazy("Systems integrated"),
    # Says what is counted, not the label again (issue 12: "已整合系统数 + 已清理系统数").
    gettext_lazy(
        "systems merged into another system or retired (clean-up done), as recorded by the "
        "end of the month; each system counted once"
    ),
    lambda s: s.is_integrated,
)
CONNECTIVITY = IndicatorSpec(
    "connectivity",
    gettext_lazy("Connectivity rate"),
    gettext_lazy(
        "systems connected to the sharing platform ÷ live systems required to connect "
        "(not classified, connection not marked as not required)"
    ),
    lambda s: s.is_connected,
    lambda s: s.must_connect,
)
CLOUD = IndicatorSpec(
    "cloud",
    gettext_lazy("Cloud migration rate"),
    gettext_lazy("live systems on the government cloud ÷ live systems not exempt from migration"),
    lambda s: s.is_migrated,
    lambda s: s.must_migrate,
)
ZOMBIES = IndicatorSpec(
    "zombies",
    gettext_lazy("Zombie systems"),
    gettext_lazy(
        "systems flagged by at least one zombie rule in the latest assessment, "
        "less those merged or retired since"
    ),
    lambda s: False,  # counted from the findings, see _zombie_indicator
)
SSO = IndicatorSpec(
    "sso",
    gettext_lazy("Unified-login coverage"),
    gettext_lazy(
        "live systems connected to unified login ÷ live systems that are not classified and "
        "not marked as not requiring it"
    ),
    lambda s: s.has_sso,
    lambda s: s.needs_sso,
)
SPECS = (INTEGRATED, CONNECTIVITY, CLOUD, ZOMBIES, SSO)


@dataclass(frozen=True)
class Indicator:
    """One figure with its formula and the counts behind it."""

    key: str
    label: Any
    formula: Any
    numerator: int | None
    denominator: int | None = None
    is_rate: bool = False

    @property
    def value(self) -> float | int | None:
        """A count, or a rate in percent (None when nothing is counted)."""
        if not self.is_rate:
            return self.numerator
        if self.numerator is None or not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def display(self) -> str:
        value = self.value
        if value is None:
            return "—"
        return f"{value:g}%" if self.is_rate else str(value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": str(self.label),
            "formula": str(self.formula),
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "is_rate": self.is_rate,
        }


@dataclass(frozen=True)
class DepartmentIndicators:
    department_id: int | None
    name: str
    indicators: list[Indicator]


@dataclass(frozen=True)
class IndicatorReport:
    """The indicators for a month's end (or now), in total and per department."""

    month: dt.date | None
    as_of: dt.datetime
    totals: list[Indicator]
    departments: list[DepartmentIndicators]

    @property
    def is_live(self) -> bool:
        return self.month is None


def compute(
    spec: IndicatorSpec, states: Iterable[SystemState], zombies: set[int] | None = None
) -> Indicator:
    """One indicator over ``states``; ``zombies`` holds the flagged system ids (None when no
    assessment had run by then)."""
    states = list(states)
    if spec is ZOMBIES:
        return _zombie_indicator(states, zombies)
    numerator = sum(1 for s in states if spec.numerator(s))
    if spec.denominator is None:
        return Indicator(spec.key, spec.label, spec.formula, numerator)
    denominator = sum(1 for s in states if spec.denominator(s))
    return Indicator(spec.key, spec.label, spec.formula, numerator, denominator, is_rate=True)


def _zombie_indicator(states: list[SystemState], zombies: set[int] | None) -> Indicator:
    # The rule of ZombieFindingQuerySet.standing, over the states: a system merged or retired
    # by then is no zombie, even if the assessment that stood then had flagged it.
    count = (
        None
        if zombies is None
        else sum(1 for s in states if s.system_id in zombies and not s.is_integrated)
    )
    return Indicator(ZOMBIES.key, ZOMBIES.label, ZOMBIES.formula, count)


# --- months ---------------------------------------------------------------------------------


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the month's first day; a malformed or future month is an error."""
    return months.parse_month(text, not_after=timezone.localdate())


def month_end(month: dt.date) -> dt.datetime:
    """The first instant after ``month``, local time."""
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time.min))


# --- the report -----------------------------------------------------------------------------


def indicator_values(user: Actor, month: dt.date | None = None) -> IndicatorReport:
    """The indicators over the systems ``user`` may see: now, or at the end of ``month``."""
    systems = InformationSystem.objects.restrict(user, "view")
    now = timezone.now()
    end = month_end(month) if month is not None else None
    zombies: set[int] | None
    if end is None or end > now:  # the current month is still running: its state is now
        states, zombies = live_states(systems), _zombies_now(systems)
    else:
        states, zombies = states_at(systems, end), _zombies_at(systems, end)
    as_of = min(end, now) if end is not None else now
    totals = [compute(spec, states, zombies) for spec in SPECS]
    return IndicatorReport(month, as_of, totals, _per_department(states, zombies))


def _per_department(
    states: list[SystemState], zombies: set[int] | None
) -> list[DepartmentIndicators]:
    groups: dict[int | None, list[SystemState]] = {}
    for state in states:
        groups.setdefault(state.department_id, []).append(state)
    names = dict(
        Department.objects.filter(pk__in=[k for k in groups if k]).values_list("pk", "name")
    )
    rows = [
        DepartmentIndicators(
            department_id,
            names.get(department_id, "—") if department_id else "—",
            [compute(spec, group, zombies) for spec in SPECS],
        )
        for department_id, group in groups.items()
    ]
    return sorted(rows, key=lambda row: row.name)


def _zombies_now(systems: QuerySet[InformationSystem]) -> set[int]:
    flagged = ZombieFinding.objects.standing().filter(system__in=systems.values("pk"))
    return set(flagged.values_list("system_id", flat=True).distinct())


def _zombies_at(systems: QuerySet[InformationSystem], end: dt.datetime) -> set[int] | None:
    """The zombie list as it stood at ``end``: the findings of the last assessment before it
    (assessments are kept). No assessment before ``end``: unknown. Whether a flagged system was
    merged or retired by then is read from its state at ``end`` (``_zombie_indicator``), not
    from its lifecycle now."""
    last = ZombieFinding.history.filter(assessed__lt=end).aggregate(last=Max("assessed"))["last"]
    if last is None:
        return None
    flagged = ZombieFinding.history.filter(assessed=last, system__in=systems.values("pk"))
    return set(flagged.values_list("system_id", flat=True).distinct())
