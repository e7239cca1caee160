"""The exchange's section of the left navigation: table subscriptions, a consumer's front-end
databases and folders, a provider's database connections, and the delivery log's neighbours."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.core.navigation import NavItem, NavSection, register_section
from govshare.core.roles import Role
from govshare.orgs.roles import principal_of

SECTION_ORDER = 45  # after data sharing (40)


def _reads(user: Actor) -> bool:
    principal = principal_of(user)
    return bool(principal.departments(Role.DATA_OFFICER, Role.STAFF)) or principal.sees_everything


def _officer(user: Actor) -> bool:
    principal = principal_of(user)
    return principal.is_platform_admin or bool(principal.departments(Role.DATA_OFFICER))


def register_navigation() -> None:
    register_section(
        NavSection(
            _("Data exchange"),
            SECTION_ORDER,
            (
                NavItem(_("Table subscriptions"), "exchange:subscription_list", _reads),
                NavItem(_("Front-end databases"), "exchange:destination_list", _reads),
                NavItem(_("Database connections"), "exchange:connection_list", _officer),
            ),
        )
    )
