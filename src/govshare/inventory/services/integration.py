"""Writes of the integration plans (整合方案): a department merges its scattered systems into one.

The rules of the plans: the target "big system" and every system merged into it belong to the
department; classified systems (涉密) never join a plan; a system is never both target and item;
an item marked done is merged into the target through the lifecycle, like any other merge.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.core.transitions import check_transition
from govshare.inventory.choices import (
    INTEGRATION_ITEM_TRANSITIONS,
    LIFECYCLE_TRANSITIONS,
    LIVE_LIFECYCLES,
    IntegrationStatus,
    Lifecycle,
)
from govshare.inventory.errors import InventoryCode
from govshare.inventory.models import InformationSystem, IntegrationItem, IntegrationPlan
from govshare.inventory.services.systems import apply_lifecycle
from govshare.orgs.models import Department


def integration_plan_set(
    *, actor: Actor, department: Department, target_system: InformationSystem, note: str = ""
) -> IntegrationPlan:
    """Name (or change) the department's target system, the one the others merge into."""
    plan = IntegrationPlan.objects.filter(department=department).first()
    plan = plan or IntegrationPlan(department=department)
    require(actor, "change", plan)
    _check_target(plan, target_system)
    with transaction.atomic():
        before = audit.snapshot(plan) if plan.pk else None
        plan.target_system, plan.note = target_system, (note or "").strip()
        plan.save()
        audit.record(
            actor=actor,
            action="inventory.integration.plan",
            obj=plan,
            department_id=department.pk,
            before=before,
            after=audit.snapshot(plan),
        )
    return plan


def _check_target(plan: IntegrationPlan, target: InformationSystem) -> None:
    errors = ErrorCollector()
    _check_belongs(errors, "target_system", plan.department_id, target)
    if target.lifecycle not in LIVE_LIFECYCLES:
        errors.add(
            "target_system",
            _("The target system must be in use or under construction."),
            ErrorCode.INVALID,
        )
    if plan.pk and plan.items.filter(system=target).exists():
        errors.add(
            "target_system",
            _("%(name)s is merged by this plan; it cannot also be its target.")
            % {"name": target.name},
            ErrorCode.CONFLICT,
        )
    if plan.pk and plan.target_system_id != target.pk and _has_done_items(plan):
        # Systems already merged point at the current target; moving it would orphan them.
        errors.add(
            "target_system",
            _("Systems were already merged into the current target; it can no longer change."),
            ErrorCode.CONFLICT,
        )
    errors.raise_if_any()


def _check_belongs(
    errors: ErrorCollector, field: str, department_id: int | None, system: InformationSystem
) -> None:
    if system.department_id != department_id:
        errors.add(field, _("The system belongs to another department."), ErrorCode.CONFLICT)
    if system.is_secret:
        # 国办发〔2017〕39号: classified systems stay out of integration and sharing.
        errors.add(
            field,
            _("A classified system never joins an integration plan."),
            InventoryCode.SECRET_NOT_INTEGRATED,
        )


def _has_done_items(plan: IntegrationPlan) -> bool:
    return plan.items.filter(status=IntegrationStatus.DONE).exists()


def integration_item_add(
    *, actor: Actor, plan: IntegrationPlan, system: InformationSystem, due: dt.date | None = None
) -> IntegrationItem:
    """Add a system that the plan merges into its target."""
    require(actor, "change", plan)
    _check_item(plan, system)
    with transaction.atomic():
        item = IntegrationItem.objects.create(plan=plan, system=system, due=due)
        audit.record(
            actor=actor,
            action="inventory.integration.item_add",
            obj=item,
            department_id=plan.department_id,
            after=audit.snapshot(item),
        )
    return item


def _check_item(plan: IntegrationPlan, system: InformationSystem) -> None:
    errors = ErrorCollector()
    _check_belongs(errors, "system", plan.department_id, system)
    if system.pk == plan.target_system_id:
        errors.add("system", _("The target system is not merged into itself."), ErrorCode.CONFLICT)
    elif Lifecycle.MERGED not in LIFECYCLE_TRANSITIONS.get(system.lifecycle, frozenset()):
        errors.add(
            "system",
            _("A system that is %(status)s cannot be merged.")
            % {"status": system.get_lifecycle_display()},
            ErrorCode.INVALID,
        )
    if IntegrationItem.objects.filter(system=system).exists():
        errors.add(
            "system", _("The system is already in an integration plan."), ErrorCode.DUPLICATE
        )
    errors.raise_if_any()


def integration_item_remove(*, actor: Actor, item: IntegrationItem) -> None:
    """Take a system out of the plan, unless it has already been merged."""
    require(actor, "change", item.plan)
    if item.status == IntegrationStatus.DONE:
        raise field_error(
            "status", _("A merged system stays in the plan as its record."), ErrorCode.CONFLICT
        )
    with transaction.atomic():
        before = audit.snapshot(item)
        audit.record(
            actor=actor,
            action="inventory.integration.item_remove",
            obj=item,
            department_id=item.plan.department_id,
            before=before,
        )
        item.delete()


def integration_item_set_status(
    *, actor: Actor, item: IntegrationItem, status: str, note: str = ""
) -> IntegrationItem:
    """Move an item along planned → in progress → done; done merges the system into the target."""
    plan = item.plan
    require(actor, "change", plan)
    check_transition(
        INTEGRATION_ITEM_TRANSITIONS, item.status, status, dict(IntegrationStatus.choices)
    )
    with transaction.atomic():
        before = {"status": item.status}
        if status == IntegrationStatus.DONE:
            apply_lifecycle(actor, item.system, Lifecycle.MERGED, plan.target_system, note)
        item.status = status
        item.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="inventory.integration.item_status",
            obj=item,
            department_id=plan.department_id,
            before=before,
            after={"status": status, "note": note},
        )
    return item
