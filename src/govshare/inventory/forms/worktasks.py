"""Forms of the work tasks (任务分解) and the monthly progress reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from govshare.core.forms import ModelMultipleChoiceField, StyledForm
from govshare.inventory import progress, services
from govshare.inventory.choices import TaskStatus
from govshare.inventory.forms.fields import ANY, MonthField
from govshare.inventory.models import WorkTask
from govshare.orgs.models import Department


def active_departments() -> Any:
    return Department.objects.filter(is_active=True).order_by("name")


class TaskFilterForm(StyledForm):
    category = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    unit = forms.ModelChoiceField(active_departments(), label=gettext_lazy("Unit"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Latest status"), required=False, choices=ANY + TaskStatus.choices
    )
    overdue = forms.ChoiceField(
        label=gettext_lazy("Overdue"),
        required=False,
        choices=ANY + [("yes", gettext_lazy("Overdue")), ("no", gettext_lazy("Not overdue"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # fields is typed dict[str, Field]; "category" is the ChoiceField declared above.
        categories = ANY + [(c, c) for c in progress.categories()]
        self.fields["category"].choices = categories  # type: ignore[attr-defined]

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``progress.task_list``; no filter when the input is malformed."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        overdue = {"yes": True, "no": False}.get(data["overdue"])
        return {
            "category": data["category"],
            "unit": data["unit"],
            "status": data["status"],
            "overdue": overdue,
        }


class TaskForm(StyledForm):
    code = forms.CharField(label=gettext_lazy("Number"), max_length=20)
    category = forms.CharField(label=gettext_lazy("Category"), max_length=60)
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    lead_unit = forms.ModelChoiceField(active_departments(), label=gettext_lazy("Lead unit"))
    responsible_units = ModelMultipleChoiceField(
        active_departments(),
        label=gettext_lazy("Responsible units"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    start = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        help_text=gettext_lazy("Monthly reports are owed from this month on."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, task: WorkTask | None = None, **kwargs: Any) -> None:
        if task is not None:  # editing: start from the task's current values
            initial = {name: getattr(task, name) for name in self.base_fields}
            initial["responsible_units"] = list(task.responsible_units.all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)

    @staticmethod
    def task_data(data: dict[str, Any]) -> services.TaskData:
        return services.TaskData(**{**data, "responsible_units": list(data["responsible_units"])})


class ReportForm(StyledForm):
    """A unit's monthly report; the unit is the user's active department, never an input."""

    month = MonthField(label=gettext_lazy("Month"))
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=TaskStatus.choices)
    percent_done = forms.IntegerField(
        label=gettext_lazy("Done (%)"), min_value=0, max_value=100, initial=0
    )
    progress = forms.CharField(
        label=gettext_lazy("Progress"), widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=gettext_lazy("Problems"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MilestoneForm(StyledForm):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=300)
    due = forms.DateField(label=gettext_lazy("Due"), widget=forms.DateInput(attrs={"type": "date"}))


class MonthPickerForm(StyledForm):
    month = MonthField(label=gettext_lazy("Month"), required=False)
