"""The zombie-system rules (僵尸系统认定), after the plans' three criteria:

1. detached from the business (脱离业务): no real use for N days, or no software update for M
   months;
2. replaceable (功能可替代): its functions duplicate another system's — same department first,
   then across departments — by similarity of the function descriptions;
3. idle (资源闲置): money is spent running it, but it serves one department, rarely, few users.

``assess`` evaluates every system in use and returns the findings with their evidence; the
service in ``zombie_services`` stores them as the clean-up list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from govshare.core.config import param
from govshare.inventory import config
from govshare.inventory.choices import Lifecycle, UsageFrequency, UsageScope, ZombieRule
from govshare.inventory.models import HealthCheck, InformationSystem, UsageReport
from govshare.inventory.similarity import similar_pairs

IDLE_FREQUENCIES = frozenset({UsageFrequency.MONTHLY, UsageFrequency.RARELY})


@dataclass
class Finding:
    system: InformationSystem
    rule: str
    evidence: dict[str, Any]
    score: float | None = None
    matched_system: InformationSystem | None = None


@dataclass
class Thresholds:
    unused_days: int = field(default_factory=lambda: int(param(config.UNUSED_DAYS.key)))
    stale_months: int = field(default_factory=lambda: int(param(config.STALE_MONTHS.key)))
    similarity: float = field(default_factory=lambda: float(param(config.SIMILARITY.key)))
    idle_users: int = field(default_factory=lambda: int(param(config.IDLE_USERS.key)))


def assess(today: dt.date | None = None, thresholds: Thresholds | None = None) -> list[Finding]:
    """Every rule over every system in use."""
    today = today or timezone.localdate()
    limits = thresholds or Thresholds()
    systems = list(
        InformationSystem.objects.filter(lifecycle=Lifecycle.IN_USE).select_related("department")
    )
    findings = detached(systems, today, limits) + replaceable(systems, limits)
    return findings + idle(systems, limits)


def detached(systems: list[InformationSystem], today: dt.date, limits: Thresholds) -> list[Finding]:
    last_use = _last_use_dates()
    last_up = _last_reachable_dates()
    findings = []
    for system in systems:
        evidence = _unused_evidence(
            system, today, limits, last_use.get(system.pk), last_up.get(system.pk)
        )
        evidence.update(_stale_evidence(system, today, limits))
        if evidence:
            findings.append(Finding(system, ZombieRule.DETACHED, evidence))
    return findings


def _unused_evidence(
    system: InformationSystem,
    today: dt.date,
    limits: Thresholds,
    last_use: dt.date | None,
    last_up: dt.date | None,
) -> dict[str, Any]:
    started = system.go_live_date or system.created.date()
    # Usage comes from the usage reports and from the health prober (issue 3, rule 1).
    since = max(d for d in (last_use, last_up, started) if d is not None)
    idle_days = (today - since).days
    if idle_days < limits.unused_days:
        return {}
    return {
        "last_use": last_use.isoformat() if last_use else None,
        "last_reachable": last_up.isoformat() if last_up else None,
        "days_without_use": idle_days,
        "threshold_days": limits.unused_days,
    }


def _stale_evidence(
    system: InformationSystem, today: dt.date, limits: Thresholds
) -> dict[str, Any]:
    updated = system.last_software_update or system.go_live_date
    if updated is None:
        return {}
    months = (today.year - updated.year) * 12 + today.month - updated.month
    if months < limits.stale_months:
        return {}
    return {
        "last_update": updated.isoformat(),
        "months_without_update": months,
        "threshold_months": limits.stale_months,
    }


def _last_use_dates() -> dict[int, dt.date]:
    used = UsageReport.objects.filter(Q(active_users__gt=0) | Q(requests__gt=0))
    return dict(used.values("system").annotate(last=Max("date")).values_list("system", "last"))


def _last_reachable_dates() -> dict[int, dt.date]:
    rows = (
        HealthCheck.objects.filter(is_up=True)
        .values("system")
        .annotate(last=Max("checked"))
        .values_list("system", "last")
    )
    return {system_id: timezone.localtime(last).date() for system_id, last in rows}


def replaceable(systems: list[InformationSystem], limits: Thresholds) -> list[Finding]:
    """Duplicates: the system with fewer active users is the one the other can replace."""
    by_id = {s.pk: s for s in systems if not s.is_secret}
    texts = {pk: f"{s.name} {s.function_description}" for pk, s in by_id.items()}
    pairs = similar_pairs(texts, limits.similarity)
    # Same department first (the plans merge within a department before across departments).
    pairs.sort(
        key=lambda m: (by_id[m.left].department_id != by_id[m.right].department_id, -m.score)
    )
    findings, flagged = [], set()
    for match in pairs:
        weaker, stronger = _order(by_id[match.left], by_id[match.right])
        if weaker.pk in flagged:
            continue
        flagged.add(weaker.pk)
        same = weaker.department_id == stronger.department_id
        evidence = {
            "matched_system": stronger.name,
            "matched_department": str(stronger.department),
            "same_department": same,
            "similarity": match.score,
            "shared_terms": list(match.shared_terms),
        }
        findings.append(Finding(weaker, ZombieRule.REPLACEABLE, evidence, match.score, stronger))
    return findings


def _order(
    a: InformationSystem, b: InformationSystem
) -> tuple[InformationSystem, InformationSystem]:
    key_a = (a.active_users, -(a.go_live_date or dt.date.max).toordinal(), -a.pk)
    key_b = (b.active_users, -(b.go_live_date or dt.date.max).toordinal(), -b.pk)
    return (a, b) if key_a < key_b else (b, a)


def idle(systems: list[InformationSystem], limits: Thresholds) -> list[Finding]:
    findings = []
    for system in systems:
        if (
            system.usage_scope == UsageScope.INTERNAL
            and system.usage_frequency in IDLE_FREQUENCIES
            and system.active_users <= limits.idle_users
            and system.annual_om_cost > 0
        ):
            evidence = {
                "usage_scope": system.get_usage_scope_display(),
                "usage_frequency": system.get_usage_frequency_display(),
                "active_users": system.active_users,
                "threshold_users": limits.idle_users,
                "annual_om_cost": str(system.annual_om_cost),
            }
            findings.append(Finding(system, ZombieRule.IDLE, evidence))
    return findings
