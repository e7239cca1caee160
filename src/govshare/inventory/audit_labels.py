"""What each action inventory records in the audit trail is called on the audit pages (审计动作);
registered with ``core.evidence.audit.action_labels`` when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "inventory.system.create": _("Register information system"),
    "inventory.system.update": _("Edit information system"),
    "inventory.system.lifecycle": _("Change information system lifecycle"),
    "inventory.system.report_key": _("Issue usage-report key"),
    "inventory.usage.report": _("Report system usage"),
    "inventory.census.submitted": _("Submit census"),
    "inventory.census.confirmed": _("Confirm census"),
    "inventory.census.returned": _("Return census"),
    "inventory.census.import": _("Import census workbook"),
    "inventory.project.create": _("Create project"),
    "inventory.project.update": _("Edit project"),
    "inventory.integration.plan": _("Set integration plan target"),
    "inventory.integration.item_add": _("Add system to integration plan"),
    "inventory.integration.item_remove": _("Remove system from integration plan"),
    "inventory.integration.item_status": _("Change integration progress"),
    "inventory.task.create": _("Create work task"),
    "inventory.task.update": _("Edit work task"),
    "inventory.task.close": _("Close work task"),
    "inventory.milestone.add": _("Add milestone"),
    "inventory.milestone.complete": _("Complete milestone"),
    "inventory.progress.report": _("Report progress"),
    "inventory.zombie.assess": _("Run zombie system rules"),
    "inventory.cleanup.decide": _("Decide on clean-up"),
    "inventory.shadow.found": _("Shadow system found"),
    "inventory.shadow.resolve": _("Resolve shadow system"),
}
