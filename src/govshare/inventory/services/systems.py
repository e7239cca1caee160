"""Writes of the census: systems, their lifecycle and versions, and census returns.

Every function authorizes, validates (all errors at once, naming field and rule), writes in a
transaction and records an audit event.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.assign import assign
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.core.transitions import check_transition
from govshare.inventory.choices import (
    CENSUS_TRANSITIONS,
    LIFECYCLE_TRANSITIONS,
    LIVE_LIFECYCLES,
    CensusStatus,
    Connection,
    Lifecycle,
)
from govshare.inventory.errors import InventoryCode
from govshare.inventory.health import is_probe_address
from govshare.inventory.models import CensusEvent, CensusReturn, InformationSystem, SystemRevision
from govshare.orgs.models import Department

# The census fields a department fills in (the order of the census workbook).
SYSTEM_FIELDS = (
    "name",
    "function_description",
    "usage_scope",
    "usage_frequency",
    "active_users",
    "approving_department",
    "approval_date",
    "funding_source",
    "construction_mode",
    "construction_investment",
    "annual_om_cost",
    "go_live_date",
    "last_software_update",
    "deployment",
    "cloud_status",
    "network_domain",
    "vertical_origin",
    "protection_level",
    "protection_filing_number",
    "is_secret",
    "sso_status",
    "sharing_status",
    "health_url",
)
REVISION_EXCLUDE = ("report_key_id", "report_secret_hash", "created", "updated")


# --- validation -----------------------------------------------------------------------------


@internal("the census rules, checked by services and the census import, which authorize")
def validate_system(system: InformationSystem) -> ErrorCollector:
    """Field rules (Django's) plus the census rules; returns the collected errors."""
    errors = ErrorCollector()
    try:
        system.full_clean(exclude=["department", "merged_into"], validate_unique=False)
    except ValidationError as error:
        errors.absorb(error)
    _check_census_rules(system, errors)
    return errors


def _check_census_rules(system: InformationSystem, errors: ErrorCollector) -> None:
    today = timezone.localdate()
    if system.is_secret and system.sharing_status in (Connection.CONNECTED, Connection.IN_PROGRESS):
        # 国办发〔2017〕39号: classified systems stay out of integration and sharing.
        errors.add(
            "sharing_status",
            _("A classified system is not connected to the sharing platform."),
            InventoryCode.SECRET_NOT_SHARED,
        )
    if system.approval_date and system.go_live_date and system.go_live_date < system.approval_date:
        errors.add(
            "go_live_date", _("Go-live date is before the approval date."), ErrorCode.INVALID
        )
    for field in ("approval_date", "go_live_date", "last_software_update"):
        value = getattr(system, field)
        if isinstance(value, dt.date) and value > today:
            errors.add(field, _("Date lies in the future."), ErrorCode.CONFLICT)
    if (
        system.protection_level
        and not system.protection_filing_number
        and system.protection_level >= 2
    ):
        errors.add(
            "protection_filing_number",
            _("Level 2 and above need the protection filing number (等级保护备案号)."),
            ErrorCode.REQUIRED,
        )
    if system.health_url and not _is_probe_target(system.health_url):
        errors.add(
            "health_url",
            _(
                "The health-check URL may not point at link-local, "
                "multicast or unspecified addresses."
            ),
            InventoryCode.PROBE_TARGET,
        )
    duplicates = InformationSystem.objects.filter(
        department_id=system.department_id, name=system.name
    ).exclude(pk=system.pk)
    if system.name and duplicates.exists():
        errors.add(
            "name",
            _("This department already has a system named %(name)s.") % {"name": system.name},
            ErrorCode.DUPLICATE,
        )


def _is_probe_target(url: str) -> bool:
    """The prober fetches this URL from inside the network; refuse addresses no system has
    (cloud metadata at 169.254.169.254, link-local, multicast, 0.0.0.0)."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: checked on every probe once resolved (health.refused_address)
    return is_probe_address(address)


# --- systems --------------------------------------------------------------------------------


def system_create(
    *, actor: Actor, department: Department, data: dict[str, Any], note: str = ""
) -> InformationSystem:
    """Register a system in a department's census."""
    system = InformationSystem(department=department)
    require(actor, "add", system)
    _assign(system, data)
    validate_system(system).raise_if_any()
    with transaction.atomic():
        system.save()
        system.refresh_from_db()  # version 1 records the stored values (Decimal, dates)
        _revise(actor, system, list(data), note)
        audit.record(
            actor=actor,
            action="inventory.system.create",
            obj=system,
            department_id=department.pk,
            after=audit.snapshot(system),
        )
    return system


def system_update(
    *, actor: Actor, system: InformationSystem, data: dict[str, Any], note: str = ""
) -> InformationSystem:
    """Change census fields; a new version is kept, flagged if the census was confirmed."""
    require(actor, "change", system)
    with transaction.atomic():
        locked = InformationSystem.objects.select_for_update().get(pk=system.pk)
        before = audit.snapshot(locked)
        _assign(locked, data)
        validate_system(locked).raise_if_any()
        locked.save()
        locked.refresh_from_db()  # compare stored values: 100 and 100.00 are one amount
        after = audit.snapshot(locked)
        changed = sorted(k for k in after if before.get(k) != after.get(k) and k != "updated")
        if changed:
            _revise(actor, locked, changed, note)
            audit.record(
                actor=actor,
                action="inventory.system.update",
                obj=locked,
                department_id=locked.department_id,
                before=before,
                after=after,
            )
    return locked


def _assign(system: InformationSystem, data: dict[str, Any]) -> None:
    assign(system, data, SYSTEM_FIELDS)


def _revise(actor: Actor, system: InformationSystem, changed: list[str], note: str) -> None:
    last = system.revisions.aggregate(n=Max("number"))["n"] or 0
    SystemRevision.objects.create(
        system=system,
        number=last + 1,
        data=audit.snapshot(system, exclude=REVISION_EXCLUDE),
        changed_fields=sorted(changed),
        after_confirmation=census_is_confirmed(system.department_id),
        actor_name=actor.get_username(),
        note=note[:300],
    )


def system_set_lifecycle(
    *,
    actor: Actor,
    system: InformationSystem,
    lifecycle: str,
    merged_into: InformationSystem | None = None,
    note: str = "",
) -> InformationSystem:
    """Move a system through 在建 → 在用 → 停用/已整合/已清理 (merging names the target)."""
    require(actor, "change", system)
    return apply_lifecycle(actor, system, lifecycle, merged_into, note)


@internal("the lifecycle change for services that have authorized their actor")
def apply_lifecycle(
    actor: Actor,
    system: InformationSystem,
    lifecycle: str,
    merged_into: InformationSystem | None,
    note: str,
) -> InformationSystem:
    """The lifecycle change itself, for services that have already authorized their actor."""
    check_transition(
        LIFECYCLE_TRANSITIONS,
        system.lifecycle,
        lifecycle,
        dict(Lifecycle.choices),
        field="lifecycle",
    )
    errors = ErrorCollector()
    if lifecycle == Lifecycle.MERGED and (
        system.is_secret or (merged_into and merged_into.is_secret)
    ):
        # 国办发〔2017〕39号: classified systems stay out of integration.
        errors.add(
            "merged_into",
            _("A classified system is neither merged nor a merge target."),
            InventoryCode.SECRET_NOT_INTEGRATED,
        )
    elif lifecycle == Lifecycle.MERGED:
        if merged_into is None:
            errors.add("merged_into", _("Name the system it is merged into."), ErrorCode.REQUIRED)
        elif merged_into.pk == system.pk or merged_into.lifecycle not in LIVE_LIFECYCLES:
            errors.add(
                "merged_into",
                _("A system merges into another system that is in use or under construction."),
                ErrorCode.INVALID,
            )
    errors.raise_if_any()
    with transaction.atomic():
        before = {"lifecycle": system.lifecycle, "merged_into": system.merged_into_id}
        system.lifecycle = lifecycle
        system.merged_into = merged_into if lifecycle == Lifecycle.MERGED else None
        if lifecycle in (Lifecycle.MERGED, Lifecycle.RETIRED):
            # A system that no longer exists reports no usage: its key stops working.
            system.report_key_id, system.report_secret_hash = "", ""
        system.save(
            update_fields=[
                "lifecycle",
                "merged_into",
                "report_key_id",
                "report_secret_hash",
                "updated",
            ]
        )
        _revise(actor, system, ["lifecycle", "merged_into"], note)
        audit.record(
            actor=actor,
            action="inventory.system.lifecycle",
            obj=system,
            department_id=system.department_id,
            before=before,
            after={"lifecycle": lifecycle, "merged_into": system.merged_into_id, "note": note},
        )
    return system


# --- census returns -------------------------------------------------------------------------


@internal("a fact read by services that authorize")
def census_is_confirmed(department_id: int, year: int | None = None) -> bool:
    year = year or timezone.localdate().year
    return CensusReturn.objects.filter(
        department_id=department_id, year=year, status=CensusStatus.CONFIRMED
    ).exists()


def census_submit(
    *, actor: Actor, department: Department, year: int | None = None, note: str = ""
) -> CensusReturn:
    """The department submits its census for review (also after a confirmation, to update)."""
    year = year or timezone.localdate().year
    census = CensusReturn.objects.filter(department=department, year=year).first()
    census = census or CensusReturn(department=department, year=year)
    require(actor, "change", census)
    count = InformationSystem.objects.filter(department=department).count()
    if count == 0:
        raise ValidationError(
            {
                "systems": ValidationError(
                    _("Register at least one system before submitting the census."),
                    code=ErrorCode.REQUIRED,
                )
            }
        )
    return _census_move(actor, census, CensusStatus.SUBMITTED, note, system_count=count)


def census_review(
    *, actor: Actor, census: CensusReturn, confirm: bool, note: str = ""
) -> CensusReturn:
    """The authority confirms a submitted census, or returns it with a reason."""
    require(actor, "review", census)
    if not confirm and not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Say why the census is returned."), code=ErrorCode.REQUIRED)}
        )
    target = CensusStatus.CONFIRMED if confirm else CensusStatus.RETURNED
    return _census_move(actor, census, target, note, reviewer=actor)


def _census_move(
    actor: Actor,
    census: CensusReturn,
    target: str,
    note: str,
    system_count: int | None = None,
    reviewer: Any = None,
) -> CensusReturn:
    current = census.status if census.pk else CensusStatus.DRAFT
    check_transition(CENSUS_TRANSITIONS, current, target, dict(CensusStatus.choices))
    now = timezone.now()
    with transaction.atomic():
        census.status = target
        if system_count is not None:
            census.system_count, census.submitted = system_count, now
            # The review fields describe the current round: a resubmission starts a new one
            # (the earlier rounds' reviews stay in the events).
            census.reviewed, census.reviewed_by, census.review_note = None, None, ""
        if reviewer is not None:
            census.reviewed, census.review_note = now, note
            census.reviewed_by = reviewer if getattr(reviewer, "pk", None) else None
        census.save()
        CensusEvent.objects.create(
            census=census,
            from_status=current,
            to_status=target,
            actor_name=actor.get_username(),
            note=note,
        )
        audit.record(
            actor=actor,
            action=f"inventory.census.{target}",
            obj=census,
            department_id=census.department_id,
            before={"status": current},
            after={"status": target, "note": note},
        )
    return census
