"""What each action sharing records in the audit trail is called on the audit pages (审计动作);
registered with ``core.evidence.audit.action_labels`` when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "sharing.calendar_day.create": _("Add holiday or adjusted working day"),
    "sharing.calendar_day.update": _("Change holiday or adjusted working day"),
    "sharing.calendar_day.delete": _("Remove holiday or adjusted working day"),
    "sharing.calendar.load_year": _("Load national holidays of a year"),
    "sharing.credential.create": _("Issue application credential"),
    "sharing.credential.rotate": _("Rotate application credential secret"),
    "sharing.credential.allowlist": _("Change application credential allow-list"),
    "sharing.credential.revoke": _("Revoke application credential"),
    "sharing.grant.create": _("Create grant"),
    "sharing.grant.change": _("Change grant conditions"),
    # The steps of a sharing request (sharing.choices.TRANSITIONS), one code per action.
    "sharing.request.create": _("Draft sharing request"),
    "sharing.request.update": _("Edit sharing request"),
    "sharing.request.edit": _("Edit sharing request"),
    "sharing.request.submit": _("Submit sharing request"),
    "sharing.request.conformity_pass": _("Pass conformity review"),
    "sharing.request.conformity_return": _("Return in conformity review"),
    "sharing.request.conformity_reject": _("Reject in conformity review"),
    "sharing.request.auto_grant": _("Grant unconditional items automatically"),
    "sharing.request.decide": _("Answer sharing request"),
    "sharing.request.negotiate": _("Open negotiation"),
    "sharing.request.agree": _("Agree in negotiation"),
    "sharing.request.escalate": _("Send for coordination"),
    "sharing.request.coordinate": _("Decide in coordination"),
    "sharing.request.close": _("Close sharing request"),
    "sharing.request.withdraw": _("Withdraw sharing request"),
    "sharing.request.suspend": _("Suspend grant"),
    "sharing.request.resume": _("Resume grant"),
    "sharing.request.revoke": _("Revoke grant"),
    "sharing.request.expire": _("Grant expired"),
    "sharing.request.extension_ask": _("Ask for grant extension"),
    "sharing.request.extension_decide": _("Answer grant extension request"),
    "sharing.request.grant_change": _("Note grant conditions change on request"),
}
