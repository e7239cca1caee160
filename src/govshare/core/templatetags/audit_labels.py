"""``{{ event.action|action_label }}``: the readable name of an audited action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from govshare.core.audit import action_label as label_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def action_label(action: str) -> StrOrPromise:
    return label_of(action)
