"""Enumerations of the identity package."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleScope(models.TextChoices):
    """What a count of failed sign-ins is kept for (登录失败计数的范围), issue #11 item 5."""

    PAIR = "pair", _("User name from one address")
    ADDRESS = "address", _("Address, any user name")
    ACCOUNT = "account", _("User name, from every address")
    BROWSER = "browser", _("User name in a known browser")
