"""Configurable rules of the catalog: the lengths of the resource code's parts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govshare.core.config import ParamSpec, declare

SECTION = _("Resource catalog")

PROVIDER_DIGITS = declare(
    ParamSpec(
        "catalog.code.provider_digits",
        4,
        _("Resource code: provider digits"),
        _("Digits of the provider number in the front part of the code (前段码)."),
        minimum=2,
        maximum=9,
        section=SECTION,
    )
)
SEQUENCE_DIGITS = declare(
    ParamSpec(
        "catalog.code.sequence_digits",
        5,
        _("Resource code: sequence digits"),
        _("Digits of the sequence number after the slash (后段码)."),
        minimum=3,
        maximum=9,
        section=SECTION,
    )
)
