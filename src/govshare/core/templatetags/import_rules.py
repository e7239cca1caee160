"""``{{ error.code|import_rule }}``: the rule a bad cell of an import broke, in words in the
reader's language; the import's 规则 column never shows the code (issue 12 items 6 and 7)."""

from __future__ import annotations

from django import template

from govshare.core.errors import error_message

register = template.Library()


@register.filter
def import_rule(code: str) -> str:
    return str(error_message(code))
