"""What each action catalog records in the audit trail is called on the audit pages (审计动作);
registered with ``core.evidence.audit.action_labels`` when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "catalog.resource.create": _("Create information resource"),
    "catalog.version.update": _("Edit information resource version"),
    "catalog.resource.submit": _("Submit information resource for review"),
    "catalog.resource.approve": _("Approve information resource"),
    "catalog.resource.return": _("Return information resource"),
    "catalog.resource.change": _("Start a change of information resource"),
    "catalog.resource.withdraw": _("Withdraw information resource"),
    "catalog.workbook.import": _("Import catalog workbook"),
}
