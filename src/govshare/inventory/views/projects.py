"""Pages of IT projects and filings (项目备案), and the funding gate (不予安排运维经费)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govshare.core.forms import submit
from govshare.core.permissions import can, require
from govshare.core.web.downloads import XLSX, attachment
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.core.web.pagination import paginate
from govshare.inventory import funding, selectors
from govshare.inventory.forms.projects import GateFilterForm, ProjectFilterForm, ProjectForm
from govshare.inventory.models import Project
from govshare.inventory.services import project_create, project_update

GATE_PAGE_SIZE = 50
GATE_NAME = gettext_lazy("Funding gate")  # the report's file name, in the user's language


# --- projects -------------------------------------------------------------------------------


def _crumbs() -> list[Crumb]:
    return [Crumb(_("IT projects"), reverse("inventory:project_list"))]


def _visible_project(request: HttpRequest, pk: int) -> Project:
    projects = Project.objects.restrict(request.user, "view").select_related("department")
    return get_object_or_404(projects, pk=pk)


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    departments = selectors.filter_departments(request.user)
    form = ProjectFilterForm(request.GET or None, departments=departments)
    projects = form.apply(Project.objects.restrict(request.user, "view"))
    projects = projects.select_related("department").annotate(system_count=Count("systems"))
    context = {
        "form": form,
        "can_add": can(request.user, "add", Project),
        **paginate(request, projects.order_by("department__name", "name", "pk")),
    }
    return render(request, "inventory/projects/list.html", context)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_project(request, pk)
    gate, judged = funding.judge_project(project)
    systems = [(system, judged[system.pk]) for system in project.systems.order_by("name")]
    context = {
        "project": project,
        "gate": gate,
        "systems": systems,
        "can_edit": can(request.user, "change", project),
        "checks_resources": funding.checks_resources(),
    }
    return render(request, "inventory/projects/detail.html", context)


@login_required
def project_create_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", Project)
    initial = {"department": getattr(request, "active_department_id", None)}
    form = ProjectForm(post_data(request), user=request.user, initial=initial)

    def create(data: dict[str, Any]) -> Project:
        return project_create(
            actor=request.user,
            department=data["department"],
            data=form.service_data(),
            systems=data["systems"],
        )

    if request.method == "POST" and (project := submit(form, create)):
        messages.success(request, _("Project %(name)s was filed.") % {"name": project})
        return redirect("inventory:project_detail", pk=project.pk)
    return render_form_page(
        request,
        form,
        title=_("New IT project"),
        crumbs=_crumbs(),
        cancel_url=reverse("inventory:project_list"),
    )


@login_required
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_project(request, pk)
    require(request.user, "change", project)
    form = ProjectForm(post_data(request), user=request.user, project=project)

    def update(data: dict[str, Any]) -> Project:
        return project_update(
            actor=request.user, project=project, data=form.service_data(), systems=data["systems"]
        )

    if request.method == "POST" and submit(form, update) is not None:
        messages.success(request, _("Project %(name)s was saved.") % {"name": project})
        return redirect("inventory:project_detail", pk=project.pk)
    detail_url = reverse("inventory:project_detail", args=[project.pk])
    return render_form_page(
        request,
        form,
        title=_("Edit %(name)s") % {"name": project.name},
        crumbs=[*_crumbs(), Crumb(project.name, detail_url)],
        cancel_url=detail_url,
    )


# --- the funding gate -----------------------------------------------------------------------


@login_required
@require_GET
def funding_gate(request: HttpRequest) -> HttpResponse:
    """Projects and systems with the reasons they fail the sharing requirement."""
    departments = selectors.filter_departments(request.user)
    form = GateFilterForm(request.GET or None, departments=departments)
    department_id, failing_only = form.selection()
    rows = funding.funding_gate(request.user, department_id)
    shown = funding.failing(rows) if failing_only else rows
    context = {
        "form": form,
        "checks_resources": funding.checks_resources(),
        "summary": _summary(rows),
        **paginate(request, shown, per_page=GATE_PAGE_SIZE),
    }
    return render(request, "inventory/projects/funding_gate.html", context)


def _summary(rows: list[funding.GateRow]) -> dict[str, Any]:
    kinds = funding.RowKind
    failed = funding.failing(rows)
    return {
        "projects": sum(1 for r in rows if r.kind == kinds.PROJECT),
        "projects_failing": sum(1 for r in failed if r.kind == kinds.PROJECT),
        "systems": sum(1 for r in rows if r.kind == kinds.SYSTEM),
        "systems_failing": sum(1 for r in failed if r.kind == kinds.SYSTEM),
        "project_cost": funding.withheld_cost(rows, kinds.PROJECT),
        "system_cost": funding.withheld_cost(rows, kinds.SYSTEM),
    }


@login_required
@require_GET
def funding_gate_export(request: HttpRequest) -> HttpResponse:
    """The funding-gate report as an Excel workbook, with the page's filters."""
    departments = selectors.filter_departments(request.user)
    form = GateFilterForm(request.GET or None, departments=departments)
    department_id, failing_only = form.selection()
    rows = funding.funding_gate(request.user, department_id)
    rows = funding.failing(rows) if failing_only else rows
    suffix = f"-{timezone.localdate():%Y%m%d}"
    content = funding.gate_workbook(rows)
    return attachment(content, XLSX, GATE_NAME, suffix=suffix, extension="xlsx")


urlpatterns: list[URLPattern] = [
    path("projects/", project_list, name="project_list"),
    path("projects/new/", project_create_view, name="project_create"),
    path("projects/<int:pk>/", project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", project_edit, name="project_edit"),
    path("funding-gate/", funding_gate, name="funding_gate"),
    path("funding-gate/export.xlsx", funding_gate_export, name="funding_gate_export"),
]
