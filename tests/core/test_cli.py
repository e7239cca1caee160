"""The ``govshare`` command: its own verbs on top of Django's management commands."""

from __future__ import annotations

import signal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govshare import cli
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


def test_run_stops_the_server_first_and_the_checkpointer_last(monkeypatch):
    # given `govshare run` with its children stood in for by objects that log what happens
    log: list[tuple[str, str]] = []

    class Child:
        def __init__(self, args, **kwargs):
            self.name = "server" if "granian" in args[0] else " ".join(args[1:3])
            self.kwargs, self.running = kwargs, True
            children.append(self)

        def poll(self):
            return None if self.running else 0

        def send_signal(self, signum):
            log.append(("signal", self.name))
            self.running = False

        def wait(self):
            self.running = False  # the server stops on its own here: the others are left
            log.append(("exited", self.name))
            return 0

    children: list[Child] = []
    monkeypatch.setattr(cli, "_ensure_static", lambda bin_dir: None)
    monkeypatch.setattr(cli.subprocess, "Popen", Child)
    monkeypatch.setenv("GOVSHARE_WSGI_THREADS", "8")  # run() sets it; put back afterwards
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    # when it runs until the server exits
    try:
        assert cli.run(["--port", "8124"]) == 0
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)

    # then the checkpointer, started last in a process group of its own (a terminal's Ctrl-C
    # does not reach it), is signalled only once everything else has exited
    checkpointer = children[-1]
    assert checkpointer.name == "audit checkpoint" and checkpointer.kwargs == {"process_group": 0}
    assert log[0] == ("exited", "server")
    assert log[-2:] == [("signal", "audit checkpoint"), ("exited", "audit checkpoint")]
    others = {child.name for child in children[1:-1]}
    assert {name for _, name in log[1:-2]} == others
    assert "sync schedule" in others  # the sync scheduler and reaper (exchange/sync/runner.py)


def test_createadmin_refuses_a_user_name_outside_the_rule(monkeypatch, django_user_model):
    monkeypatch.setenv("GOVSHARE_ADMIN_PASSWORD", "Another#Strong-2026")
    with pytest.raises(CommandError, match="username"):
        call_command("createadmin", "--username", "a b!")
    assert not django_user_model.objects.filter(username="a b!").exists()
