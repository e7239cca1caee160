"""``{{ record.error_code|refusal_label }}``: why the gateway refused a call, in the reader's
language (the gateway's own message for the code), never the stored code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from govshare.exchange.gateway.errors import MESSAGES, GatewayCode

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def refusal_label(code: str) -> StrOrPromise:
    if code in GatewayCode.__members__.values():
        return MESSAGES[GatewayCode(code)][1]
    return code
