"""The inventory part of the demo city: ~80 systems with census returns, usage history,
health history against the demo's own upstream endpoints, and a zombie assessment."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from govshare.core.actors import Actor
from govshare.demo.city import DEPARTMENTS
from govshare.demo.inventory_data import SYSTEMS
from govshare.inventory.choices import CensusStatus, CleanupDecision, Lifecycle
from govshare.inventory.models import (
    CensusReturn,
    CleanupRecord,
    HealthCheck,
    InformationSystem,
    SystemRevision,
    UsageReport,
    ZombieAssessment,
    ZombieFinding,
)
from govshare.inventory.services import (
    census_review,
    census_submit,
    cleanup_decide,
    system_create,
    system_update,
    zombie_assess,
)
from govshare.orgs.models import Department

Say = Callable[[str], None]
MARKERS = ("unused", "health")
BASE = {
    "usage_scope": "internal",
    "usage_frequency": "daily",
    "funding_source": "fiscal",
    "construction_mode": "self_built",
    "deployment": "gov_cloud",
    "cloud_status": "migrated",
    "network_domain": "extranet_admin",
    "vertical_origin": "local",
    "sharing_status": "connected",
    "sso_status": "connected",
}


# The state a progressed system was first registered in: cloud migration planned, connection to
# the sharing platform under way, not yet on unified login.
EARLIER = {
    "cloud_status": "planned",
    "deployment": "own_room",
    "sharing_status": "in_progress",
    "sso_status": "not_connected",
}
PROGRESS_NOTE = "已迁移至政务云，接入共享交换平台和统一身份认证平台"
# (system merged, system it is merged into, reason): the authority's clean-up decision.
MERGES = (
    (
        "寿光市社会治理网格事件系统",
        "寿光市网格化社会治理平台",
        "功能与寿光市网格化社会治理平台重复，事件数据已迁移，按整合方案并入",
    ),
)
ASSESSED_DAYS_AGO = 185
CLEANED_UP_DAYS_AGO = 62


def demo_base_url() -> str:
    """Where the demo's simulated systems answer health checks (the platform itself)."""
    port = os.environ.get("PORT", "8000")
    return os.environ.get("GOVSHARE_DEMO_BASE_URL", f"http://127.0.0.1:{port}")


def load_inventory(actor: Actor, say: Say) -> None:
    departments = {key: Department.objects.get(name=name) for key, name, *_r in DEPARTMENTS}
    created: list[InformationSystem] = []
    for index, (key, name, description, overrides) in enumerate(SYSTEMS):
        department = departments[key]
        if InformationSystem.objects.filter(department=department, name=name).exists():
            continue
        record = _census_record(index, name, description, overrides)
        system = _register(actor, department, index, record)
        _history(system, index, overrides)
        created.append(system)
    if created:
        _census_returns(actor, departments)
        _assess_then_clean_up(actor)
        spread_history(created)
    say(f"inventory: {len(created)} systems created, {InformationSystem.objects.count()} in all")


def _register(
    actor: Actor, department: Department, index: int, record: dict[str, Any]
) -> InformationSystem:
    """Register the system; one in three of those now on the cloud and connected was registered
    before it got there, and its record was updated when it did (a second version)."""
    progressed = (
        index % 3 == 1
        and not record.get("is_secret")
        and record["cloud_status"] == "migrated"
        and record["sharing_status"] == "connected"
    )
    first = {**record, **EARLIER} if progressed else record
    system = system_create(actor=actor, department=department, data=first, note="年度普查登记")
    if progressed:
        system = system_update(actor=actor, system=system, data=record, note=PROGRESS_NOTE)
    return system


def _assess_then_clean_up(actor: Actor) -> None:
    """The quarterly zombie assessment, a clean-up decision on one flagged duplicate, then the
    assessment of today (spread_history dates the first two back)."""
    zombie_assess(actor=actor)
    for name, target, reason in MERGES:
        system = InformationSystem.objects.filter(name=name, lifecycle=Lifecycle.IN_USE).first()
        into = InformationSystem.objects.filter(name=target).first()
        if system is not None and into is not None:
            cleanup_decide(
                actor=actor,
                system=system,
                decision=CleanupDecision.MERGE,
                reason=reason,
                merge_target=into,
            )
    zombie_assess(actor=actor)


# --- history: the census began last year ----------------------------------------------------


def spread_history(systems: list[InformationSystem]) -> None:
    """Date the new systems' census back over the past year.

    The services stamp every step "now", so a freshly loaded demo would count nothing for past
    months: the indicators of a past month read each system's latest version before that
    month's end. Here (machine state, as catalog.spread_history does for resources) each system
    is registered 9 to 11 months ago, its later versions fall in between, the first zombie
    assessment and the clean-up decision half a year and two months ago. The audit trail keeps
    the real load time: its chain is not touched.
    """
    rng = random.Random(2017133)  # 潍政办字〔2017〕133号
    now = timezone.now()
    revisions: dict[int, list[SystemRevision]] = defaultdict(list)
    for revision in SystemRevision.objects.filter(system__in=systems).order_by("number"):
        revisions[revision.system_id].append(revision)
    for system in systems:
        system.created = now - dt.timedelta(days=rng.uniform(270, 330))
        later = sorted(
            now - dt.timedelta(days=rng.uniform(20, 240)) for _ in revisions[system.pk][1:]
        )
        for revision, when in zip(revisions[system.pk], [system.created, *later], strict=True):
            revision.created = when
    InformationSystem.objects.bulk_update(systems, ["created"], batch_size=500)
    SystemRevision.objects.bulk_update(
        [r for group in revisions.values() for r in group], ["created"], batch_size=500
    )
    _date_back_the_first_assessment(now - dt.timedelta(days=ASSESSED_DAYS_AGO))
    _date_back_the_clean_up(now - dt.timedelta(days=CLEANED_UP_DAYS_AGO))


def _date_back_the_first_assessment(when: dt.datetime) -> None:
    first = ZombieAssessment.objects.order_by("assessed").first()
    if first is None or ZombieAssessment.objects.count() < 2:
        return
    ZombieFinding.history.filter(assessed=first.assessed).update(assessed=when)
    ZombieAssessment.objects.filter(pk=first.pk).update(assessed=when)


def _date_back_the_clean_up(when: dt.datetime) -> None:
    for record in CleanupRecord.objects.select_related("system"):
        CleanupRecord.objects.filter(pk=record.pk).update(decided=when)
        last = record.system.revisions.order_by("-number").first()
        if last is not None and "lifecycle" in last.changed_fields:
            SystemRevision.objects.filter(pk=last.pk).update(created=when)


def _census_record(index: int, name: str, description: str, overrides: dict) -> dict[str, Any]:
    rng = random.Random(index)
    today = timezone.localdate()
    go_live = dt.date(2015 + index % 9, 1 + index % 12, 1)
    record: dict[str, Any] = {
        **BASE,
        "name": name,
        "function_description": description,
        "active_users": rng.randint(30, 400),
        "approving_department": "潍坊市发展和改革委员会",
        "approval_date": go_live - dt.timedelta(days=300),
        "construction_investment": rng.randint(50, 1200),
        "annual_om_cost": rng.randint(5, 120),
        "go_live_date": go_live,
        "last_software_update": today - dt.timedelta(days=rng.randint(20, 300)),
        "protection_level": 2 + index % 2,
        "protection_filing_number": f"37070013{index:03d}-{go_live:%y}001",
        "health_url": f"{demo_base_url()}/demo/upstream/health/{index}",
    }
    if index % 7 == 3:
        record.update(cloud_status="planned", deployment="own_room", sharing_status="in_progress")
    if index % 9 == 4:
        record.update(sso_status="not_connected", sharing_status="not_connected")
    record.update({k: v for k, v in overrides.items() if k not in MARKERS})
    if record["last_software_update"] < record["go_live_date"]:
        record["go_live_date"] = record["last_software_update"]
    record["approval_date"] = record["go_live_date"] - dt.timedelta(days=200)
    return record


def _history(system: InformationSystem, index: int, overrides: dict) -> None:
    """Thirty days of usage (or one report 200 days ago for unused systems), three days of
    health probes every two hours (machine data: written directly, not through services)."""
    rng = random.Random(1000 + index)
    today = timezone.localdate()
    days = [200] if overrides.get("unused") else range(1, 31)
    UsageReport.objects.bulk_create(
        UsageReport(
            system=system,
            date=today - dt.timedelta(days=d),
            active_users=max(0, int(system.active_users * rng.uniform(0.3, 0.9))),
            requests=rng.randint(50, 5000),
        )
        for d in days
    )
    down = overrides.get("health") in ("down", "slow")
    now = timezone.now()
    HealthCheck.objects.bulk_create(
        HealthCheck(
            system=system,
            checked=now - dt.timedelta(hours=2 * h),
            is_up=not down and rng.random() > 0.03,
            status_code=None if down else 200,
            latency_ms=None if down else rng.randint(15, 180),
            error="connection refused" if down else "",
        )
        for h in range(1, 37)
    )


def _census_returns(actor: Actor, departments: dict[str, Department]) -> None:
    """Most departments have submitted their census; the authority confirmed most of those."""
    for position, department in enumerate(departments.values()):
        if not department.systems.exists():
            continue
        if (
            CensusReturn.objects.filter(department=department)
            .exclude(status=CensusStatus.DRAFT)
            .exists()
        ):
            continue
        if position % 6 == 5:
            continue  # not yet submitted
        census = census_submit(actor=actor, department=department, note="年度普查填报")
        if position % 4 != 3:
            census_review(actor=actor, census=census, confirm=True, note="经核对，予以确认")
