"""Pages of IT projects and filings (项目备案), and the funding gate (不予安排运维经费)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govshare.core.downloads import XLSX, attachment
from govshare.core.forms import ModelMultipleChoiceField, StyledForm, submit
from govshare.core.pages import Crumb, post_data, render_form_page
from govshare.core.pagination import paginate
from govshare.core.permissions import can, require
from govshare.core.roles import Role
from govshare.inventory import funding, selectors
from govshare.inventory.choices import FilingStatus, FundingSource, ProjectStage
from govshare.inventory.forms import ANY
from govshare.inventory.models import InformationSystem, Project
from govshare.inventory.services import PROJECT_FIELDS, project_create, project_update
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

GATE_PAGE_SIZE = 50
GATE_NAME = gettext_lazy("Funding gate")  # the report's file name, in the user's language


# --- forms ----------------------------------------------------------------------------------


class DepartmentFilterForm(StyledForm):
    """A department filter offering the departments of ``selectors.filter_departments``."""

    department = forms.ModelChoiceField(
        Department.objects.none(), label=gettext_lazy("Department"), required=False
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ProjectFilterForm(DepartmentFilterForm):
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"), required=False, choices=ANY + ProjectStage.choices
    )
    funding_channel = forms.ChoiceField(
        label=gettext_lazy("Funding channel"), required=False, choices=ANY + FundingSource.choices
    )

    def apply(self, projects: QuerySet[Project]) -> QuerySet[Project]:
        if not self.is_valid():
            return projects
        filters = {name: value for name, value in self.cleaned_data.items() if value}
        return projects.filter(**filters)


class GateFilterForm(DepartmentFilterForm):
    failing_only = forms.BooleanField(label=gettext_lazy("Failing only"), required=False)

    def selection(self) -> tuple[int | None, bool]:
        if not self.is_valid():
            return None, False
        department = self.cleaned_data["department"]
        return (department.pk if department else None), self.cleaned_data["failing_only"]


class ProjectForm(StyledForm):
    """A project filing; ``department`` is chosen on creation only."""

    department = forms.ModelChoiceField(
        Department.objects.none(), label=gettext_lazy("Building department")
    )
    name = forms.CharField(label=gettext_lazy("Project name"), max_length=150)
    investment = forms.DecimalField(
        label=gettext_lazy("Investment (10k yuan)"), max_digits=14, decimal_places=2, initial=0
    )
    annual_om_cost = forms.DecimalField(
        label=gettext_lazy("O&M cost per year (10k yuan)"),
        max_digits=14,
        decimal_places=2,
        initial=0,
    )
    funding_channel = forms.ChoiceField(
        label=gettext_lazy("Funding channel"), choices=FundingSource.choices
    )
    data_resources = forms.CharField(
        label=gettext_lazy("Data resources"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The data the project collects or uses, one per line."),
    )
    systems = ModelMultipleChoiceField(
        InformationSystem.objects.none(),
        label=gettext_lazy("Application systems"),
        required=False,
        help_text=gettext_lazy("Systems of the building department that the project pays for."),
    )
    filing_status = forms.ChoiceField(
        label=gettext_lazy("Protection-level filing"),
        choices=FilingStatus.choices,
        initial=FilingStatus.NOT_FILED,
    )
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"), choices=ProjectStage.choices, initial=ProjectStage.APPROVAL
    )

    def __init__(
        self, *args: Any, user: Any, project: Project | None = None, **kwargs: Any
    ) -> None:
        if project is not None:
            kwargs.setdefault("initial", _initial(project))
        super().__init__(*args, **kwargs)
        departments = _filing_departments(user)
        systems = InformationSystem.objects.restrict(user, "view").select_related("department")
        if project is None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        else:
            del self.fields["department"]  # a filing stays with its building department
            departments = departments.filter(pk=project.department_id)
        self.fields["systems"].queryset = systems.filter(department__in=departments)  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROJECT_FIELDS}


def _filing_departments(user: Any) -> QuerySet[Department]:
    """Departments the user may file projects for: their own as data officer, all for admins."""
    departments = Department.objects.filter(is_active=True).order_by("name")
    principal = principal_of(user)
    if principal.is_platform_admin:
        return departments
    return departments.filter(pk__in=principal.departments(Role.DATA_OFFICER))


def _initial(project: Project) -> dict[str, Any]:
    values = {name: getattr(project, name) for name in PROJECT_FIELDS}
    return {**values, "systems": list(project.systems.all())}


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
