"""Fields and widgets shared by the inventory's forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from govshare.core import months
from govshare.core.errors import ErrorCode
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
