"""Forms of the integration plans (整合计划)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from govshare.core.forms import StyledForm
from govshare.inventory.choices import IntegrationStatus
from govshare.inventory.forms.fields import DATE_INPUT, SMALL_SELECT
from govshare.inventory.models import InformationSystem

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
