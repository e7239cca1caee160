from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

from govshare.core.xlsx.columns import RuleCode

ResultT = TypeVar("ResultT")

# Bootstrap 5 class of each widget kind; checkboxes are laid out by includes/form.html itself.
WIDGET_CLASSES = {
    forms.Select: "form-select",
    forms.SelectMultiple: "form-select",
    forms.CheckboxInput: "form-check-input",
}


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes, so templates render ``{{ field }}`` as is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = next(
                (css for kind, css in WIDGET_CLASSES.items() if isinstance(field.widget, kind)),
                "form-control",
            )
            field.widget.attrs.setdefault("class", css)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of model rows, refusing ids that the database cannot hold.

    Django checks each value with an exact lookup, which is safe since Django 5.0 (an id out of
    range matches nothing), but then filters ``pk__in`` with the raw values: SQLite raises
    OverflowError on ``-99999999999999999999``, a 500. Such a value is refused here as any
    other unknown id is, with the field's ``invalid_choice`` error. Use this class for every
    model multiple choice of the project's forms.
    """

    def clean(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):  # else Django's own error (required, invalid_list)
            self._refuse_out_of_range(value)
        return super().clean(value)

    def _refuse_out_of_range(self, values: list[Any] | tuple[Any, ...]) -> None:
        low, high = self._id_range()
        for value in values:
            number = _as_int(value)
            if number is not None and not low <= number <= high:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code=RuleCode.INVALID_CHOICE,
                    params={"value": value},
                )

    def _id_range(self) -> tuple[float, float]:
        """The values the column of the chosen key holds (unbounded when it is not an integer)."""
        queryset = self.queryset
        if queryset is None:
            return float("-inf"), float("inf")
        meta = queryset.model._meta
        key = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        if not isinstance(key, models.IntegerField):
            return float("-inf"), float("inf")
        ops = connections[queryset.db].ops
        low, high = ops.integer_field_range(key.get_internal_type())
        return (float("-inf") if low is None else low), (float("inf") if high is None else high)


def _as_int(value: Any) -> int | None:
    """``value`` as the integer a query would compare (None when it is not one)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def attach_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on ``form``.

    Each error goes on the field it names when the form has that field, else above the form: a
    service may check a field this form does not show (e.g. ``is_active``).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def submit(form: forms.Form, call: Callable[[dict[str, Any]], ResultT]) -> ResultT | None:
    """Validate ``form`` and pass its cleaned data to ``call`` (a service call).

    Returns what the service returned, or None when the form or the service rejected the input;
    the errors are then on the form. Wrap a service that returns None so that it returns a value.
    """
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        attach_service_errors(form, error)
        return None


class AuditFilterForm(forms.Form):
    query = forms.CharField(label=_("Search"), required=False, max_length=100)
    action = forms.CharField(label=_("Action"), required=False, max_length=80)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
