"""Reads of the inventory with real logic: the census list, versions, the clean-up list and the
integration overview. Every queryset starts from ``restrict(user, "view")``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.evidence import audit
from govshare.core.models import AuditEvent
from govshare.inventory.choices import (
    LIFECYCLE_TRANSITIONS,
    LIVE_LIFECYCLES,
    Connection,
    IntegrationStatus,
    Lifecycle,
    ZombieRule,
)
from govshare.inventory.models import (
    CleanupRecord,
    HealthCheck,
    InformationSystem,
    IntegrationItem,
    IntegrationPlan,
    SystemRevision,
    UsageReport,
    ZombieAssessment,
    ZombieFinding,
)
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

RECENT_ROWS = 30
HISTORY_ROWS = 50
# Record keys that are bookkeeping rather than census content.
REVISION_SKIP = frozenset({"id"})


# --- the census list ------------------------------------------------------------------------


def system_list(
    user: Actor,
    *,
    department_id: int | None = None,
    lifecycle: str = "",
    network_domain: str = "",
    deployment: str = "",
    is_zombie: bool | None = None,
    query: str = "",
) -> QuerySet[InformationSystem]:
    """The systems ``user`` may see, filtered, each with ``is_zombie`` (flagged in the list)."""
    flagged = ZombieFinding.objects.standing().filter(system=OuterRef("pk"))
    systems = (
        InformationSystem.objects.restrict(user, "view")
        .select_related("department")
        .annotate(is_zombie=Exists(flagged))
    )
    exact = {
        "department_id": department_id,
        "lifecycle": lifecycle,
        "network_domain": network_domain,
        "deployment": deployment,
        "is_zombie": is_zombie,
    }
    systems = systems.filter(**{k: v for k, v in exact.items() if v not in (None, "")})
    query = query.strip()
    if query:
        systems = systems.filter(
            Q(name__icontains=query) | Q(function_description__icontains=query)
        )
    return systems.order_by("department__name", "name", "pk")


def filter_departments(user: Actor) -> QuerySet[Department]:
    """Departments offered as a filter: all for those who oversee the node, else the user's."""
    departments = Department.objects.filter(is_active=True).order_by("name")
    principal = principal_of(user)
    if principal.sees_everything:
        return departments
    return departments.filter(pk__in=principal.departments())


def merge_targets(user: Actor, system: InformationSystem | None = None) -> list[InformationSystem]:
    """Live systems a system may merge into: its own department's, any for those who oversee."""
    targets = InformationSystem.objects.restrict(user, "view").filter(lifecycle__in=LIVE_LIFECYCLES)
    if system is not None:
        targets = targets.exclude(pk=system.pk)
        if not principal_of(user).sees_everything:
            targets = targets.filter(department_id=system.department_id)
    return list(targets.select_related("department").order_by("department__name", "name"))


# --- one system -----------------------------------------------------------------------------


def recent_usage(user: Actor, system: InformationSystem) -> list[UsageReport]:
    reports = UsageReport.objects.restrict(user, "view").filter(system=system)
    return list(reports.order_by("-date")[:RECENT_ROWS])


def recent_health(user: Actor, system: InformationSystem) -> list[HealthCheck]:
    checks = HealthCheck.objects.restrict(user, "view").filter(system=system)
    return list(checks.order_by("-checked")[:RECENT_ROWS])


def system_history(user: Actor, system: InformationSystem) -> list[AuditEvent]:
    """The audit events of the system that ``user`` may read (newest first)."""
    events = AuditEvent.objects.restrict(user, "view").filter(
        object_type=audit.object_type_of(InformationSystem), object_id=str(system.pk)
    )
    return list(events.order_by("-seq")[:HISTORY_ROWS])


def system_revisions(user: Actor, system: InformationSystem) -> QuerySet[SystemRevision]:
    return SystemRevision.objects.restrict(user, "view").filter(system=system).order_by("-number")


def field_labels(names: list[str]) -> list[str]:
    """The census labels of a version's changed fields, in the order given."""
    labels = {f.name: str(f.verbose_name) for f in InformationSystem._meta.concrete_fields}
    return [labels.get(name, name) for name in names]


def revision_summary(revision: SystemRevision) -> list[str]:
    """What a version changed, as people read it: the first version registers the system (every
    field is new, so none is listed), a later one names its changed fields by their labels."""
    if revision.number == 1:
        return [str(_("New registration"))]
    return field_labels(revision.changed_fields)


def labelled_revisions(
    revisions: Iterable[SystemRevision],
) -> list[tuple[SystemRevision, list[str]]]:
    return [(revision, revision_summary(revision)) for revision in revisions]


@dataclass(frozen=True)
class FieldChange:
    """One census field as a version changed it."""

    name: str
    label: str
    before: str
    after: str


def previous_revision(user: Actor, revision: SystemRevision) -> SystemRevision | None:
    earlier = SystemRevision.objects.restrict(user, "view").filter(
        system_id=revision.system_id, number__lt=revision.number
    )
    return earlier.order_by("-number").first()


def revision_changes(
    user: Actor, revision: SystemRevision, previous: SystemRevision | None
) -> list[FieldChange]:
    """What ``revision`` changed against ``previous`` (every field, for the first version)."""
    before: dict[str, Any] = previous.data if previous else {}
    after: dict[str, Any] = revision.data
    names = {*before, *after} - REVISION_SKIP
    fields = [f for f in InformationSystem._meta.concrete_fields if f.name in names]
    changed = [f for f in fields if not _same(f, before.get(f.name), after.get(f.name))]
    systems = _system_names(user, [r.get("merged_into") for r in (before, after)])
    return [
        FieldChange(
            name=f.name,
            label=str(f.verbose_name),
            before=_display(f, before.get(f.name), systems) if previous else "",
            after=_display(f, after.get(f.name), systems),
        )
        for f in changed
    ]


def _same(model_field: Any, left: Any, right: Any) -> bool:
    """Equal as values of the field: a record saved before it was read back keeps 450 where the
    next one has "450.00"."""
    try:
        return bool(model_field.to_python(left) == model_field.to_python(right))
    except ValidationError:
        return bool(left == right)


def _system_names(user: Actor, ids: list[Any]) -> dict[int, str]:
    wanted = [pk for pk in ids if isinstance(pk, int)]
    if not wanted:
        return {}
    rows = InformationSystem.objects.restrict(user, "view").filter(pk__in=wanted)
    return dict(rows.values_list("pk", "name"))


def _display(model_field: Any, value: Any, systems: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model_field.name == "merged_into":
        return systems.get(value, f"#{value}")
    if model_field.name == "department":
        return _department_name(value)
    return str(value)


def _department_name(pk: int) -> str:
    # Departments are a public directory (DirectoryPolicy): no restriction to apply.
    name = Department.objects.filter(pk=pk).values_list("name", flat=True).first()
    return name or f"#{pk}"


# --- the clean-up list (僵尸系统清理清单) ---------------------------------------------------


@dataclass
class ZombieRow:
    """A flagged system with the rules that flagged it and the decision taken since."""

    system: InformationSystem
    findings: list[ZombieFinding] = field(default_factory=list)
    decision: CleanupRecord | None = None

    @property
    def rules(self) -> list[str]:
        return sorted({finding.rule for finding in self.findings})


def system_findings(user: Actor, system: InformationSystem) -> QuerySet[ZombieFinding]:
    """The findings that make ``system`` a zombie now (none once merged or retired)."""
    findings = ZombieFinding.objects.restrict(user, "view").standing().filter(system=system)
    return findings.select_related("matched_system")


def latest_assessment() -> dt.datetime | None:
    """When the rules last ran (even if they found nothing). The run is node-wide, so its time
    is no department's data."""
    return ZombieAssessment.objects.aggregate(last=Max("assessed"))["last"]


def zombie_rows(
    user: Actor, *, rule: str = "", department_id: int | None = None
) -> list[ZombieRow]:
    """The flagged systems ``user`` may see (not yet merged or retired), each with all its
    findings and latest decision."""
    findings = (
        ZombieFinding.objects.restrict(user, "view")
        .standing()
        .select_related("system__department", "matched_system__department")
    )
    if rule:
        findings = findings.filter(
            system__zombie_findings__rule=rule, system__zombie_findings__is_current=True
        ).distinct()
    if department_id:
        findings = findings.filter(system__department_id=department_id)
    rows: dict[int, ZombieRow] = {}
    for finding in findings.order_by("system__department__name", "system__name", "rule"):
        rows.setdefault(finding.system_id, ZombieRow(finding.system)).findings.append(finding)
    _attach_decisions(user, rows)
    return list(rows.values())


def _attach_decisions(user: Actor, rows: dict[int, ZombieRow]) -> None:
    """The newest decision on each system taken after the findings were assessed."""
    records = cleanup_decisions(user).filter(system_id__in=rows)
    for record in records:
        row = rows[record.system_id]
        assessed = max(finding.assessed for finding in row.findings)
        if row.decision is None and record.decided >= assessed:
            row.decision = record


def cleanup_decisions(user: Actor) -> QuerySet[CleanupRecord]:
    records = CleanupRecord.objects.restrict(user, "view")
    return records.select_related("system__department", "merge_target", "decided_by").order_by(
        "-decided", "-pk"
    )


# --- integration plans (整合方案) ----------------------------------------------------------


@dataclass
class DepartmentIntegration:
    """A department's integration: its plan, the SSO coverage of its systems, duplicates left."""

    department: Department
    plan: IntegrationPlan | None = None
    live_systems: int = 0
    sso_connected: int = 0
    duplicates: list[ZombieFinding] = field(default_factory=list)

    @property
    def items(self) -> list[IntegrationItem]:
        return list(self.plan.items.all()) if self.plan else []

    @property
    def items_done(self) -> int:
        return sum(1 for item in self.items if item.status == IntegrationStatus.DONE)

    @property
    def sso_coverage(self) -> float | None:
        """统一登录覆盖率: connected ÷ live non-classified systems (None without systems)."""
        return self.sso_connected / self.live_systems if self.live_systems else None


def integration_overview(
    user: Actor, department_id: int | None = None
) -> list[DepartmentIntegration]:
    """Per visible department with live systems or a plan: plan, SSO coverage, duplicates."""
    counts = _sso_counts(user, department_id)
    plans = {plan.department_id: plan for plan in _plans(user, department_id)}
    duplicates: dict[int, list[ZombieFinding]] = defaultdict(list)
    for finding in live_duplicates(user, department_id):
        duplicates[finding.system.department_id].append(finding)
    ids = set(counts) | set(plans)
    departments = Department.objects.filter(pk__in=ids).order_by("name")
    return [
        DepartmentIntegration(
            department=department,
            plan=plans.get(department.pk),
            live_systems=counts.get(department.pk, (0, 0))[0],
            sso_connected=counts.get(department.pk, (0, 0))[1],
            duplicates=duplicates.get(department.pk, []),
        )
        for department in departments
    ]


def _sso_counts(user: Actor, department_id: int | None) -> dict[int, tuple[int, int]]:
    # Same denominator as the unified-login indicator (indicators.py): live, unclassified
    # systems that are required to use unified login.
    systems = (
        InformationSystem.objects.restrict(user, "view")
        .filter(lifecycle__in=LIVE_LIFECYCLES, is_secret=False)
        .exclude(sso_status=Connection.NOT_REQUIRED)
    )
    if department_id:
        systems = systems.filter(department_id=department_id)
    rows = (
        systems.values("department_id")
        .annotate(
            live=Count("pk"), connected=Count("pk", filter=Q(sso_status=Connection.CONNECTED))
        )
        .order_by()
    )
    return {row["department_id"]: (row["live"], row["connected"]) for row in rows}


def _plans(user: Actor, department_id: int | None) -> QuerySet[IntegrationPlan]:
    plans = IntegrationPlan.objects.restrict(user, "view").select_related(
        "department", "target_system"
    )
    if department_id:
        plans = plans.filter(department_id=department_id)
    items = IntegrationItem.objects.select_related("system").order_by("system__name")
    return plans.prefetch_related(Prefetch("items", queryset=items))


def live_duplicates(user: Actor, department_id: int | None = None) -> QuerySet[ZombieFinding]:
    """Pairs in one department that still duplicate each other: replaceable findings (each
    assessment replaces the list, so they are the latest) where both systems are still live."""
    findings = ZombieFinding.objects.restrict(user, "view").filter(
        rule=ZombieRule.REPLACEABLE,
        system__lifecycle__in=LIVE_LIFECYCLES,
        matched_system__lifecycle__in=LIVE_LIFECYCLES,
        matched_system__department=F("system__department"),
    )
    if department_id:
        findings = findings.filter(system__department_id=department_id)
    return findings.select_related("system", "matched_system").order_by("system__name")


def plan_target_candidates(user: Actor, department: Department) -> QuerySet[InformationSystem]:
    """Systems that may be a department's target: its own live, non-classified systems."""
    systems = InformationSystem.objects.restrict(user, "view").filter(
        department=department, lifecycle__in=LIVE_LIFECYCLES, is_secret=False
    )
    return systems.order_by("name")


def plan_item_candidates(user: Actor, plan: IntegrationPlan) -> QuerySet[InformationSystem]:
    """Systems the plan may still merge: the department's, not classified, not yet planned."""
    mergeable = [s for s, allowed in LIFECYCLE_TRANSITIONS.items() if Lifecycle.MERGED in allowed]
    systems = InformationSystem.objects.restrict(user, "view").filter(
        department_id=plan.department_id, is_secret=False, lifecycle__in=mergeable
    )
    planned = IntegrationItem.objects.filter(system=OuterRef("pk"))
    systems = systems.exclude(pk=plan.target_system_id).exclude(Exists(planned))
    return systems.order_by("name")


def department_live_systems(user: Actor, department: Department) -> QuerySet[InformationSystem]:
    """The department's live systems (for the SSO coverage table)."""
    return (
        InformationSystem.objects.restrict(user, "view")
        .filter(department=department, lifecycle__in=LIVE_LIFECYCLES)
        .order_by("name")
    )
