"""Pages of the census (系统普查): the returns and their review, and the census workbook.

A department fills in its census (or imports the workbook), submits it, and the sharing
authority confirms it or returns it with a reason. Views parse, call the services and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govshare.core.actors import Actor
from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.roles import DEPARTMENT_ROLES
from govshare.core.web.action_views import action_view
from govshare.core.web.downloads import XLSX, attachment, keep, kept
from govshare.core.web.pages import signed_in_user
from govshare.core.web.pagination import paginate
from govshare.inventory import selectors, workbook
from govshare.inventory.choices import CENSUS_TRANSITIONS, CensusStatus
from govshare.inventory.forms.census import ImportForm, ReturnFilterForm, ReviewForm
from govshare.inventory.forms.systems import SystemFilterForm
from govshare.inventory.models import CensusReturn, InformationSystem, SystemRevision
from govshare.inventory.services import census_review as review_service
from govshare.inventory.services import census_submit as submit_service
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

# The names of the downloads, in the user's language (issue 12 item 7).
TEMPLATE_NAME = gettext_lazy("Census workbook")
EXPORT_NAME = gettext_lazy("System census")
ERRORS_NAME = gettext_lazy("Census workbook, problems marked")
KEPT_ERRORS = "census-import-errors"  # where a failed import's error workbook is kept a day
REVISIONS_SHOWN = 50


# --- helpers --------------------------------------------------------------------------------


def active_department(request: HttpRequest) -> Department:
    """The department the user acts for; none means there is nothing of theirs to act on."""
    department_id = getattr(request, "active_department_id", None)
    if department_id is None:
        raise PermissionDenied
    return get_object_or_404(Department, pk=department_id)


def _own_department(request: HttpRequest) -> Department | None:
    """The active department when the user works in it (data officer or staff)."""
    department_id = getattr(request, "active_department_id", None)
    principal = principal_of(request.user)
    if department_id is None or not principal.has_department_role(department_id, *DEPARTMENT_ROLES):
        return None
    return Department.objects.filter(pk=department_id).first()


def _visible_return(request: HttpRequest, pk: int) -> CensusReturn:
    returns = CensusReturn.objects.restrict(request.user, "view").select_related(
        "department", "reviewed_by"
    )
    return get_object_or_404(returns, pk=pk)


def _may_submit(user: Actor, department: Department, census: CensusReturn | None) -> bool:
    census = census or CensusReturn(department=department)
    allowed = CensusStatus.SUBMITTED in _next_states(census)
    return allowed and can(user, "change", census)


def _next_states(census: CensusReturn) -> frozenset[str]:
    return CENSUS_TRANSITIONS.get(census.status if census.pk else CensusStatus.DRAFT, frozenset())


# --- census returns -------------------------------------------------------------------------


@login_required
@require_GET
def census_list(request: HttpRequest) -> HttpResponse:
    """Overseers: the review inbox of every department's return. A department: its own."""
    user = request.user
    year = timezone.localdate().year
    form = ReturnFilterForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "year": year, "oversees": False}
    if principal_of(user).sees_everything:
        context.update(oversees=True, **paginate(request, _inbox(user, form, year)))
    department = _own_department(request)
    if department is not None:
        context.update(_own_return_context(user, department, year))
    return render(request, "inventory/census/list.html", context)


def _inbox(user: Actor, form: ReturnFilterForm, year: int) -> QuerySet[CensusReturn]:
    returns = CensusReturn.objects.restrict(user, "view").select_related("department")
    data = form.cleaned_data if form.is_valid() else {}
    returns = returns.filter(year=data.get("year") or year)
    if data.get("status"):
        returns = returns.filter(status=data["status"])
    # Submitted returns first: they wait for the authority.
    return returns.order_by("-submitted", "department__name")


def _own_return_context(user: Actor, department: Department, year: int) -> dict[str, Any]:
    census = CensusReturn.objects.filter(department=department, year=year).first()
    systems = InformationSystem.objects.restrict(user, "view").filter(department=department)
    return {
        "department": department,
        "census": census,
        "events": census.events.all() if census else [],
        "registered": systems.count(),
        "can_submit": _may_submit(user, department, census),
        "can_import": can(user, "add", InformationSystem(department=department)),
        "past_returns": CensusReturn.objects.restrict(user, "view")
        .filter(department=department)
        .exclude(year=year),
    }


@login_required
@require_GET
def census_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _visible_return(request, pk))


def _detail_page(
    request: HttpRequest, census: CensusReturn, form: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    may_review = can(user, "review", census) and census.status == CensusStatus.SUBMITTED
    revisions = SystemRevision.objects.restrict(user, "view").filter(
        system__department=census.department_id, after_confirmation=True
    )
    context = {
        "census": census,
        "events": census.events.all(),
        "review_form": (form or ReviewForm()) if may_review else None,
        "can_submit": _may_submit(user, census.department, census)
        and census.department_id == getattr(request, "active_department_id", None),
        "revisions": selectors.labelled_revisions(
            revisions.select_related("system")[:REVISIONS_SHOWN]
        ),
    }
    return render(request, "inventory/census/detail.html", context, status=status)


@login_required
@action_view("inventory:census_detail")
def census_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The authority confirms a submitted return or returns it with a note."""
    census = _visible_return(request, pk)
    require(request.user, "review", census)
    form = ReviewForm(request.POST)

    def review(data: dict[str, Any]) -> CensusReturn:
        confirm = data["decision"] == "confirm"
        return review_service(actor=request.user, census=census, confirm=confirm, note=data["note"])

    if reviewed := submit(form, review):
        messages.success(
            request,
            _("The census of %(department)s is now “%(status)s”.")
            % {"department": reviewed.department, "status": reviewed.get_status_display()},
        )
        return redirect("inventory:census_detail", pk=census.pk)
    return _detail_page(request, census, form=form, status=400)


@login_required
@action_view("inventory:census_list")
def census_submit(request: HttpRequest) -> HttpResponse:
    """The active department submits this year's census for review."""
    department = active_department(request)
    try:
        census = submit_service(actor=request.user, department=department)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("inventory:census_list")
    messages.success(request, _("The census was submitted for review."))
    return redirect("inventory:census_detail", pk=census.pk)


# --- the census workbook --------------------------------------------------------------------


@login_required
@require_GET
def census_template(request: HttpRequest) -> HttpResponse:
    return attachment(workbook.census_template(), XLSX, TEMPLATE_NAME, extension="xlsx")


@login_required
def census_import(request: HttpRequest) -> HttpResponse:
    """Upload the census workbook for the active department: all rows, or nothing."""
    department = active_department(request)
    require(request.user, "add", InformationSystem(department=department))
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        result = workbook.census_import(actor=request.user, department=department, content=content)
        if result.is_valid:
            messages.success(
                request,
                _(
                    "The census workbook was imported: %(created)s new systems, "
                    "%(updated)s updated, %(unchanged)s unchanged."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("inventory:census_list")
    context = {"form": form, "department": department, "result": result}
    if result is not None and result.error_workbook:
        token = keep(signed_in_user(request).pk, result.error_workbook, KEPT_ERRORS)
        context["error_workbook_url"] = reverse("inventory:census_import_errors", args=[token])
    failed = request.method == "POST" and (result is None or not result.is_valid)
    return render(request, "inventory/census/import.html", context, status=400 if failed else 200)


@login_required
@require_GET
def census_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    """The error workbook of the user's own failed import, for a day after it."""
    content = kept(signed_in_user(request).pk, token, KEPT_ERRORS)
    if content is None:
        raise Http404
    return attachment(content, XLSX, ERRORS_NAME, extension="xlsx")


@login_required
@require_GET
def census_export(request: HttpRequest) -> HttpResponse:
    """The census of every system the user may see, with the system list's filters."""
    departments = selectors.filter_departments(request.user)
    form = SystemFilterForm(request.GET or None, departments=departments)
    systems = selectors.system_list(request.user, **form.selector_filters())
    content, suffix = workbook.census_export(systems), f"-{timezone.localdate():%Y%m%d}"
    return attachment(content, XLSX, EXPORT_NAME, suffix=suffix, extension="xlsx")


urlpatterns: list[URLPattern] = [
    path("census/", census_list, name="census_list"),
    path("census/submit/", census_submit, name="census_submit"),
    path("census/template.xlsx", census_template, name="census_template"),
    path("census/import/", census_import, name="census_import"),
    path(
        "census/import/errors/<str:token>.xlsx",
        census_import_errors,
        name="census_import_errors",
    ),
    path("census/export.xlsx", census_export, name="census_export"),
    path("census/<int:pk>/", census_detail, name="census_detail"),
    path("census/<int:pk>/review/", census_review, name="census_review"),
]
