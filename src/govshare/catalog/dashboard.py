"""Navigation and home-page figures of the catalog.

Both are registered by ``register_navigation()`` from ``CatalogConfig.ready`` rather than on
import, so importing this module (in a test, say) never adds links to pages that are not there.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from govshare.catalog.choices import ResourceStatus, VersionStatus
from govshare.catalog.models import Resource, ResourceVersion
from govshare.core.actors import Actor
from govshare.core.dashboard import Figure, register_figures
from govshare.core.navigation import NavItem, NavSection, register_section
from govshare.core.roles import Role
from govshare.orgs.roles import principal_of

FIGURES_ORDER = 30  # after the organisations (10) and the inventory (20)


def catalog_figures(user: Actor, department_id: int | None) -> list[Figure]:
    """Published resources; the active department's resources; versions awaiting review (the
    authority and admins only)."""
    resources = Resource.objects.restrict(user, "view")
    figures = [
        Figure(
            _("Published resources"),
            resources.filter(status=ResourceStatus.PUBLISHED).count(),
            reverse("catalog:resource_list"),
        )
    ]
    if department_id is not None:
        mine = resources.filter(provider_id=department_id).exclude(status=ResourceStatus.WITHDRAWN)
        figures.append(
            Figure(
                _("My department's resources"),
                mine.count(),
                f"{reverse('catalog:resource_list')}?{urlencode({'provider': department_id})}",
            )
        )
    if _reviews(user):
        awaiting = ResourceVersion.objects.restrict(user, "view").filter(
            status=VersionStatus.SUBMITTED
        )
        figures.append(
            Figure(_("Versions awaiting review"), awaiting.count(), reverse("catalog:review_inbox"))
        )
    return figures


def _reviews(user: Actor) -> bool:
    principal = principal_of(user)
    return principal.is_reviewer or principal.is_platform_admin


def _drafts(user: Actor) -> bool:
    principal = principal_of(user)
    return principal.is_platform_admin or bool(principal.departments(Role.DATA_OFFICER))


def register_navigation() -> None:
    """The catalog's section of the left navigation, and its home-page figures."""
    register_figures(FIGURES_ORDER)(catalog_figures)
    register_section(
        NavSection(
            _("Resource catalog"),
            30,
            (
                NavItem(_("Find resources"), "catalog:resource_list"),
                NavItem(_("Browse by classification"), "catalog:browse"),
                NavItem(_("Review inbox"), "catalog:review_inbox", _reviews),
                NavItem(_("Data elements"), "catalog:element_list"),
                NavItem(_("Import from Excel"), "catalog:import", _drafts),
                NavItem(_("Catalog indicators"), "catalog:indicators"),
            ),
        )
    )
