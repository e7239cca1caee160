"""Recording audit events. Every service write calls ``record`` inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govshare.core.chain import append_records, json_safe
from govshare.core.context import current_context
from govshare.core.models import AuditEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Fields never copied into an audit snapshot, whatever the model.
SECRET_FIELDS = frozenset(
    {"password", "token_hash", "secret_hash", "secret", "report_secret_hash", "report_key_id"}
)


def snapshot(obj: models.Model, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The object's fields as JSON-safe data, without secrets."""
    skip = SECRET_FIELDS | set(exclude)
    data = model_to_dict(obj, exclude=list(skip))
    for field in obj._meta.concrete_fields:
        if field.name not in skip and field.name not in data:
            data[field.name] = field.value_from_object(obj)
    return json_safe(data) or {}


def object_type_of(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    department_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event to the audit chain (call inside the service's transaction)."""
    context = current_context()
    is_person = getattr(actor, "is_authenticated", False) and not getattr(actor, "is_system", False)
    event = AuditEvent(
        created=timezone.now(),
        actor=actor if is_person else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type or (object_type_of(obj) if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:255],
        department_id=department_id,
        before=json_safe(before),
        after=json_safe(after),
        request_id=context.request_id,
        ip=context.ip,
        source=context.source,
    )
    return append_records(AuditEvent, [event])[0]


# What each recorded action is called on the audit pages (审计动作). The code stays what is
# stored and filtered on; an unknown code (one retired from the code base) shows as itself.
# tests/core/test_audit_labels.py fails when the code base records an action missing here.
ACTION_LABELS: dict[str, StrOrPromise] = {
    "catalog.resource.create": _("Create information resource"),
    "catalog.version.update": _("Edit information resource version"),
    "catalog.resource.submit": _("Submit information resource for review"),
    "catalog.resource.approve": _("Approve information resource"),
    "catalog.resource.return": _("Return information resource"),
    "catalog.resource.change": _("Start a change of information resource"),
    "catalog.resource.withdraw": _("Withdraw information resource"),
    "catalog.workbook.import": _("Import catalog workbook"),
    "core.config.set": _("Change setting"),
    "core.job.start": _("Start background job"),
    "exchange.connection.create": _("Add data source connection"),
    "exchange.connection.update": _("Edit data source connection"),
    "exchange.connection.test": _("Test data source connection"),
    "exchange.mount.table.set": _("Mount database table"),
    "exchange.mount.api.set": _("Mount upstream interface"),
    "exchange.mount.files.set": _("Mount file set"),
    "exchange.mount.files.list": _("List files of file set again"),
    "exchange.mount.test": _("Test mount"),
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
    "orgs.region.create": _("Add region"),
    "orgs.department.create": _("Add department"),
    "orgs.department.update": _("Edit department"),
    "orgs.department.update_contact": _("Edit department contact details"),
    "orgs.membership.create": _("Grant role"),
    "orgs.membership.delete": _("Take role away"),
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


def action_label(action: str) -> StrOrPromise:
    """The readable name of an audited action, or the code itself when it has none."""
    return ACTION_LABELS.get(action, action)
