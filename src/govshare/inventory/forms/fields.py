"""Fields and widgets shared by the inventory's forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from govshare.core import months
from govshare.core.errors import ErrorCode
from govshare.core.xlsx.columns import RuleCode
from govshare.inventory import progress
from govshare.inventory.models import InformationSystem

ANY: list[tuple[Any, Any]] = [("", "---------")]
DATE_INPUT = {"type": "date"}
# Controls of the small forms inside table rows.
SMALL_SELECT = {"class": "form-select form-select-sm"}
SMALL_INPUT = {"class": "form-control form-control-sm"}


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
                _("Choose a system from the list (type part of its name)."),
                code=RuleCode.INVALID_CHOICE,
            )
        return self.systems[label]


class MonthField(forms.Field):
    """A month typed as YYYY-MM (the browser's month picker); cleans to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return progress.month_start(value)
        if not value:
            return None
        try:
            return months.parse_month(str(value))
        except ValidationError as error:
            raise ValidationError(error.message_dict["month"], code=ErrorCode.INVALID) from None

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else value
