"""Writes of the zombie clean-up: assessments, decisions, and shadow systems."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import Actor, person_of
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.inventory import zombies
from govshare.inventory.choices import (
    INTEGRATED_LIFECYCLES,
    CleanupDecision,
    Lifecycle,
    ShadowStatus,
)
from govshare.inventory.models import (
    CleanupRecord,
    InformationSystem,
    ShadowSystem,
    ZombieAssessment,
    ZombieFinding,
)
from govshare.inventory.services.systems import apply_lifecycle
from govshare.orgs.models import Department


def zombie_assess(*, actor: Actor) -> list[ZombieFinding]:
    """Run the three rules and replace the clean-up list with their findings (the authority)."""
    require(actor, "review", InformationSystem)
    now = timezone.now()
    results = zombies.assess()
    with transaction.atomic():
        ZombieFinding.objects.update(is_current=False)  # kept as history, no longer the list
        rows = ZombieFinding.objects.bulk_create(
            ZombieFinding(
                system=f.system,
                rule=f.rule,
                evidence=f.evidence,
                score=f.score,
                matched_system=f.matched_system,
                assessed=now,
            )
            for f in results
        )
        ZombieAssessment.objects.create(
            assessed=now, findings=len(rows), systems=len({f.system.pk for f in results})
        )
        audit.record(
            actor=actor,
            action="inventory.zombie.assess",
            object_type="inventory.zombiefinding",
            object_repr=_("zombie assessment"),
            after={"findings": len(rows), "systems": len({f.system.pk for f in results})},
        )
    return rows


def cleanup_decide(
    *,
    actor: Actor,
    system: InformationSystem,
    decision: str,
    reason: str,
    merge_target: InformationSystem | None = None,
) -> CleanupRecord:
    """The authority's decision on a flagged system: stop it, merge it into X, or keep it."""
    require(actor, "review", system)
    errors = ErrorCollector()
    if system.lifecycle in INTEGRATED_LIFECYCLES:
        # Merged or retired: its clean-up is done and it is no zombie any more.
        errors.add(
            "decision",
            _("This system is already merged or retired: there is nothing left to decide."),
            ErrorCode.CONFLICT,
        )
    if decision not in CleanupDecision.values:
        errors.add("decision", _("Decision must be one of the listed values."), ErrorCode.INVALID)
    if not (reason or "").strip():
        errors.add("reason", _("Give the reason for the decision."), ErrorCode.REQUIRED)
    if decision == CleanupDecision.MERGE and merge_target is None:
        errors.add("merge_target", _("Name the system it is merged into."), ErrorCode.REQUIRED)
    errors.raise_if_any()
    rules = sorted(set(system.zombie_findings.values_list("rule", flat=True)))
    with transaction.atomic():
        if decision == CleanupDecision.STOP:
            apply_lifecycle(actor, system, Lifecycle.STOPPED, None, reason)
        elif decision == CleanupDecision.MERGE:
            apply_lifecycle(actor, system, Lifecycle.MERGED, merge_target, reason)
        record = CleanupRecord.objects.create(
            system=system,
            decision=decision,
            reason=reason.strip(),
            rules=rules,
            merge_target=merge_target if decision == CleanupDecision.MERGE else None,
            decided_by=person_of(actor),
        )
        audit.record(
            actor=actor,
            action="inventory.cleanup.decide",
            obj=record,
            department_id=system.department_id,
            after=audit.snapshot(record),
        )
    return record


@internal("records what a machine said, for usage_report_by_name once it has authorized")
def shadow_record(*, name: str, source: str, department: Department | None = None) -> ShadowSystem:
    """Note a system named somewhere but missing from the census (影子系统), for follow-up.

    Called by the usage-report API and, later, by the catalog; it needs no actor because it
    records what a machine said, not a decision.
    """
    name = (name or "").strip()[:150]
    if not name:
        raise ValidationError(
            {"name": ValidationError(_("Name is required."), code=ErrorCode.REQUIRED)}
        )
    with transaction.atomic():
        shadow, created = ShadowSystem.objects.select_for_update().get_or_create(
            name=name, source=source[:200], defaults={"department": department}
        )
        if not created:
            shadow.times_seen += 1
            shadow.save(update_fields=["times_seen", "last_seen"])
        else:
            audit.record(
                actor=None,
                action="inventory.shadow.found",
                obj=shadow,
                department_id=department.pk if department else None,
                after={"name": name, "source": source},
            )
    return shadow


def shadow_resolve(
    *, actor: Actor, shadow: ShadowSystem, status: str, note: str = ""
) -> ShadowSystem:
    """Close a shadow system: registered in the census, or dismissed with a note."""
    require(actor, "change", shadow)
    if status not in (ShadowStatus.REGISTERED, ShadowStatus.DISMISSED):
        raise ValidationError(
            {
                "status": ValidationError(
                    _("Status must be registered or dismissed."), code=ErrorCode.INVALID
                )
            }
        )
    if status == ShadowStatus.DISMISSED and not note.strip():
        raise ValidationError(
            {"note": ValidationError(_("Say why it is dismissed."), code=ErrorCode.REQUIRED)}
        )
    with transaction.atomic():
        before = {"status": shadow.status}
        shadow.status, shadow.note = status, note.strip()
        shadow.save(update_fields=["status", "note", "last_seen"])
        audit.record(
            actor=actor,
            action="inventory.shadow.resolve",
            obj=shadow,
            department_id=shadow.department_id,
            before=before,
            after={"status": status, "note": note},
        )
    return shadow
