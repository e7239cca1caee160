"""Pages of the integration plans (整合方案): per department, the target system, the systems that
merge into it, unified-login coverage, and duplicates still left."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from govshare.core.forms import StyledForm, submit
from govshare.core.permissions import can, require
from govshare.core.text import join_sentences
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.inventory import selectors, services
from govshare.inventory.forms.integration import (
    IntegrationItemForm,
    IntegrationPlanForm,
    IntegrationStatusForm,
)
from govshare.inventory.models import IntegrationItem, IntegrationPlan
from govshare.orgs.models import Department


def _crumbs() -> list[Crumb]:
    return [Crumb(_("Integration plans"), reverse("inventory:integration_list"))]


@login_required
def integration_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.integration_overview(request.user)
    return render(request, "inventory/integration/list.html", {"rows": rows})


def _visible_department(request: HttpRequest, pk: int) -> Department:
    """A department whose plan the user may read; 404 for the others (as for their systems)."""
    department = get_object_or_404(Department, pk=pk)
    if not can(request.user, "view", IntegrationPlan(department=department)):
        raise Http404
    return department


def _plan_of(request: HttpRequest, department: Department) -> IntegrationPlan | None:
    plans = IntegrationPlan.objects.restrict(request.user, "view").select_related("target_system")
    return plans.filter(department=department).first()


@login_required
def integration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    department = _visible_department(request, pk)
    overview = selectors.integration_overview(user, department.pk)
    integration = overview[0] if overview else selectors.DepartmentIntegration(department)
    plan = integration.plan
    can_change = can(user, "change", IntegrationPlan(department=department))
    context: dict[str, Any] = {
        "department": department,
        "integration": integration,
        "live_systems": selectors.department_live_systems(user, department),
        "can_change": can_change,
        "item_rows": [
            (item, IntegrationStatusForm(item_pk=item.pk, initial={"status": item.status}))
            for item in integration.items
        ],
    }
    if can_change:
        context["plan_form"] = _plan_form(request, department, plan, data=None)
        context["item_form"] = _item_form(request, plan, data=None) if plan else None
    return render(request, "inventory/integration/detail.html", context)


def _plan_form(
    request: HttpRequest, department: Department, plan: IntegrationPlan | None, data: Any
) -> IntegrationPlanForm:
    initial = {"target_system": plan.target_system_id, "note": plan.note} if plan else {}
    candidates = selectors.plan_target_candidates(request.user, department)
    return IntegrationPlanForm(data, candidates=candidates, initial=initial)


def _item_form(request: HttpRequest, plan: IntegrationPlan, data: Any) -> IntegrationItemForm:
    candidates = selectors.plan_item_candidates(request.user, plan)
    return IntegrationItemForm(data, candidates=candidates)


def _form_page(
    request: HttpRequest, form: StyledForm, title: str, department_pk: int
) -> HttpResponse:
    """A write's form on a page of its own: shown on GET, and again with errors on a bad POST."""
    detail_url = reverse("inventory:integration_detail", args=[department_pk])
    response = render_form_page(request, form, title=title, crumbs=_crumbs(), cancel_url=detail_url)
    response.status_code = 400 if request.method == "POST" else 200
    return response


def _to_detail(department_pk: int) -> HttpResponse:
    return redirect("inventory:integration_detail", pk=department_pk)


@login_required
def integration_plan_set(request: HttpRequest, pk: int) -> HttpResponse:
    department = _visible_department(request, pk)
    require(request.user, "change", IntegrationPlan(department=department))
    form = _plan_form(request, department, _plan_of(request, department), post_data(request))

    def save(data: dict[str, Any]) -> IntegrationPlan:
        return services.integration_plan_set(
            actor=request.user,
            department=department,
            target_system=data["target_system"],
            note=data["note"],
        )

    if request.method == "POST" and submit(form, save) is not None:
        messages.success(request, _("The integration plan was saved."))
        return _to_detail(department.pk)
    title = _("Integration plan of %(department)s") % {"department": department.name}
    return _form_page(request, form, title, department.pk)


@login_required
def integration_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    department = _visible_department(request, pk)
    plan = _plan_of(request, department)
    if plan is None:
        raise Http404
    require(request.user, "change", plan)
    form = _item_form(request, plan, post_data(request))

    def add(data: dict[str, Any]) -> IntegrationItem:
        return services.integration_item_add(
            actor=request.user, plan=plan, system=data["system"], due=data["due"]
        )

    if request.method == "POST" and (item := submit(form, add)):
        messages.success(request, _("%(name)s was added to the plan.") % {"name": item.system})
        return _to_detail(department.pk)
    title = _("Add a system to merge into %(target)s") % {"target": plan.target_system.name}
    return _form_page(request, form, title, department.pk)


def _visible_item(request: HttpRequest, pk: int) -> IntegrationItem:
    items = IntegrationItem.objects.restrict(request.user, "view")
    return get_object_or_404(items.select_related("plan__target_system", "system"), pk=pk)


@login_required
def integration_item_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an item on; done merges the system into the target."""
    item = _visible_item(request, pk)
    require(request.user, "change", item.plan)
    form = IntegrationStatusForm(
        post_data(request), item_pk=item.pk, initial={"status": item.status}
    )

    def move(data: dict[str, Any]) -> IntegrationItem:
        return services.integration_item_set_status(
            actor=request.user, item=item, status=data["status"], note=data["note"]
        )

    if request.method == "POST" and submit(form, move) is not None:
        messages.success(request, _("The status of %(name)s was saved.") % {"name": item.system})
        return _to_detail(item.plan.department_id)
    title = _("Status of %(name)s in the plan") % {"name": item.system.name}
    return _form_page(request, form, title, item.plan.department_id)


@login_required
@action_view("inventory:integration_list", keep=())
def integration_item_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible_item(request, pk)
    department_pk = item.plan.department_id
    try:
        services.integration_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, join_sentences(error.messages))
    else:
        messages.success(request, _("%(name)s was taken out of the plan.") % {"name": item.system})
    return _to_detail(department_pk)


urlpatterns: list[URLPattern] = [
    path("integration/", integration_list, name="integration_list"),
    path("integration/<int:pk>/", integration_detail, name="integration_detail"),
    path("integration/<int:pk>/plan/", integration_plan_set, name="integration_plan_set"),
    path("integration/<int:pk>/items/add/", integration_item_add, name="integration_item_add"),
    path(
        "integration/items/<int:pk>/status/",
        integration_item_status,
        name="integration_item_status",
    ),
    path(
        "integration/items/<int:pk>/remove/",
        integration_item_remove,
        name="integration_item_remove",
    ),
]
