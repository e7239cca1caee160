"""``{{ event.action|action_label }}``: the readable name of an audited action;
``{{ code|checkpoint_fault_label }}``: why a chain fails its signed checkpoints;
``{{ event.before|recorded_data }}``: an event's data as recorded (JSON, as the chain hashes it),
not as a Python dict."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import template

from govshare.core.evidence.audit import action_label as label_of
from govshare.core.evidence.checkpoints import CheckpointFault

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def action_label(action: str) -> StrOrPromise:
    return label_of(action)


@register.filter
def checkpoint_fault_label(code: str) -> StrOrPromise:
    return CheckpointFault(code).label if code in CheckpointFault.values else code


@register.filter
def recorded_data(value: Any) -> str:
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)
