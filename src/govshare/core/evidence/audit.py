"""Recording audit events. Every service write calls ``record`` inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import models
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor, person_of
from govshare.core.context import current_context
from govshare.core.evidence.chain import append_records, json_safe
from govshare.core.models import AuditEvent
from govshare.core.registry import Registry, look_up

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
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    department_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the audit chain (call inside the service's transaction).

    ``actor`` is None for an event nobody signed in caused; ``actor_name`` names who acted when
    that is no Actor (a system reporting with its own credential), and otherwise comes from it.
    """
    context = current_context()
    event = AuditEvent(
        created=timezone.now(),
        actor=person_of(actor),
        actor_name=actor_name or (actor.get_username() if actor is not None else ""),
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
# Core names its own actions here; each domain package registers a table of its own in
# ``action_labels`` when it is ready (core knows no domain package).
# tests/core/test_audit_labels.py fails when the code base records an action without a label.
CORE_ACTION_LABELS: Mapping[str, StrOrPromise] = {
    "core.config.set": _("Change setting"),
    "core.job.start": _("Start background job"),
}
action_labels: Registry[Mapping[str, StrOrPromise]] = Registry("audit action labels")
action_labels.register(CORE_ACTION_LABELS)


def known_action_labels() -> dict[str, StrOrPromise]:
    """Every registered action code with its label."""
    return {code: label for table in action_labels for code, label in table.items()}


def action_label(action: str) -> StrOrPromise:
    """The readable name of an audited action, or the code itself when it has none."""
    return look_up(action_labels, action, action)
