"""Navigation and home-page figures of the inventory."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.core.dashboard import Figure, register_figures
from govshare.core.navigation import NavItem, NavSection, register_section
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.inventory.models import InformationSystem, ZombieFinding
from govshare.orgs.roles import principal_of


@register_figures(20)
def inventory_figures(user: Actor, department_id: int | None) -> list[Figure]:
    visible = InformationSystem.objects.restrict(user, "view")
    if not principal_of(user).sees_everything and department_id is not None:
        visible = visible.filter(department_id=department_id)
    systems = visible.filter(lifecycle__in=LIVE_LIFECYCLES)
    # The indicators' definition: a stopped system flagged still counts, a merged or retired not.
    zombies = ZombieFinding.objects.restrict(user, "view").standing().filter(system__in=visible)
    return [
        Figure(_("Information systems"), systems.count(), reverse("inventory:system_list")),
        Figure(
            _("Flagged as zombie"),
            zombies.values("system").distinct().count(),
            reverse("inventory:zombie_list"),
        ),
    ]


def register_navigation() -> None:
    oversees = lambda user: principal_of(user).sees_everything  # noqa: E731
    register_section(
        NavSection(
            _("Information systems"),
            20,
            (
                NavItem(_("System census"), "inventory:system_list"),
                NavItem(_("Census returns"), "inventory:census_list"),
                NavItem(_("Zombie clean-up"), "inventory:zombie_list"),
                NavItem(_("Shadow systems"), "inventory:shadow_list", oversees),
                NavItem(_("Integration plans"), "inventory:integration_list"),
                NavItem(_("Connectivity"), "inventory:connectivity"),
                NavItem(_("Indicators"), "inventory:indicators"),
                NavItem(_("IT projects"), "inventory:project_list"),
                NavItem(_("Funding gate"), "inventory:funding_gate"),
                NavItem(_("Work tasks"), "inventory:task_list"),
            ),
        )
    )
