"""Forms of the zombie clean-up (僵尸系统清理) and the shadow systems."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govshare.core.forms import StyledForm
from govshare.inventory.choices import CleanupDecision, ShadowStatus, ZombieRule
from govshare.inventory.forms.fields import ANY, SMALL_INPUT, SMALL_SELECT, SystemSearchField
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department

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
