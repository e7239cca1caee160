"""Forms of the census list and of a system's census record (系统普查)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from govshare.core.forms import StyledForm
from govshare.inventory.choices import LIFECYCLE_TRANSITIONS, Deployment, Lifecycle, NetworkDomain
from govshare.inventory.forms.fields import ANY, DATE_INPUT, SystemChoiceField
from govshare.inventory.models import InformationSystem
from govshare.inventory.services import SYSTEM_FIELDS
from govshare.orgs.models import Department

# 等级保护 levels 1–5 (GB/T 22239), or none.
PROTECTION_LEVELS = ANY + [(level, str(level)) for level in range(1, 6)]


# --- the census list ------------------------------------------------------------------------


class SystemFilterForm(StyledForm):
    query = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Name or function"), "type": "search"}),
    )
    department = forms.ModelChoiceField(
        Department.objects.none(), label=_("Department"), required=False
    )
    lifecycle = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + Lifecycle.choices
    )
    network_domain = forms.ChoiceField(
        label=_("Network"), required=False, choices=ANY + NetworkDomain.choices
    )
    deployment = forms.ChoiceField(
        label=_("Deployment"), required=False, choices=ANY + Deployment.choices
    )
    zombie = forms.ChoiceField(
        label=_("Zombie"),
        required=False,
        choices=ANY + [("yes", _("Flagged")), ("no", _("Not flagged"))],
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``selectors.system_list``; no filter when the input is bad."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        zombie = {"yes": True, "no": False}.get(data["zombie"])
        return {
            "query": data["query"],
            "department_id": data["department"].pk if data["department"] else None,
            "lifecycle": data["lifecycle"],
            "network_domain": data["network_domain"],
            "deployment": data["deployment"],
            "is_zombie": zombie,
        }


# --- a system's census record ---------------------------------------------------------------


def _census_formfield(model_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(model_field, models.URLField):
        # Health-check URLs on the e-government networks are mostly plain http.
        kwargs["assume_scheme"] = "http"
    if isinstance(model_field, models.DateField):
        kwargs["widget"] = forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d")
    if isinstance(model_field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
    if model_field.name == "protection_level":
        kwargs["widget"] = forms.Select(choices=PROTECTION_LEVELS)
    return model_field.formfield(**kwargs)


class SystemFormBase(StyledForm):
    """The census fields of a system (labels, choices and limits come from the model)."""

    department = forms.ModelChoiceField(
        Department.objects.none(),
        label=_("Owning department"),
        help_text=_("Departments where you are the data officer."),
    )
    note = forms.CharField(
        label=_("Note on this change"),
        required=False,
        max_length=300,
        help_text=_("Kept with the version, e.g. why a confirmed census is changed."),
    )

    def __init__(
        self,
        *args: Any,
        departments: QuerySet[Department] | None = None,
        system: InformationSystem | None = None,
        **kwargs: Any,
    ) -> None:
        if system is not None:  # editing: start from the system's current record
            kwargs.setdefault("initial", {name: getattr(system, name) for name in SYSTEM_FIELDS})
        super().__init__(*args, **kwargs)
        self.system = system
        if departments is None:  # a system never moves to another department
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.order_fields(["department", *SYSTEM_FIELDS, "note"])

    def census_data(self) -> dict[str, Any]:
        """The census fields entered; when editing, only those that differ from the record, so a
        version names what really changed (100 and 100.00 are the same investment)."""
        names = SYSTEM_FIELDS if self.system is None else self.changed_data
        return {name: self.cleaned_data[name] for name in names if name in SYSTEM_FIELDS}


# Built the way modelform_factory builds a form: the model's own form fields, no ModelForm save.
SystemForm = cast(
    type[SystemFormBase],
    DeclarativeFieldsMetaclass(
        "SystemForm",
        (SystemFormBase,),
        fields_for_model(
            InformationSystem, fields=SYSTEM_FIELDS, formfield_callback=_census_formfield
        ),
    ),
)


class LifecycleForm(StyledForm):
    """Move a system to another status; merging names the target (系统状态变更)."""

    lifecycle = forms.ChoiceField(label=_("New status"))
    merged_into = SystemChoiceField(label=_("Merged into"), required=False)
    note = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(
        self, *args: Any, system: InformationSystem, targets: list[InformationSystem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        allowed = LIFECYCLE_TRANSITIONS.get(system.lifecycle, frozenset())
        self.fields["lifecycle"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Lifecycle.choices if value in allowed
        ]
        self.fields["merged_into"].offer(targets)  # type: ignore[attr-defined]
