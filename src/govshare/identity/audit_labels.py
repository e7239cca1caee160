"""What each action identity records in the audit trail is called on the audit pages (审计动作);
registered with ``core.evidence.audit.action_labels`` when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

AUDIT_LABELS = {
    "identity.login": _("Sign in"),
    "identity.login.locked": _("Sign-in locked after failed attempts"),
    "identity.login.address_blocked": _("Address blocked after failed sign-ins"),
    "identity.login.guarded": _("Account asks for a second check after failed sign-ins"),
    "identity.login.second_check_asked": _("Second check asked at sign-in"),
    "identity.login.second_check": _("Pass second check at sign-in"),
    "identity.login.unlock": _("Unlock sign-in"),
    "identity.login.address_unblock": _("Clear blocked address"),
    "identity.user.create": _("Create account"),
    "identity.user.set_active": _("Enable or disable account"),
    "identity.user.password_change": _("Change password"),
    "identity.token.create": _("Issue API token"),
    "identity.token.revoke": _("Revoke API token"),
}
