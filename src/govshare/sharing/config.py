"""Configurable rules of sharing: deadlines (51号: 10 working days for conditional requests),
the conformity review switch, the longest period of a request, default grant limits and the
gateway token lifetime."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govshare.core.config import ParamSpec, declare

SECTION = _("Data sharing")

CONFORMITY_ENABLED = declare(
    ParamSpec(
        "sharing.conformity_review",
        True,
        _("Conformity review by the authority"),
        _(
            "Submitted requests first go to the authority, which checks completeness and that no "
            "item that is not shared is asked for."
        ),
        section=SECTION,
    )
)
CONFORMITY_DAYS = declare(
    ParamSpec(
        "sharing.deadline.conformity_days",
        2,
        _("Conformity review deadline (working days)"),
        minimum=1,
        maximum=30,
        section=SECTION,
    )
)
PROVIDER_DAYS = declare(
    ParamSpec(
        "sharing.deadline.provider_days",
        10,
        _("Provider answer deadline (working days)"),
        _(
            "Time a provider has to answer a conditional request "
            "(国发〔2016〕51号: 10 working days)."
        ),
        minimum=1,
        maximum=60,
        section=SECTION,
    )
)
COORDINATION_DAYS = declare(
    ParamSpec(
        "sharing.deadline.coordination_days",
        10,
        _("Coordination deadline (working days)"),
        minimum=1,
        maximum=60,
        section=SECTION,
    )
)
MAX_PERIOD_MONTHS = declare(
    ParamSpec(
        "sharing.request.max_period_months",
        36,
        _("Longest period of a request (months)"),
        _(
            "A request's period of use ends at most this many months after it starts; a longer "
            "need is met by extending the grant."
        ),
        minimum=1,
        maximum=120,
        section=SECTION,
    )
)
DAILY_QUOTA = declare(
    ParamSpec(
        "sharing.grant.daily_quota",
        10000,
        _("Default daily quota of a grant"),
        minimum=1,
        maximum=100_000_000,
        section=SECTION,
    )
)
RATE_PER_MINUTE = declare(
    ParamSpec(
        "sharing.grant.rate_per_minute",
        600,
        _("Default calls per minute of a grant"),
        minimum=1,
        maximum=10_000_000,
        section=SECTION,
    )
)
TOKEN_MINUTES = declare(
    ParamSpec(
        "sharing.token_minutes",
        30,
        _("Gateway token lifetime (minutes)"),
        minimum=1,
        maximum=1440,
        section=SECTION,
    )
)
