"""Pages of the census (系统普查): the system list, a system's tabs, its census form and status."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.inventory import selectors, services
from govshare.inventory.choices import LIFECYCLE_TRANSITIONS
from govshare.inventory.forms.systems import LifecycleForm, SystemFilterForm, SystemForm
from govshare.inventory.health import health_series, usage_series
from govshare.inventory.models import (
    InformationSystem,
    IntegrationItem,
    IntegrationPlan,
)
from govshare.orgs.models import Department

CHART_DAYS = 30
# ECharts first: the chart script draws with it (both deferred, so they run in this order).
CHART_SCRIPTS = ("vendor/echarts/echarts.min.js", "govshare/inventory-charts.js")
# The census fields on the basics tab, grouped as the census form groups them.
CENSUS_GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (
        gettext_lazy("Function and use"),
        ("function_description", "usage_scope", "usage_frequency", "active_users"),
    ),
    (
        gettext_lazy("Approval and funding"),
        (
            "approving_department",
            "approval_date",
            "funding_source",
            "construction_mode",
            "construction_investment",
            "annual_om_cost",
        ),
    ),
    (
        gettext_lazy("Operation"),
        ("go_live_date", "last_software_update", "vertical_origin", "health_url"),
    ),
    (
        gettext_lazy("Deployment and network"),
        ("deployment", "cloud_status", "network_domain"),
    ),
    (
        gettext_lazy("Security"),
        ("protection_level", "protection_filing_number", "is_secret"),
    ),
    (gettext_lazy("Integration and sharing"), ("sso_status", "sharing_status")),
)


def _crumbs() -> list[Crumb]:
    return [Crumb(_("System census"), reverse("inventory:system_list"))]


def _visible_system(request: HttpRequest, pk: int) -> InformationSystem:
    systems = InformationSystem.objects.restrict(request.user, "view")
    return get_object_or_404(systems.select_related("department", "merged_into__department"), pk=pk)


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    departments = selectors.filter_departments(request.user)
    form = SystemFilterForm(request.GET or None, departments=departments)
    systems = selectors.system_list(request.user, **form.selector_filters())
    context = {
        "form": form,
        "can_add": can(request.user, "add", InformationSystem),
        **paginate(request, systems),
    }
    return render(request, "inventory/systems/list.html", context)


@login_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = _visible_system(request, pk)
    user = request.user
    can_change = can(user, "change", system)
    can_move = can_change and bool(LIFECYCLE_TRANSITIONS.get(system.lifecycle))
    context = {
        "system": system,
        "can_change": can_change,
        "lifecycle_form": _lifecycle_form(request, system) if can_move else None,
        "census_groups": _census_groups(system),
        "findings": selectors.system_findings(user, system),
        "usage_reports": selectors.recent_usage(user, system),
        "health_checks": selectors.recent_health(user, system),
        "revisions": selectors.labelled_revisions(selectors.system_revisions(user, system)),
        "history": selectors.system_history(user, system),
        **_chart_context(system),
        **_integration_context(request, system),
    }
    return render(request, "inventory/systems/detail.html", context)


def _census_groups(system: InformationSystem) -> list[tuple[Any, list[tuple[str, Any]]]]:
    """(group title, [(label, shown value)]) for the basics tab."""
    fields = {f.name: f for f in InformationSystem._meta.concrete_fields}
    return [
        (title, [(str(fields[name].verbose_name), _shown(system, name)) for name in names])
        for title, names in CENSUS_GROUPS
    ]


def _shown(system: InformationSystem, name: str) -> Any:
    value = getattr(system, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    display = getattr(system, f"get_{name}_display", None)
    return display() if display else value


def _chart_context(system: InformationSystem) -> dict[str, Any]:
    """The series of the usage and health charts, and the script that draws them."""
    try:
        scripts = [static(path) for path in CHART_SCRIPTS]
    except ValueError:  # not collected yet (no manifest entry): the tables stand alone
        return {}
    return {
        "usage_chart": usage_series(system, CHART_DAYS),
        "health_chart": health_series(system, CHART_DAYS),
        "chart_scripts": scripts,
    }


def _integration_context(request: HttpRequest, system: InformationSystem) -> dict[str, Any]:
    user = request.user
    items = IntegrationItem.objects.restrict(user, "view").select_related("plan__target_system")
    plans = IntegrationPlan.objects.restrict(user, "view")
    return {
        "merged_systems": InformationSystem.objects.restrict(user, "view")
        .filter(merged_into=system)
        .select_related("department"),
        "integration_item": items.filter(system=system).first(),
        "target_of_plan": plans.filter(target_system=system).first(),
    }


@login_required
def system_revision(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One version of a system's record against the version before it (变更比对)."""
    system = _visible_system(request, pk)
    revision = get_object_or_404(selectors.system_revisions(request.user, system), number=number)
    previous = selectors.previous_revision(request.user, revision)
    context = {
        "system": system,
        "revision": revision,
        "previous": previous,
        "changes": selectors.revision_changes(request.user, revision, previous),
    }
    return render(request, "inventory/systems/revision.html", context)


# --- census form ----------------------------------------------------------------------------


def _departments_for_new_system(user: Actor) -> QuerySet[Department]:
    """Departments where ``user`` may register a system (the policy decides, per department)."""
    active = Department.objects.filter(is_active=True).order_by("name")
    allowed = [d.pk for d in active if can(user, "add", InformationSystem(department=d))]
    return active.filter(pk__in=allowed)


@login_required
def system_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", InformationSystem)
    departments = _departments_for_new_system(request.user)
    form = SystemForm(
        post_data(request),
        departments=departments,
        initial={"department": request.active_department_id},  # type: ignore[attr-defined]
    )

    def create(data: dict[str, Any]) -> InformationSystem:
        return services.system_create(
            actor=request.user,
            department=data["department"],
            data=form.census_data(),
            note=data["note"],
        )

    if request.method == "POST" and (system := submit(form, create)):
        messages.success(request, _("System %(name)s was registered.") % {"name": system})
        return redirect("inventory:system_detail", pk=system.pk)
    return render_form_page(
        request,
        form,
        title=_("Register a system"),
        crumbs=_crumbs(),
        cancel_url=reverse("inventory:system_list"),
    )


@login_required
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = _visible_system(request, pk)
    require(request.user, "change", system)
    form = SystemForm(post_data(request), system=system)

    def save(data: dict[str, Any]) -> InformationSystem:
        return services.system_update(
            actor=request.user, system=system, data=form.census_data(), note=data["note"]
        )

    if request.method == "POST" and submit(form, save) is not None:
        messages.success(request, _("System %(name)s was saved.") % {"name": system.name})
        return redirect("inventory:system_detail", pk=system.pk)
    detail_url = reverse("inventory:system_detail", args=[system.pk])
    return render_form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": system.name},
        crumbs=[*_crumbs(), Crumb(system.name, detail_url)],
        cancel_url=detail_url,
    )


@login_required
@action_view("inventory:system_detail")
def system_report_key(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue (or rotate) the system's usage-report key and show it this once."""
    system = _visible_system(request, pk)
    try:
        plaintext = services.system_issue_report_key(actor=request.user, system=system)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
        return redirect("inventory:system_detail", pk=system.pk)
    response = render(
        request, "inventory/systems/report_key.html", {"system": system, "plaintext": plaintext}
    )
    response["Cache-Control"] = "no-store"  # the key is shown once and must not be cached
    return response


def _lifecycle_form(request: HttpRequest, system: InformationSystem) -> LifecycleForm:
    targets = selectors.merge_targets(request.user, system)
    return LifecycleForm(post_data(request), system=system, targets=targets)


@login_required
@action_view("inventory:system_detail")
def system_lifecycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a system's status (the form sits on the detail page; errors get a page of their
    own so they are seen whichever tab was open)."""
    system = _visible_system(request, pk)
    require(request.user, "change", system)
    form = _lifecycle_form(request, system)

    def move(data: dict[str, Any]) -> InformationSystem:
        return services.system_set_lifecycle(
            actor=request.user,
            system=system,
            lifecycle=data["lifecycle"],
            merged_into=data["merged_into"],
            note=data["note"],
        )

    if submit(form, move):
        messages.success(request, _("The status of %(name)s was changed.") % {"name": system})
        return redirect("inventory:system_detail", pk=system.pk)
    detail_url = reverse("inventory:system_detail", args=[system.pk])
    response = render_form_page(
        request,
        form,
        title=_("Change the status of %(name)s") % {"name": system.name},
        crumbs=[*_crumbs(), Crumb(system.name, detail_url)],
        cancel_url=detail_url,
    )
    response.status_code = 400
    return response


urlpatterns: list[URLPattern] = [
    path("systems/", system_list, name="system_list"),
    path("systems/new/", system_create, name="system_create"),
    path("systems/<int:pk>/", system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", system_edit, name="system_edit"),
    path("systems/<int:pk>/lifecycle/", system_lifecycle, name="system_lifecycle"),
    path("systems/<int:pk>/report-key/", system_report_key, name="system_report_key"),
    path("systems/<int:pk>/versions/<int:number>/", system_revision, name="system_revision"),
]
