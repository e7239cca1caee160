"""The ``govshare`` command: its own verbs on top of Django's management commands."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govshare.cli import ALIASES
from govshare.core.models import AuditEvent
from govshare.orgs.roles import principal_of

pytestmark = pytest.mark.django_db


def test_createadmin_makes_a_platform_administrator_and_audits_it(monkeypatch, django_user_model):
    monkeypatch.setenv("GOVSHARE_ADMIN_PASSWORD", "Another#Strong-2026")
    call_command("createadmin", "--username", "chief")
    chief = django_user_model.objects.get(username="chief")
    assert principal_of(chief).is_platform_admin and chief.has_usable_password()
    event = AuditEvent.objects.get(action="identity.user.create")
    assert event.actor_name == "system" and event.source == "cli"


def test_createadmin_names_the_rule_a_weak_password_breaks(monkeypatch, django_user_model):
    monkeypatch.setenv("GOVSHARE_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="password"):
        call_command("createadmin", "--username", "weak")
    assert not django_user_model.objects.filter(username="weak").exists()


def test_worker_is_the_database_task_worker():
    assert ALIASES["worker"] == "db_worker"
