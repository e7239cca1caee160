"""Configurable rules of the inventory (zombie thresholds, probing, reporting day)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govshare.core.config import ParamSpec, declare

SECTION = _("Information systems")

UNUSED_DAYS = declare(
    ParamSpec(
        "inventory.zombie.unused_days",
        90,
        _("Zombie rule 1: days without real use"),
        _(
            "A system with no reported use and no successful health check for this many days is "
            "detached from the business."
        ),
        minimum=1,
        maximum=3650,
        section=SECTION,
    )
)
STALE_MONTHS = declare(
    ParamSpec(
        "inventory.zombie.stale_update_months",
        24,
        _("Zombie rule 1: months without an update"),
        _(
            "A system whose software was not updated for this many months is detached from the "
            "business."
        ),
        minimum=1,
        maximum=240,
        section=SECTION,
    )
)
SIMILARITY = declare(
    ParamSpec(
        "inventory.zombie.similarity_threshold",
        0.55,
        _("Zombie rule 2: duplicate similarity"),
        _(
            "Two systems whose function descriptions are at least this similar (0–1) duplicate "
            "each other."
        ),
        minimum=0.1,
        maximum=1.0,
        section=SECTION,
    )
)
IDLE_USERS = declare(
    ParamSpec(
        "inventory.zombie.idle_max_active_users",
        10,
        _("Zombie rule 3: idle below active users"),
        _(
            "A system used rarely or monthly, within one department, by at most this many active "
            "users while costing money to run, is idle."
        ),
        minimum=0,
        maximum=100000,
        section=SECTION,
    )
)
PROBE_TIMEOUT = declare(
    ParamSpec(
        "inventory.health.timeout_seconds",
        5.0,
        _("Health probe timeout (s)"),
        minimum=0.5,
        maximum=60,
        section=SECTION,
    )
)
AVAILABILITY_DAYS = declare(
    ParamSpec(
        "inventory.health.availability_days",
        30,
        _("Availability window (days)"),
        _("Availability is the share of successful probes over this many days."),
        minimum=1,
        maximum=365,
        section=SECTION,
    )
)
REPORT_DAY = declare(
    ParamSpec(
        "inventory.progress.report_day",
        25,
        _("Monthly progress due on day"),
        _("Responsible units that have not reported by this day of the month are reminded."),
        minimum=1,
        maximum=28,
        section=SECTION,
    )
)
REPORT_WINDOW = declare(
    ParamSpec(
        "inventory.progress.report_window_months",
        3,
        _("Months open for progress reports"),
        _(
            "Units report on the current month and the months before it, this many in all; older "
            "months are closed history."
        ),
        minimum=1,
        maximum=24,
        section=SECTION,
    )
)
SHADOW_DAILY_CAP = declare(
    ParamSpec(
        "inventory.shadow.new_per_department_per_day",
        50,
        _("New shadow systems per department per day"),
        _(
            "Usage reports naming systems missing from the census note at most this many new "
            "shadow systems for one department a day; past it such reports are refused until "
            "the next day (names already noted are still counted)."
        ),
        minimum=1,
        maximum=10000,
        section=SECTION,
    )
)
