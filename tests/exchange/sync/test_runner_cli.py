"""``govshare sync``: list, run (in this process, with a progress bar), reconcile and schedule."""

from __future__ import annotations

import sqlite3
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govshare.core.models import AuditEvent
from govshare.exchange.models import DeliveryRecord, RunStatus, RunTrigger, SyncRun
from tests.catalog.conftest import catalog_reference_data  # noqa: F401  (autouse: the seed)
from tests.exchange.sync.runner_world import destination_rows, subscribed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sources(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    settings.GOVSHARE_LOCK_DIR = str(tmp_path / "locks")
    return directory


def sync(*args: str) -> str:
    out = StringIO()
    call_command("sync", *args, stdout=out)
    return out.getvalue()


def test_sync_run_loads_the_table_here_and_reports_the_counts(sources, capsys):
    # given a subscription of 23 people
    _world, subscription = subscribed(sources, rows=20)

    # when the operator runs it with a progress bar
    output = sync("run", str(subscription.pk), "--progress")

    # then it ran in this process, as the platform, and says what it did
    run = SyncRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED and run.trigger == RunTrigger.MANUAL
    assert f"run {run.pk} full: succeeded; read 23, inserted 23" in output
    assert len(destination_rows()) == 23
    bar = capsys.readouterr().err
    assert "rows/s" in bar and "23/23" in bar
    event = AuditEvent.objects.get(action="exchange.sync.start")
    assert event.actor_name == "system"


def test_sync_run_exits_1_naming_the_cause_of_a_failure(sources):
    _world, subscription = subscribed(sources)
    with sqlite3.connect(sources / "frontend.sqlite3") as db:
        db.execute("CREATE TABLE people (gmsfhm TEXT PRIMARY KEY, other INTEGER)")
    db.close()

    with pytest.raises(CommandError) as failed:
        sync("run", str(subscription.pk))

    assert failed.value.returncode == 1 and "people" in str(failed.value)
    assert SyncRun.objects.filter(status=RunStatus.FAILED).count() == 1


def test_sync_run_of_an_unknown_subscription_exits_2():
    with pytest.raises(CommandError) as failed:
        sync("run", "999999")
    assert failed.value.returncode == 2


def test_sync_run_refuses_while_another_run_is_queued(sources):
    _world, subscription = subscribed(sources)
    SyncRun.objects.create(subscription=subscription, kind="full", trigger="manual")
    with pytest.raises(CommandError) as refused:
        sync("run", str(subscription.pk))
    # in the language the command runs in (the node's default, or English after another test)
    message = str(refused.value)
    assert refused.value.returncode == 1
    assert "已有同步在排队或运行中" in message or "already queued or running" in message


def test_sync_list_shows_each_subscription_and_its_last_run(sources):
    _world, subscription = subscribed(sources)
    sync("run", str(subscription.pk))
    listed = sync("list")
    assert f"{subscription.pk}\t{subscription.grant.request.number}" in listed
    assert "last run: full succeeded" in listed


def test_sync_schedule_once_does_one_round(sources):
    _world, subscription = subscribed(sources, schedule="*/5 * * * *")
    output = sync("schedule", "--once")
    assert "requeued 0 task(s), restarted 0 stalled run(s)" in output
    subscription.refresh_from_db()
    assert subscription.next_run is not None


def test_sync_reconcile_proves_a_loaded_table_consistent(sources):
    # given a subscription loaded by a run
    _world, subscription = subscribed(sources, rows=20)
    sync("run", str(subscription.pk))

    # when the operator reconciles it
    output = sync("reconcile", str(subscription.pk))

    # then it is consistent, and the subscription keeps when that was proven
    assert f"subscription {subscription.pk}: consistent" in output
    subscription.refresh_from_db()
    assert subscription.last_consistent is not None
    assert subscription.last_reconciliation["consistent"] is True
    assert (
        not DeliveryRecord.objects.filter(request_id__startswith="sync-")
        .exclude(row_count=23)
        .exists()
    )  # a comparison delivers nothing: only the run has a record


def test_sync_reconcile_exits_1_listing_the_differing_keys(sources):
    # given a loaded table, then a row changed and a row deleted at the destination by hand
    _world, subscription = subscribed(sources)
    sync("run", str(subscription.pk))
    with sqlite3.connect(sources / "frontend.sqlite3") as db:
        db.execute("UPDATE people SET xbdm = '9' WHERE gmsfhm = '370702199001011234'")
        db.execute("DELETE FROM people WHERE gmsfhm = '37070319700303345X'")
    db.close()

    # when it is reconciled
    out = StringIO()
    with pytest.raises(CommandError) as differs:
        call_command("sync", "reconcile", str(subscription.pk), stdout=out)

    # then the exit code is 1 and both keys are listed
    assert differs.value.returncode == 1
    listed = out.getvalue()
    assert "2 differing key(s)" in listed
    assert "370702199001011234\t张三" in listed and "37070319700303345X\t欧阳娜娜" in listed
    subscription.refresh_from_db()
    assert subscription.last_consistent is None
    assert subscription.last_reconciliation["consistent"] is False
