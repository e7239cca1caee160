"""Navigation and home-page figures of the sharing workflow (数据共享).

Registered by ``register_navigation()`` from ``SharingConfig.ready``, so importing this module
never adds links to pages that are not there.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.core.dashboard import Figure, register_figures
from govshare.core.navigation import NavItem, NavSection, register_section
from govshare.core.roles import Role
from govshare.orgs.roles import principal_of
from govshare.sharing import selectors
from govshare.sharing.clocks import overdue_filter
from govshare.sharing.views.calendar import CALENDAR_NAV_ITEM, NAMESPACE

FIGURES_ORDER = 40  # after the catalog (30)
SECTION_ORDER = 40


def sharing_figures(user: Actor, department_id: int | None) -> list[Figure]:
    """Requests awaiting the department's answer and those overdue; for the authority, its
    queues and their overdue requests."""
    figures = []
    principal = principal_of(user)
    if principal.has_department_role(department_id, *selectors.MEMBER_ROLES):
        assert department_id is not None
        waiting = selectors.awaiting_provider(user, department_id)
        url = reverse(f"{NAMESPACE}:provider_inbox")
        figures += [
            Figure(_("Requests awaiting my answer"), waiting.count(), url),
            Figure(_("Overdue answers"), waiting.filter(overdue_filter()).count(), url),
        ]
    if _reviews(user):
        queued = selectors.awaiting_authority(user)
        url = reverse(f"{NAMESPACE}:authority_inbox")
        figures += [
            Figure(_("Requests awaiting the authority"), queued.count(), url),
            Figure(_("Overdue at the authority"), queued.filter(overdue_filter()).count(), url),
        ]
    return figures


def _reviews(user: Actor) -> bool:
    principal = principal_of(user)
    return principal.is_reviewer or principal.is_platform_admin


def _member(user: Actor) -> bool:
    principal = principal_of(user)
    return principal.is_platform_admin or bool(principal.departments(*selectors.MEMBER_ROLES))


def _department_officer(user: Actor) -> bool:
    """A request is made, and the API console tries a grant, for the officer's own department:
    no admin bypass (an administrator acts for no department)."""
    return bool(principal_of(user).departments(Role.DATA_OFFICER))


def _reads(user: Actor) -> bool:
    return _member(user) or principal_of(user).sees_everything


def register_navigation() -> None:
    register_figures(FIGURES_ORDER)(sharing_figures)
    register_section(
        NavSection(
            _("Data sharing"),
            SECTION_ORDER,
            (
                NavItem(_("My requests"), f"{NAMESPACE}:request_list", _reads),
                NavItem(_("New request"), f"{NAMESPACE}:request_create", _department_officer),
                NavItem(_("Provider inbox"), f"{NAMESPACE}:provider_inbox", _reads),
                NavItem(_("Authority inbox"), f"{NAMESPACE}:authority_inbox", _reviews),
                NavItem(_("Grants"), f"{NAMESPACE}:grant_list", _reads),
                NavItem(_("Credentials"), f"{NAMESPACE}:credential_list", _member),
                NavItem(_("Delivery log"), "exchange:delivery_list", _reads),
                NavItem(_("API console"), "exchange:console", _department_officer),
                CALENDAR_NAV_ITEM,
            ),
        )
    )
