"""Writes of the inventory, split by topic; import from here."""

from govshare.inventory.services.integration import (
    integration_item_add,
    integration_item_remove,
    integration_item_set_status,
    integration_plan_set,
)
from govshare.inventory.services.systems import (
    SYSTEM_FIELDS,
    census_is_confirmed,
    census_review,
    census_submit,
    system_create,
    system_set_lifecycle,
    system_update,
    validate_system,
)
from govshare.inventory.services.zombies import (
    cleanup_decide,
    shadow_record,
    shadow_resolve,
    zombie_assess,
)

__all__ = [
    "SYSTEM_FIELDS",
    "census_is_confirmed",
    "census_review",
    "census_submit",
    "cleanup_decide",
    "integration_item_add",
    "integration_item_remove",
    "integration_item_set_status",
    "integration_plan_set",
    "shadow_record",
    "shadow_resolve",
    "system_create",
    "system_set_lifecycle",
    "system_update",
    "validate_system",
    "zombie_assess",
]

from govshare.inventory.services.projects import (  # noqa: E402
    PROJECT_FIELDS,
    project_create,
    project_update,
    validate_project,
)

__all__ += [
    "PROJECT_FIELDS",
    "project_create",
    "project_update",
    "validate_project",
]

from govshare.inventory.services.worktasks import (  # noqa: E402
    TaskData,
    milestone_add,
    milestone_complete,
    progress_report,
    task_close,
    task_create,
    task_update,
)

__all__ += [
    "TaskData",
    "milestone_add",
    "milestone_complete",
    "progress_report",
    "task_close",
    "task_create",
    "task_update",
]

from govshare.inventory.services.usage import (  # noqa: E402
    SystemReporter,
    UsageOutcome,
    health_probe_start,
    system_authenticate_report_key,
    system_issue_report_key,
    usage_report_by_name,
    usage_report_submit,
)

__all__ += [
    "SystemReporter",
    "UsageOutcome",
    "health_probe_start",
    "system_authenticate_report_key",
    "system_issue_report_key",
    "usage_report_by_name",
    "usage_report_submit",
]
