"""The inventory part of the demo city: ~80 systems with census returns, usage history,
health history against the demo's own upstream endpoints, and a zombie assessment."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from govshare.demo.city import DEPARTMENTS
from govshare.demo.inventory_data import SYSTEMS
from govshare.inventory.choices import CensusStatus
from govshare.inventory.models import CensusReturn, HealthCheck, InformationSystem, UsageReport
from govshare.inventory.services import (
    census_review,
    census_submit,
    system_create,
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


def demo_base_url() -> str:
    """Where the demo's simulated systems answer health checks (the platform itself)."""
    port = os.environ.get("PORT", "8000")
    return os.environ.get("GOVSHARE_DEMO_BASE_URL", f"http://127.0.0.1:{port}")


def load_inventory(actor: Any, say: Say) -> None:
    departments = {key: Department.objects.get(name=name) for key, name, *_r in DEPARTMENTS}
    created = 0
    for index, (key, name, description, overrides) in enumerate(SYSTEMS):
        department = departments[key]
        if InformationSystem.objects.filter(department=department, name=name).exists():
            continue
        system = system_create(
            actor=actor,
            department=department,
            data=_census_record(index, name, description, overrides),
        )
        _history(system, index, overrides)
        created += 1
    if created:
        _census_returns(actor, departments)
        zombie_assess(actor=actor)
    say(f"inventory: {created} systems created, {InformationSystem.objects.count()} in all")


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


def _census_returns(actor: Any, departments: dict[str, Department]) -> None:
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
