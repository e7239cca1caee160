"""Pages of the zombie clean-up (僵尸系统清理清单), its decisions, and shadow systems (影子系统)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.inventory import selectors, services
from govshare.inventory.choices import ShadowStatus
from govshare.inventory.forms.fields import system_label
from govshare.inventory.forms.zombies import (
    CleanupDecisionForm,
    ShadowFilterForm,
    ShadowResolveForm,
    ZombieFilterForm,
)
from govshare.inventory.models import CleanupRecord, InformationSystem, ShadowSystem

DECISIONS_SHOWN = 50


def _zombie_crumbs() -> list[Crumb]:
    return [Crumb(_("Zombie clean-up"), reverse("inventory:zombie_list"))]


@login_required
def zombie_list(request: HttpRequest) -> HttpResponse:
    """The clean-up list: each flagged system with the rules' evidence; the authority decides."""
    user = request.user
    form = ZombieFilterForm(request.GET or None, departments=selectors.filter_departments(user))
    filters = form.selector_filters()
    page = paginate(request, selectors.zombie_rows(user, **filters))
    can_decide = can(user, "review", InformationSystem)
    targets = selectors.merge_targets(user) if can_decide else []
    rows = [
        (row, _decision_form(row.system, targets) if can_decide and not row.decision else None)
        for row in page["object_list"]
    ]
    decisions = selectors.cleanup_decisions(user)
    if filters.get("department_id"):
        decisions = decisions.filter(system__department_id=filters["department_id"])
    context = {
        **page,
        "form": form,
        "rows": rows,
        "assessed": selectors.latest_assessment(),
        "can_assess": can_decide,
        "decisions": decisions[:DECISIONS_SHOWN],
        "visible_system_ids": _visible_matches(user, page["object_list"]),
        "merge_targets": [system_label(system) for system in targets],
    }
    return render(request, "inventory/zombies/list.html", context)


def _decision_form(
    system: InformationSystem, targets: list[InformationSystem], data: Any = None
) -> CleanupDecisionForm:
    return CleanupDecisionForm(data, system=system, targets=targets)


def _visible_matches(user: Actor, rows: list[selectors.ZombieRow]) -> set[int]:
    """Matched systems the user may open (others are named in the evidence, not linked)."""
    matched = [f.matched_system for row in rows for f in row.findings if f.matched_system]
    return {system.pk for system in matched if can(user, "view", system)}


@login_required
@action_view("inventory:zombie_list")
def zombie_assess(request: HttpRequest) -> HttpResponse:
    """Run the rules again and replace the list (the authority)."""
    findings = services.zombie_assess(actor=request.user)
    systems = len({finding.system_id for finding in findings})
    messages.success(request, _("Assessment done: %(count)d systems flagged.") % {"count": systems})
    return redirect("inventory:zombie_list")


@login_required
def cleanup_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The authority's decision on one flagged system (the form also sits on the list)."""
    systems = InformationSystem.objects.restrict(request.user, "view")
    system = get_object_or_404(systems.select_related("department"), pk=pk)
    require(request.user, "review", system)
    form = _decision_form(system, selectors.merge_targets(request.user), post_data(request))

    def decide(data: dict[str, Any]) -> CleanupRecord:
        return services.cleanup_decide(
            actor=request.user,
            system=system,
            decision=data["decision"],
            reason=data["reason"],
            merge_target=data["merge_target"],
        )

    if request.method == "POST" and (record := submit(form, decide)):
        messages.success(request, _("Decision recorded: %(record)s.") % {"record": record})
        return redirect("inventory:zombie_list")
    response = render_form_page(
        request,
        form,
        title=_("Clean-up decision on %(name)s") % {"name": system.name},
        crumbs=_zombie_crumbs(),
        cancel_url=reverse("inventory:zombie_list"),
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


# --- shadow systems -------------------------------------------------------------------------


@login_required
def shadow_list(request: HttpRequest) -> HttpResponse:
    """Systems named by a resource or a usage report but missing from the census."""
    user = request.user
    form = ShadowFilterForm(request.GET or None)
    shadows = ShadowSystem.objects.restrict(user, "view").select_related("department")
    if form.is_valid() and form.cleaned_data["status"]:
        shadows = shadows.filter(status=form.cleaned_data["status"])
    page = paginate(request, shadows.order_by("status", "-last_seen", "pk"))
    rows = [
        (shadow, ShadowResolveForm(shadow_pk=shadow.pk) if _resolvable(user, shadow) else None)
        for shadow in page["object_list"]
    ]
    return render(
        request, "inventory/zombies/shadow_list.html", {**page, "form": form, "rows": rows}
    )


def _resolvable(user: Actor, shadow: ShadowSystem) -> bool:
    return shadow.status == ShadowStatus.OPEN and can(user, "change", shadow)


@login_required
def shadow_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    shadows = ShadowSystem.objects.restrict(request.user, "view")
    shadow = get_object_or_404(shadows, pk=pk)
    if not can(request.user, "change", shadow):
        raise PermissionDenied("change")
    form = ShadowResolveForm(post_data(request), shadow_pk=shadow.pk)

    def resolve(data: dict[str, Any]) -> ShadowSystem:
        return services.shadow_resolve(
            actor=request.user, shadow=shadow, status=data["status"], note=data["note"]
        )

    if request.method == "POST" and submit(form, resolve) is not None:
        messages.success(request, _("Shadow system %(name)s was resolved.") % {"name": shadow})
        return redirect("inventory:shadow_list")
    response = render_form_page(
        request,
        form,
        title=_("Resolve shadow system %(name)s") % {"name": shadow.name},
        crumbs=[Crumb(_("Shadow systems"), reverse("inventory:shadow_list"))],
        cancel_url=reverse("inventory:shadow_list"),
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


urlpatterns: list[URLPattern] = [
    path("zombies/", zombie_list, name="zombie_list"),
    path("zombies/assess/", zombie_assess, name="zombie_assess"),
    path("zombies/<int:pk>/decide/", cleanup_decide, name="cleanup_decide"),
    path("shadows/", shadow_list, name="shadow_list"),
    path("shadows/<int:pk>/resolve/", shadow_resolve, name="shadow_resolve"),
]
