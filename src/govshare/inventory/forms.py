"""Forms of the inventory pages. They only parse input; the services validate the rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govshare.core.forms import StyledForm
from govshare.inventory.choices import (
    LIFECYCLE_TRANSITIONS,
    CleanupDecision,
    Deployment,
    IntegrationStatus,
    Lifecycle,
    NetworkDomain,
    ShadowStatus,
    ZombieRule,
)
from govshare.inventory.models import InformationSystem
from govshare.inventory.services import SYSTEM_FIELDS
from govshare.orgs.models import Department

ANY: list[tuple[Any, Any]] = [("", "---------")]
DATE_INPUT = {"type": "date"}
# Controls of the small forms inside table rows.
SMALL_SELECT = {"class": "form-select form-select-sm"}
SMALL_INPUT = {"class": "form-control form-control-sm"}
# 等级保护 levels 1–5 (GB/T 22239), or none.
PROTECTION_LEVELS = ANY + [(level, str(level)) for level in range(1, 6)]


def system_label(system: InformationSystem) -> str:
    return f"{system.name}（{system.department.name}）"


class SystemChoiceField(forms.ChoiceField):
    """A choice among systems loaded once for the page; cleans to the system itself.

    A page of clean-up decisions holds one form per flagged system, each offering every live
    system; a ModelChoiceField would query the list again for each form.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.systems: dict[str, InformationSystem] = {}

    def offer(self, systems: Iterable[InformationSystem]) -> None:
        self.systems = {str(system.pk): system for system in systems}
        self.choices = ANY + [(pk, system_label(s)) for pk, s in self.systems.items()]

    def clean(self, value: Any) -> InformationSystem | None:
        value = super().clean(value)
        return self.systems.get(value) if value else None


class SystemSearchField(forms.CharField):
    """A system picked by typing its name: the input searches the page's one list of systems
    (an HTML <datalist>, filtered by the browser as the user types; no script, no CDN).

    A page of clean-up decisions has one form per flagged system; a <select> of every live
    system in each row put 85 options in every row. The list is written once per page
    (``datalist_id``; includes/form.html writes it under a form of its own)."""

    def __init__(self, *args: Any, datalist_id: str, **kwargs: Any) -> None:
        attrs = SMALL_INPUT | {"list": datalist_id, "autocomplete": "off", "type": "search"}
        kwargs.setdefault("widget", forms.TextInput(attrs))
        super().__init__(*args, **kwargs)
        self.datalist_id = datalist_id
        self.systems: dict[str, InformationSystem] = {}

    def offer(self, systems: Iterable[InformationSystem]) -> None:
        self.systems = {system_label(system): system for system in systems}

    @property
    def datalist(self) -> list[str]:
        return list(self.systems)

    def clean(self, value: Any) -> InformationSystem | None:  # type: ignore[override]
        label = str(super().clean(value) or "").strip()
        if not label:
            return None
        if label not in self.systems:
            raise forms.ValidationError(
                _("Choose a system from the list (type part of its name)."), code="invalid_choice"
            )
        return self.systems[label]


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


# --- the clean-up list ----------------------------------------------------------------------


class ZombieFilterForm(StyledForm):
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=ANY + ZombieRule.choices)
    department = forms.ModelChoiceField(
        Department.objects.none(), label=_("Department"), required=False
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def selector_filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        department = self.cleaned_data["department"]
        return {
            "rule": self.cleaned_data["rule"],
            "department_id": department.pk if department else None,
        }


class CleanupDecisionForm(StyledForm):
    """The authority's decision on one flagged system: stop, merge into X, or keep (清理决定)."""

    # No preselected choice: stopping a system must be chosen, never submitted by default.
    decision = forms.ChoiceField(
        label=pgettext_lazy("clean-up", "Decision"),
        choices=ANY + CleanupDecision.choices,
        widget=forms.Select(SMALL_SELECT),
    )
    merge_target = SystemSearchField(
        label=_("Merge into"), required=False, datalist_id="gs-merge-targets"
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(SMALL_INPUT | {"rows": 2})
    )

    def __init__(
        self, *args: Any, system: InformationSystem, targets: list[InformationSystem], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", f"decide-{system.pk}")
        super().__init__(*args, **kwargs)
        self.fields["merge_target"].offer(  # type: ignore[attr-defined]
            target for target in targets if target.pk != system.pk
        )


class ShadowFilterForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=ANY + ShadowStatus.choices
    )


class ShadowResolveForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Resolution"),
        choices=[(s, label) for s, label in ShadowStatus.choices if s != ShadowStatus.OPEN],
        widget=forms.Select(SMALL_SELECT | {"aria-label": _("Resolution")}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(
            SMALL_INPUT | {"placeholder": _("Why, when dismissed"), "aria-label": _("Note")}
        ),
    )

    def __init__(self, *args: Any, shadow_pk: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"shadow-{shadow_pk}")
        super().__init__(*args, **kwargs)


# --- integration plans ----------------------------------------------------------------------


class IntegrationPlanForm(StyledForm):
    target_system = forms.ModelChoiceField(
        InformationSystem.objects.none(),
        label=_("Target system"),
        help_text=_("The one system the department's other systems merge into (大系统)."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, candidates: QuerySet[InformationSystem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_system"].queryset = candidates  # type: ignore[attr-defined]


class IntegrationItemForm(StyledForm):
    system = forms.ModelChoiceField(InformationSystem.objects.none(), label=_("System to merge"))
    due = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, candidates: QuerySet[InformationSystem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["system"].queryset = candidates  # type: ignore[attr-defined]


class IntegrationStatusForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=IntegrationStatus.choices,
        widget=forms.Select(SMALL_SELECT | {"aria-label": _("Status")}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, item_pk: int, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"item-{item_pk}")
        super().__init__(*args, **kwargs)
