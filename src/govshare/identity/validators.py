"""Password rules whose messages our own catalogue translates."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's minimum length, with messages of our own: Django 5.2 reworded its error as an
    ngettext with ``%d`` that its zh_Hans catalogue does not translate, so users saw English."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it must have at least %(min_length)d character.",
            "This password is too short: it must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must have at least %(min_length)d character.",
            "Your password must have at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
