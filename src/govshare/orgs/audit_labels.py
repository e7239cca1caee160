"""What each action orgs records in the audit trail is called on the audit pages (审计动作);
registered with ``core.evidence.audit.action_labels`` when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "orgs.region.create": _("Add region"),
    "orgs.department.create": _("Add department"),
    "orgs.department.update": _("Edit department"),
    "orgs.department.update_contact": _("Edit department contact details"),
    "orgs.membership.create": _("Grant role"),
    "orgs.membership.delete": _("Take role away"),
}
