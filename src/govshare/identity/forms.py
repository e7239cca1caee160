"""Forms of the identity pages. They only parse input; the services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import BLANK_CHOICE_DASH
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govshare.core.errors import ErrorCode
from govshare.core.forms import StyledForm
from govshare.core.roles import Role
from govshare.orgs.models import Department


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Sign-in code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


class UserFilterForm(StyledForm):
    query = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("User name, name or email")}),
    )


class NewPasswordForm(StyledForm):
    """A new password typed twice; the password policy is checked by the service."""

    password = forms.CharField(
        label=_("New password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_repeat = forms.CharField(
        label=_("New password again"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_repeat"):
            self.add_error("password_repeat", _("The two passwords differ."))
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["old_password", "password", "password_repeat"]


class UserCreateForm(NewPasswordForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), required=False, max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    department = forms.ModelChoiceField(
        Department.objects.filter(is_active=True).order_by("name"),
        label=_("Department"),
        required=False,
        help_text=_("Optional: give the new user a role in a department at once."),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[*BLANK_CHOICE_DASH, *Role.choices]
    )

    field_order = ["username", "full_name", "email", "password", "password_repeat"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("department")) != bool(data.get("role")):
            self.add_error("role", _("Choose both a department and a role, or neither."))
        return data


class TokenForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=64)
    expires = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Optional: the token stops working at the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires(self) -> dt.datetime | None:
        """The end of the chosen day in the node's time zone (the service checks it is ahead)."""
        day: dt.date | None = self.cleaned_data.get("expires")
        if day is None:
            return None
        try:
            midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
        except OverflowError:  # 9999-12-31 has no next day
            raise forms.ValidationError(_("Enter a valid date."), code=ErrorCode.INVALID) from None
        return timezone.make_aware(midnight)
