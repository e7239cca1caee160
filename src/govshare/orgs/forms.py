"""Forms of the orgs pages. They only parse input; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from govshare.core.forms import StyledForm
from govshare.core.roles import Role
from govshare.orgs.choices import DepartmentKind, RegionLevel
from govshare.orgs.models import Department, Region


class DepartmentFilterForm(StyledForm):
    query = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name or unified social credit code"), "type": "search"}
        ),
    )
    region = forms.ModelChoiceField(
        Region.objects.all(), label=_("Region"), required=False, to_field_name="code"
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[*BLANK_CHOICE_DASH, *DepartmentKind.choices]
    )
    include_inactive = forms.BooleanField(label=_("Include inactive"), required=False)

    def selector_filters(self) -> dict[str, Any]:
        """Keyword arguments for ``department_list``; no filter when the input is malformed."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["query"],
            "region_code": data["region"].code if data["region"] else "",
            "kind": data["kind"],
            "include_inactive": data["include_inactive"],
        }


class DepartmentContactForm(StyledForm):
    """A department's contact details (联系方式): what its own data officer may edit."""

    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=30)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    address = forms.CharField(label=_("Address"), required=False, max_length=200)

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        if department is not None:  # editing: start from the department's current values
            kwargs.setdefault(
                "initial", {name: getattr(department, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)
        self.department = department


class DepartmentForm(DepartmentContactForm):
    """Every field of a department (platform admins)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), required=False, max_length=32)
    # Room for the spaces and dashes people type; the service compacts and checks the code.
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    region = forms.ModelChoiceField(Region.objects.all(), label=_("Region"))
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[*BLANK_CHOICE_DASH, *RegionLevel.choices],
        help_text=_("Leave empty to take the level of the region."),
    )
    parent = forms.ModelChoiceField(
        Department.objects.all(), label=_("Parent department"), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[*BLANK_CHOICE_DASH, *DepartmentKind.choices])
    is_sharing_authority = forms.BooleanField(
        label=_("Sharing authority"),
        required=False,
        help_text=_("The department that runs the node and reviews sharing (共享主管部门)."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    field_order = [
        "name",
        "short_name",
        "uscc",
        "region",
        "level",
        "parent",
        "kind",
        "is_sharing_authority",
        "is_active",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.department is not None:  # the service rejects cycles; do not even offer itself
            parents = self.fields["parent"]
            parents.queryset = parents.queryset.exclude(pk=self.department.pk)  # type: ignore[attr-defined]


class RegionForm(StyledForm):
    code = forms.CharField(label=_("Region code"), max_length=12)
    name = forms.CharField(label=_("Name"), max_length=64)
    level = forms.ChoiceField(label=_("Level"), choices=RegionLevel.choices)
    parent = forms.ModelChoiceField(Region.objects.all(), label=_("Parent region"), required=False)


class UserChoiceField(forms.ModelChoiceField):
    """Users shown as "full name (user name)"."""

    def label_from_instance(self, obj: Any) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


class MembershipForm(StyledForm):
    user = UserChoiceField(
        get_user_model().objects.filter(is_active=True).order_by("username"), label=_("User")
    )
    role = forms.ChoiceField(label=_("Role"), choices=[*BLANK_CHOICE_DASH, *Role.choices])
