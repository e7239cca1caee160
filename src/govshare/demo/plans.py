"""The inventory's plans in the demo city (``data/projects.yaml``): IT projects filed for the
funding gate, integration plans, and systems found outside the census (影子系统) — each through
the inventory's services, as a department's officer, the authority or a machine would do it."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from govshare.core.actors import Actor
from govshare.demo.city import DEPARTMENTS
from govshare.demo.datafiles import load
from govshare.inventory.choices import IntegrationStatus, ShadowStatus
from govshare.inventory.models import (
    InformationSystem,
    IntegrationItem,
    IntegrationPlan,
    Project,
    ShadowSystem,
)
from govshare.inventory.services import (
    integration_item_add,
    integration_item_set_status,
    integration_plan_set,
    project_create,
    shadow_record,
    shadow_resolve,
)
from govshare.orgs.models import Department

Say = Callable[[str], None]
PROJECT_FIELDS = ("name", "funding_channel", "stage", "filing_status", "data_resources")


def load_plans(actor: Actor, say: Say) -> None:
    data = load("projects")
    departments = {key: Department.objects.get(name=name) for key, name, *_r in DEPARTMENTS}
    projects = sum(_project(actor, departments[p["department"]], p) for p in data["projects"])
    for plan in data["integration_plans"]:
        _integration_plan(actor, departments[plan["department"]], plan)
    for shadow in data["shadow_systems"]:
        _shadow(actor, departments[shadow["department"]], shadow)
    say(
        f"plans: {projects} IT projects created, {Project.objects.count()} in all; "
        f"{IntegrationPlan.objects.count()} integration plans, "
        f"{ShadowSystem.objects.count()} shadow systems"
    )


def _project(actor: Actor, department: Department, entry: dict[str, Any]) -> int:
    if Project.objects.filter(department=department, name=entry["name"]).exists():
        return 0
    data = {field: entry.get(field, "") for field in PROJECT_FIELDS}
    data["investment"] = Decimal(entry["investment"])
    data["annual_om_cost"] = Decimal(entry["annual_om_cost"])
    systems = InformationSystem.objects.filter(department=department, name__in=entry["systems"])
    project_create(actor=actor, department=department, data=data, systems=list(systems))
    return 1


def _integration_plan(actor: Actor, department: Department, entry: dict[str, Any]) -> None:
    if IntegrationPlan.objects.filter(department=department).exists():
        return
    own = InformationSystem.objects.filter(department=department)
    target = own.filter(name=entry["target"]).first()
    merged = list(own.filter(name__in=entry["merge"]))
    if target is None or not merged:
        return
    plan = integration_plan_set(
        actor=actor, department=department, target_system=target, note=entry["note"]
    )
    for system in merged:
        if IntegrationItem.objects.filter(system=system).exists():
            continue
        item = integration_item_add(actor=actor, plan=plan, system=system)
        if entry["status"] == IntegrationStatus.IN_PROGRESS:
            integration_item_set_status(actor=actor, item=item, status=entry["status"])


def _shadow(actor: Actor, department: Department, entry: dict[str, Any]) -> None:
    if ShadowSystem.objects.filter(name=entry["name"]).exists():
        return
    shadow = shadow_record(name=entry["name"], source=entry["source"], department=department)
    if entry.get("dismissed"):
        shadow_resolve(
            actor=actor, shadow=shadow, status=ShadowStatus.DISMISSED, note=entry["dismissed"]
        )
