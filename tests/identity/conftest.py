"""Fixtures of the identity tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def sign_in_limits(settings):
    """Small sign-in limits, each scope its own, so a test reaches exactly the one it means."""
    settings.GOVSHARE_LOGIN_MAX_FAILURES = 3
    settings.GOVSHARE_LOGIN_LOCK_MINUTES = 15
    settings.GOVSHARE_LOGIN_ADDRESS_MAX_FAILURES = 6
    settings.GOVSHARE_LOGIN_ADDRESS_BLOCK_MINUTES = 30
    settings.GOVSHARE_LOGIN_ACCOUNT_MAX_FAILURES = 5
    settings.GOVSHARE_LOGIN_ACCOUNT_CHECK_MINUTES = 60
    settings.GOVSHARE_TRUSTED_PROXIES = []
    settings.EMAIL_HOST = ""  # no mail server, unless a test starts one (tests/smtp.py)
