"""Forms of the sharing pages. They parse input only; the services in sharing/services decide
what is valid, and their errors come back on the field they name (``items.XM`` on the item's
row of the answer form)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from govshare.catalog.choices import Masking
from govshare.catalog.models import DataItem
from govshare.core.errors import ErrorCode
from govshare.core.forms import StyledForm
from govshare.inventory.models import InformationSystem
from govshare.sharing.choices import DayKind, DeliveryMode, Purpose, RequestState
from govshare.sharing.models import Grant, GrantItem, RequestItem
from govshare.sharing.services.requests import REQUEST_FIELDS, GrantTerms, ItemAnswer

ANY: list[tuple[str, Any]] = [("", _("Any"))]
TABLE_KEY_NOTE = _(
    "Key item of the table: table exchange needs it to match rows, so it cannot be masked or "
    "refused."
)
DATE = {"type": "date"}
TEXTAREA = {"rows": 2}
NOTE_MAX = 2000
# "GMSFHM = 1101, 1102": an item, then its allowed values (ASCII or full-width signs).
ROW_FILTER_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*[=＝]\s*(.*)$")
VALUE_SEPARATORS = re.compile(r"[,，、]")
# Fields added per item after StyledForm styled the declared ones carry their classes themselves.
SMALL_INPUT = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=NOTE_MAX, widget=forms.Textarea(attrs=TEXTAREA), **kwargs
    )


class ApplicationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: InformationSystem) -> str:
        return obj.name


# --- the request ----------------------------------------------------------------------------


class RequestForm(StyledForm):
    """A request for data items of one resource (共享申请), for one application."""

    application = ApplicationField(
        InformationSystem.objects.none(),
        label=_("Application"),
        help_text=_("The information system of your department that will use the data."),
    )
    items = forms.MultipleChoiceField(
        label=_("Data items"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    purpose_detail = _text(_("Purpose in detail"))
    basis = _text(_("Business matter or legal basis"))
    scenario = _text(_("Usage scenario"))
    mode = forms.ChoiceField(label=_("Delivery mode"), choices=DeliveryMode.choices)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE))
    expected_daily_calls = forms.IntegerField(
        label=_("Expected calls per day"), min_value=1, max_value=100_000_000
    )

    def __init__(
        self,
        *args: Any,
        applications: QuerySet[InformationSystem],
        data_items: Iterable[DataItem],
        modes: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications  # type: ignore[attr-defined]
        if modes is not None:  # 库表 and 文件 only where the resource's mounts can deliver them
            offered = set(modes)
            self.fields["mode"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in DeliveryMode.choices if value in offered
            ]
        self.data_items = list(data_items)
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (item.identifier, item.name) for item in self.data_items
        ]

    def request_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in REQUEST_FIELDS}

    def item_rows(self) -> list[tuple[DataItem, bool]]:
        """Each item of the resource with whether it is ticked."""
        ticked = set(self["items"].value() or [])
        return [(item, item.identifier in ticked) for item in self.data_items]


class RequestStateFilter(StyledForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=ANY + RequestState.choices)

    def state_value(self) -> str:
        return self.cleaned_data["state"] if self.is_valid() else ""


class ResourcePickerForm(StyledForm):
    query = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or code")}),
    )

    def query_value(self) -> str:
        return self.cleaned_data["query"].strip() if self.is_valid() else ""


# --- steps of the request -------------------------------------------------------------------


class NoteForm(StyledForm):
    note = _text(_("Note"), required=False)  # required for some steps: the service says which


class ReasonForm(StyledForm):
    """A step on a grant that needs a reason (the service names it ``reason``: reason_errors)."""

    note = _text(_("Reason"), required=False)


class ConformityForm(StyledForm):
    """The authority's conformity review (合规性审查): pass, return or reject."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("pass", _("Pass")),
            ("return", _("Return to the consumer")),
            ("reject", _("Reject")),
        ],
    )
    note = _text(_("Note"), required=False)


class TermsMixin(forms.Form):
    """The conditions of a grant: validity, quota, rate and an optional row filter."""

    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs=DATE),
        help_text=_("Empty: until the end of the period requested."),
    )
    daily_quota = forms.IntegerField(
        label=_("Daily quota"), required=False, min_value=1, max_value=100_000_000
    )
    rate_per_minute = forms.IntegerField(
        label=_("Calls per minute"), required=False, min_value=1, max_value=1_000_000
    )
    row_filter = forms.CharField(
        label=_("Row filter"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control gs-mono"}),
        help_text=_("One line per item: “item = value1, value2”. Empty: all rows."),
    )

    def clean_row_filter(self) -> dict[str, list[str]]:
        return parse_row_filter(self.cleaned_data["row_filter"])

    def terms(self) -> GrantTerms:
        data = self.cleaned_data
        return GrantTerms(
            valid_until=data["valid_until"],
            daily_quota=data["daily_quota"],
            rate_per_minute=data["rate_per_minute"],
            row_filter=data["row_filter"] or None,
        )


def parse_row_filter(text: str) -> dict[str, list[str]]:
    """``"XZQH = 110101, 110102"`` lines → ``{"XZQH": ["110101", "110102"]}``."""
    parsed: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = ROW_FILTER_LINE.match(line)
        if match is None:
            raise ValidationError(
                _("Line %(line)s: write “item = value1, value2”."),
                code=ErrorCode.INVALID,
                params={"line": number},
            )
        identifier, values = match.group(1), match.group(2)
        if identifier in parsed:
            raise ValidationError(
                _("Line %(line)s: %(item)s is given twice."),
                code=ErrorCode.INVALID,
                params={"line": number, "item": identifier},
            )
        parsed[identifier] = [v.strip() for v in VALUE_SEPARATORS.split(values) if v.strip()]
    return parsed


def format_row_filter(row_filter: dict[str, list[str]]) -> str:
    return "\n".join(f"{item} = {', '.join(values)}" for item, values in row_filter.items())


class AnswerForm(TermsMixin, StyledForm):
    """The answer item by item (grant, or refuse with a reason, and the masking required) and
    the grant's conditions: the provider's decision, its answer in negotiation, and the
    authority's coordination use the same form."""

    GRANT = "grant"
    REFUSE = "refuse"

    note = _text(_("Note"), required=False)

    def __init__(
        self,
        *args: Any,
        items: Iterable[RequestItem],
        key_items: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request_items = list(items)
        # A table exchange's key items: granted, unmasked (the destination's primary key).
        self.key_items = frozenset(key_items)
        for item in self.request_items:
            is_key = item.identifier in self.key_items
            self.fields[f"decision_{item.identifier}"] = forms.ChoiceField(
                label=item.name,
                choices=[(self.GRANT, _("Grant"))]
                if is_key
                else [(self.GRANT, _("Grant")), (self.REFUSE, _("Refuse"))],
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                help_text=TABLE_KEY_NOTE if is_key else "",
            )
            self.fields[f"reason_{item.identifier}"] = forms.CharField(
                label=_("Reason"),
                required=False,
                max_length=NOTE_MAX,
                initial=item.reason,
                widget=forms.TextInput(attrs=SMALL_INPUT),
            )
            self.fields[f"masking_{item.identifier}"] = forms.ChoiceField(
                label=_("Masking"),
                choices=[(Masking.NONE, Masking.NONE.label)] if is_key else Masking.choices,
                initial=item.masking,
                widget=forms.Select(attrs=SMALL_SELECT),
            )

    def clean(self) -> dict[str, Any]:
        # The service checks the reasons too, but only once every decision is given: a form
        # missing a decision would name a missing reason only on the next try (issue #12).
        data = super().clean() or {}
        for item in self.request_items:
            refused = data.get(f"decision_{item.identifier}") == self.REFUSE
            if refused and not data.get(f"reason_{item.identifier}", "").strip():
                self.add_error(
                    f"decision_{item.identifier}",
                    _("A refused item needs the reason for refusing it."),
                )
        return data

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "item": item,
                "decision": self[f"decision_{item.identifier}"],
                "reason": self[f"reason_{item.identifier}"],
                "masking": self[f"masking_{item.identifier}"],
                "is_table_key": item.identifier in self.key_items,
            }
            for item in self.request_items
        ]

    def answers(self) -> dict[str, ItemAnswer]:
        data = self.cleaned_data
        return {
            item.identifier: ItemAnswer(
                grant=data[f"decision_{item.identifier}"] == self.GRANT,
                reason=data[f"reason_{item.identifier}"],
                masking=data[f"masking_{item.identifier}"],
            )
            for item in self.request_items
        }


def item_errors(error: ValidationError) -> ValidationError:
    """The service names an item's error ``items.<identifier>``: show it on the item's row."""
    return _renamed(error, "items.", "decision_")


def masking_errors(error: ValidationError) -> ValidationError:
    return _renamed(error, "masking.", "masking_")


def reason_errors(error: ValidationError) -> ValidationError:
    """The grant services name a step's reason ``reason`` (as the API does); these forms show
    it in their ``note`` field."""
    return _renamed(error, "reason", "note")


def _renamed(error: ValidationError, prefix: str, replacement: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            (replacement + key[len(prefix) :] if key.startswith(prefix) else key): errors
            for key, errors in error.error_dict.items()
        }
    )


# --- grants ---------------------------------------------------------------------------------


class GrantChangeForm(TermsMixin, StyledForm):
    """The provider changes a live grant's conditions and masking, with a reason."""

    note = _text(_("Reason"), required=False)

    def __init__(self, *args: Any, grant: Grant, items: Iterable[GrantItem], **kwargs: Any):
        kwargs.setdefault(
            "initial",
            {
                "valid_until": grant.valid_until,
                "daily_quota": grant.daily_quota,
                "rate_per_minute": grant.rate_per_minute,
                "row_filter": format_row_filter(grant.row_filter),
            },
        )
        super().__init__(*args, **kwargs)
        self.grant_items = list(items)
        for item in self.grant_items:
            self.fields[f"masking_{item.identifier}"] = forms.ChoiceField(
                label=item.name,
                choices=Masking.choices,
                initial=item.masking,
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def masking_fields(self) -> list[forms.BoundField]:
        return [self[f"masking_{item.identifier}"] for item in self.grant_items]

    def masking(self) -> dict[str, str]:
        return {
            item.identifier: self.cleaned_data[f"masking_{item.identifier}"]
            for item in self.grant_items
        }

    def terms(self) -> GrantTerms:
        # Every condition is sent: an emptied row filter lifts the restriction.
        terms = super().terms()
        return GrantTerms(
            valid_until=terms.valid_until,
            daily_quota=terms.daily_quota,
            rate_per_minute=terms.rate_per_minute,
            row_filter=self.cleaned_data["row_filter"],
        )


class ExtensionAskForm(StyledForm):
    until = forms.DateField(label=_("Extend until"), widget=forms.DateInput(attrs=DATE))
    note = _text(_("Reason"), required=False)


class ExtensionDecideForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))]
    )
    note = _text(_("Note"), required=False)


class GrantSideFilter(StyledForm):
    side = forms.ChoiceField(
        required=False,
        choices=[("consumer", _("As consumer")), ("provider", _("As provider"))],
    )


# --- credentials ----------------------------------------------------------------------------


class CredentialForm(StyledForm):
    application = ApplicationField(InformationSystem.objects.none(), label=_("Application"))
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        help_text=_("What the credential is for, e.g. “production server”."),
    )
    ip_allowlist = forms.CharField(
        label=_("Allowed IP addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control gs-mono"}),
        help_text=_("One address or CIDR block per line. Empty: any address."),
    )

    def __init__(
        self, *args: Any, applications: QuerySet[InformationSystem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications  # type: ignore[attr-defined]


class AllowlistForm(StyledForm):
    ip_allowlist = CredentialForm.base_fields["ip_allowlist"]


class CalendarDayForm(StyledForm):
    # ISO format whatever the language: a date input only takes YYYY-MM-DD.
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(label=_("Kind of day"), choices=DayKind.choices)
    name = forms.CharField(
        label=_("Name"),
        max_length=50,
        help_text=_("The holiday, e.g. 春节; for a working weekend, e.g. 春节调休上班."),
    )


class GrantStartForm(StyledForm):
    """The provider moves the start of a grant not yet in force (未生效), with a reason."""

    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs=DATE))
    note = _text(_("Reason"), required=False)
