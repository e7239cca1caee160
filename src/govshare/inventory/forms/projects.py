"""Forms of the IT projects (项目备案) and the funding gate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from govshare.core.actors import Actor
from govshare.core.forms import ModelMultipleChoiceField, StyledForm
from govshare.core.roles import Role
from govshare.inventory.choices import FilingStatus, FundingSource, ProjectStage
from govshare.inventory.forms.fields import ANY
from govshare.inventory.models import InformationSystem, Project
from govshare.inventory.services import PROJECT_FIELDS
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of


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
        self, *args: Any, user: Actor, project: Project | None = None, **kwargs: Any
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


def _filing_departments(user: Actor) -> QuerySet[Department]:
    """Departments the user may file projects for: their own as data officer, all for admins."""
    departments = Department.objects.filter(is_active=True).order_by("name")
    principal = principal_of(user)
    if principal.is_platform_admin:
        return departments
    return departments.filter(pk__in=principal.departments(Role.DATA_OFFICER))


def _initial(project: Project) -> dict[str, Any]:
    values = {name: getattr(project, name) for name in PROJECT_FIELDS}
    return {**values, "systems": list(project.systems.all())}
