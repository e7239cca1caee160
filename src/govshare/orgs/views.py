"""Pages of the orgs package: the department directory, regions and memberships."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.orgs import selectors, services
from govshare.orgs.choices import RegionLevel
from govshare.orgs.forms import (
    DepartmentContactForm,
    DepartmentFilterForm,
    DepartmentForm,
    MembershipForm,
    RegionForm,
)
from govshare.orgs.middleware import SESSION_KEY
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.roles import principal_of
from govshare.orgs.services import DepartmentData

REGIONS_PER_PAGE = 100


@login_required
@action_view("core:home")
def switch_department(request: HttpRequest) -> HttpResponse:
    """Choose the department the user acts for (only one of their own)."""
    try:
        department_id = int(request.POST.get("department", ""))
    except ValueError:
        department_id = None
    if department_id in principal_of(request.user).departments():
        request.session[SESSION_KEY] = department_id
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


# --- departments ----------------------------------------------------------------------------


def _department_crumbs() -> list[Crumb]:
    return [Crumb(_("Departments"), reverse("orgs:department_list"))]


def _visible_department(request: HttpRequest, pk: int) -> Department:
    departments = Department.objects.restrict(request.user, "view")
    return get_object_or_404(departments.select_related("region", "parent"), pk=pk)


@login_required
def department_list(request: HttpRequest) -> HttpResponse:
    form = DepartmentFilterForm(request.GET or None)
    departments = selectors.department_list(request.user, **form.selector_filters())
    context = {
        "form": form,
        "can_add": can(request.user, "add", Department),
        **paginate(request, departments),
    }
    return render(request, "orgs/department_list.html", context)


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _department_page(request, _visible_department(request, pk))


def _department_page(
    request: HttpRequest,
    department: Department,
    membership_form: MembershipForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The department page; ``membership_form`` carries the errors of a failed add."""
    user = request.user
    can_manage_members = can(user, "add", Membership)
    context = {
        "department": department,
        "children": Department.objects.restrict(user, "view").filter(parent=department),
        # Who works where is private to the department (MembershipPolicy).
        "can_see_members": can(user, "view", Membership(department=department)),
        "members": selectors.department_members(user, department),
        "can_edit": can(user, "change", department),
        "can_edit_contact": can(user, "change_contact", department),
        "can_manage_members": can_manage_members,
        "membership_form": (membership_form or MembershipForm()) if can_manage_members else None,
    }
    return render(request, "orgs/department_detail.html", context, status=status)


@login_required
def department_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", Department)
    form = DepartmentForm(post_data(request))

    def create(data: dict[str, Any]) -> Department:
        return services.department_create(actor=request.user, data=DepartmentData(**data))

    if request.method == "POST" and (department := submit(form, create)) is not None:
        messages.success(request, _("Department %(name)s was created.") % {"name": department})
        return redirect("orgs:department_detail", pk=department.pk)
    return render_form_page(
        request,
        form,
        title=_("New department"),
        crumbs=_department_crumbs(),
        cancel_url=reverse("orgs:department_list"),
    )


@login_required
def department_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Every field of a department (platform admins)."""
    return _edit_department(
        request,
        pk,
        action="change",
        form_class=DepartmentForm,
        save=lambda department, data: services.department_update(
            actor=request.user, department=department, data=DepartmentData(**data)
        ),
    )


@login_required
def department_contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Contact details, which the department's own data officer keeps up to date."""
    return _edit_department(
        request,
        pk,
        action="change_contact",
        form_class=DepartmentContactForm,
        save=lambda department, data: services.department_update_contact(
            actor=request.user, department=department, contact=data
        ),
    )


def _edit_department(
    request: HttpRequest,
    pk: int,
    *,
    action: str,
    form_class: type[DepartmentContactForm],
    save: Callable[[Department, dict[str, Any]], Department],
) -> HttpResponse:
    department = _visible_department(request, pk)
    require(request.user, action, department)
    form = form_class(post_data(request), department=department)
    if request.method == "POST" and submit(form, lambda data: save(department, data)) is not None:
        messages.success(request, _("Department %(name)s was saved.") % {"name": department})
        return redirect("orgs:department_detail", pk=department.pk)
    detail_url = reverse("orgs:department_detail", args=[department.pk])
    return render_form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": department.display_name},
        crumbs=[*_department_crumbs(), Crumb(department.display_name, detail_url)],
        cancel_url=detail_url,
    )


# --- memberships ----------------------------------------------------------------------------


@login_required
@action_view("orgs:department_detail")
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a user a role in the department (form on the department page)."""
    department = _visible_department(request, pk)
    require(request.user, "add", Membership)
    form = MembershipForm(request.POST)

    def add(data: dict[str, Any]) -> Membership:
        return services.membership_add(
            actor=request.user, department=department, user=data["user"], role=data["role"]
        )

    if membership := submit(form, add):
        messages.success(request, _("%(membership)s was added.") % {"membership": membership})
        return redirect("orgs:department_detail", pk=department.pk)
    return _department_page(request, department, membership_form=form, status=400)


@login_required
@action_view("orgs:department_list", keep=())
def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    memberships = Membership.objects.restrict(request.user, "view")
    membership = get_object_or_404(memberships.select_related("user", "department"), pk=pk)
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("%(membership)s was removed.") % {"membership": membership})
    return redirect("orgs:department_detail", pk=membership.department_id)


# --- regions --------------------------------------------------------------------------------


@login_required
def region_list(request: HttpRequest) -> HttpResponse:
    """Regions in code order, which is tree order for GB/T 2260 codes (parents come first)."""
    regions = Region.objects.restrict(request.user, "view").select_related("parent")
    page = paginate(request, regions, per_page=REGIONS_PER_PAGE)
    depth_of = {level: depth for depth, level in enumerate(RegionLevel.values)}
    rows = [(region, depth_of.get(region.level, 0)) for region in page["object_list"]]
    top = min((depth for _region, depth in rows), default=0)
    context = {
        **page,
        "rows": [(region, depth - top) for region, depth in rows],
        "can_add": can(request.user, "add", Region),
    }
    return render(request, "orgs/region_list.html", context)


@login_required
def region_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", Region)
    form = RegionForm(post_data(request))

    def create(data: dict[str, Any]) -> Region:
        return services.region_create(actor=request.user, **data)

    if request.method == "POST" and (region := submit(form, create)) is not None:
        messages.success(request, _("Region %(name)s was created.") % {"name": region})
        return redirect("orgs:region_list")
    return render_form_page(
        request,
        form,
        title=_("New region"),
        crumbs=[Crumb(_("Regions"), reverse("orgs:region_list"))],
        cancel_url=reverse("orgs:region_list"),
    )
