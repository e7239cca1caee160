"""Deployment profile and security headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def test_the_production_profile_passes_check_deploy(tmp_path):
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="govshare.settings_production",
        SECRET_KEY="x" * 60 + "-production-like-secret-key-with-entropy-Zq9#",
        GOVSHARE_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="data.example.gov.cn",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests; not a deploy setting
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_pages_carry_csp_and_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) >= 8


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert 'lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()
