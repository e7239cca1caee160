"""Who may see and change the inventory.

A department sees and edits only its own systems, projects and reports (data officers edit,
staff read); the sharing authority's reviewers read everything and confirm census returns and
clean-up decisions; auditors read only; platform admins do everything.
"""

from __future__ import annotations

from govshare.core.permissions import register
from govshare.inventory.models import (
    CensusReturn,
    CleanupRecord,
    HealthCheck,
    InformationSystem,
    IntegrationItem,
    IntegrationPlan,
    ProgressReport,
    Project,
    ShadowSystem,
    SystemRevision,
    UsageReport,
    WorkTask,
    ZombieFinding,
)
from govshare.orgs.permissions import DepartmentScopedPolicy, DirectoryPolicy

REVIEW_ACTIONS = frozenset({"review", "decide"})


@register(InformationSystem)
class SystemPolicy(DepartmentScopedPolicy):
    """Systems belong to their department; the authority runs the zombie assessment on them."""

    authority_actions = REVIEW_ACTIONS


@register(CensusReturn)
class CensusPolicy(DepartmentScopedPolicy):
    """The department submits its census; the authority confirms or returns it."""

    authority_actions = REVIEW_ACTIONS


@register(Project)
class ProjectPolicy(DepartmentScopedPolicy):
    """Projects belong to the building department."""


@register(IntegrationPlan)
class IntegrationPlanPolicy(DepartmentScopedPolicy):
    """A department plans its own integration."""


@register(ProgressReport)
class ProgressReportPolicy(DepartmentScopedPolicy):
    """A responsible unit reports its own progress."""


@register(ShadowSystem)
class ShadowSystemPolicy(DepartmentScopedPolicy):
    """Shadow systems: the authority follows them up; the named department reads its own."""

    authority_actions = frozenset({"change"})


class SystemChildPolicy(DepartmentScopedPolicy):
    """Rows that hang off a system inherit its department."""

    department_field = "system__department"

    def department_id_of(self, obj: object) -> int | None:
        return obj.system.department_id  # type: ignore[attr-defined]


for model in (SystemRevision, UsageReport, HealthCheck, ZombieFinding):
    register(model)(type(f"{model.__name__}Policy", (SystemChildPolicy,), {}))


@register(CleanupRecord)
class CleanupRecordPolicy(SystemChildPolicy):
    """Clean-up decisions are the authority's; the department reads those on its systems."""

    authority_actions = frozenset({"add", "change"})


@register(IntegrationItem)
class IntegrationItemPolicy(DepartmentScopedPolicy):
    department_field = "plan__department"

    def department_id_of(self, obj: object) -> int | None:
        return obj.plan.department_id  # type: ignore[attr-defined]


@register(WorkTask)
class WorkTaskPolicy(DirectoryPolicy):
    """The plan's task list is public inside the node; administrators maintain it."""
