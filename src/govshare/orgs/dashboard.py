"""Home-page figures and navigation of the orgs and identity packages."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govshare.core.actors import Actor
from govshare.core.dashboard import Figure, register_figures
from govshare.core.navigation import NavItem, NavSection, register_section
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.roles import principal_of


@register_figures(10)
def org_figures(user: Actor, department_id: int | None) -> list[Figure]:
    principal = principal_of(user)
    figures = [
        Figure(
            _("Departments"),
            Department.objects.filter(is_active=True).count(),
            reverse("orgs:department_list"),
        ),
    ]
    if principal.sees_everything:
        figures.append(
            Figure(
                _("Users"),
                get_user_model().objects.filter(is_active=True).count(),
                reverse("identity:user_list"),
            )
        )
        figures.append(Figure(_("Regions"), Region.objects.count(), reverse("orgs:region_list")))
    if department_id is not None:
        members = Membership.objects.filter(department_id=department_id)
        figures.append(
            Figure(
                _("Members of my department"),
                members.values("user").distinct().count(),
                reverse("orgs:department_detail", args=[department_id]),
            )
        )
    return figures


def register_navigation() -> None:
    is_admin = lambda user: principal_of(user).is_platform_admin  # noqa: E731
    oversees = lambda user: principal_of(user).sees_everything  # noqa: E731
    register_section(
        NavSection(
            _("Organisations"),
            90,
            (
                NavItem(_("Departments"), "orgs:department_list"),
                NavItem(_("Regions"), "orgs:region_list"),
                NavItem(_("Users"), "identity:user_list", oversees),
                NavItem(_("New user"), "identity:user_create", is_admin),
            ),
        )
    )
    register_section(
        NavSection(
            _("Oversight"),
            95,
            (
                NavItem(
                    _("Audit trail"),
                    "core:audit_list",
                    lambda user: (
                        oversees(user) or bool(principal_of(user).departments("data_officer"))
                    ),
                ),
                NavItem(_("Jobs"), "core:job_list"),
                NavItem(_("Settings"), "core:config_list", oversees),
            ),
        )
    )
