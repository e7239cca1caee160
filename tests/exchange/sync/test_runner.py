"""The runner (exchange/sync/runner.py and tasks.py): who may start a run, a run on the worker
from queue to delivery record, one run at a time per subscription, the grant stopping a run
before its next batch, failures retried with back-off, stalled and orphaned runs restarted,
split full loads, and the schedule.

The worker runs in this process (``db_worker --batch``) against real SQLite source and
destination files; tests/exchange/sync/test_runner_kill.py kills real worker processes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from govshare.catalog.choices import UpdateCycle
from govshare.core.evidence.chain import verify_chain
from govshare.core.locks import try_lock
from govshare.core.models import AuditEvent
from govshare.core.roles import Role
from govshare.exchange.masking import mask
from govshare.exchange.models import (
    CallMode,
    DeliveryRecord,
    RunKind,
    RunStatus,
    RunTrigger,
    Subscription,
    SubscriptionState,
    SyncMode,
    SyncRun,
)
from govshare.exchange.sync import runner, tasks
from govshare.exchange.sync.errors import SyncError
from govshare.sharing.choices import RequestState
from govshare.sharing.models import Grant, ShareRequest
from tests.catalog.conftest import catalog_reference_data  # noqa: F401  (autouse: the seed)
from tests.exchange.sync.runner_world import (
    change_source,
    destination_rows,
    source_rows,
    subscribed,
)
from tests.factories import DepartmentFactory, member

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sources(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    settings.GOVSHARE_LOCK_DIR = str(tmp_path / "locks")
    return directory


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def expected_rows() -> list[tuple]:
    """The source as the consumer may see it: the granted items, the phone masked."""
    return [(sfzh, xm, xb, mask("phone", phone)) for sfzh, xm, xb, phone in source_rows()]


def test_a_run_goes_from_the_queue_to_the_destination_and_the_delivery_log(sources):
    # given a subscription and the consumer's data officer
    world, subscription = subscribed(sources, rows=40)

    # when the officer starts a run and the worker runs it
    run = runner.start_run(world.officer, subscription)
    assert (run.status, run.kind, run.trigger) == (RunStatus.QUEUED, RunKind.FULL, "manual")
    run_worker()

    # then the destination holds the granted items of every row, the phone masked
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert destination_rows() == expected_rows() and len(expected_rows()) == 43
    assert (run.rows_read, run.rows_inserted) == (43, 43) and run.batches >= 1
    assert run.started and run.finished and run.heartbeat

    # and the run is a record of the hash-chained delivery log, and its start is audited
    record = DeliveryRecord.objects.get(seq=run.delivery_seq)
    assert (record.mode, record.row_count, record.status) == (CallMode.TABLE, 43, 200)
    assert record.masked == ["LXDH"] and set(record.items) == {"GMSFHM", "XM", "XBDM", "LXDH"}
    assert record.consumer_id == world.consumer.pk and len(record.body_digest) == 64
    assert verify_chain(DeliveryRecord).is_intact
    assert AuditEvent.objects.filter(action="exchange.sync.start", object_id=str(run.pk)).exists()


def test_who_may_start_a_run(sources):
    world, subscription = subscribed(sources)
    grant = subscription.grant
    other = DepartmentFactory(name="财政局")
    allowed = [
        world.officer,  # the consumer's data officer
        member(grant.provider, Role.DATA_OFFICER),
        member(DepartmentFactory(name="大数据局2"), Role.PLATFORM_ADMIN),
    ]
    refused = [
        member(grant.consumer, Role.STAFF),
        member(grant.provider, Role.STAFF),
        member(other, Role.DATA_OFFICER),
    ]
    for actor in refused:
        with pytest.raises(PermissionDenied):
            runner.start_run(actor, subscription)
    assert not SyncRun.objects.exists()
    for actor in allowed:
        run = runner.start_run(actor, subscription, enqueue=False)
        SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED)
    assert SyncRun.objects.count() == 3


def test_a_second_run_is_refused_while_one_is_queued(sources):
    world, subscription = subscribed(sources)
    runner.start_run(world.officer, subscription)
    with pytest.raises(ValidationError) as refused:
        runner.start_run(world.officer, subscription)
    assert refused.value.error_dict["subscription"][0].code == "conflict"
    assert SyncRun.objects.count() == 1


def test_a_subscription_that_is_not_active_does_not_run(sources):
    world, subscription = subscribed(sources)
    Subscription.objects.filter(pk=subscription.pk).update(state=SubscriptionState.PAUSED)
    subscription.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        runner.start_run(world.officer, subscription)
    assert "state" in refused.value.error_dict
    assert not SyncRun.objects.exists()


def test_a_run_waits_while_another_holds_the_subscriptions_lock(sources):
    # given another run of the subscription holding its lock (in another worker)
    world, subscription = subscribed(sources)
    run = runner.start_run(world.officer, subscription)
    held = try_lock(tasks.lock_name(subscription.pk))
    assert held is not None

    # when the worker takes the run's task
    try:
        run_worker()
    finally:
        held.release()

    # then the run did not start: it waits in the queue for a later try
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED and run.rows_read == 0
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > timezone.now()

    # and once the lock is free, it runs
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    run_worker()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def _suspend(grant: Grant) -> None:
    ShareRequest.objects.filter(pk=grant.request_id).update(state=RequestState.SUSPENDED)


def _revoke(grant: Grant) -> None:
    ShareRequest.objects.filter(pk=grant.request_id).update(state=RequestState.REVOKED)


def _expire(grant: Grant) -> None:  # past its validity, before the sweep marks it expired
    Grant.objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )


@pytest.mark.parametrize("end", [_suspend, _revoke, _expire], ids=["suspend", "revoke", "expire"])
def test_a_grant_that_stops_serving_mid_run_stops_it_before_the_next_batch(sources, end):
    # given a run of many small batches
    world, subscription = subscribed(sources, rows=200, batch_bytes=500)
    run = runner.start_run(world.officer, subscription, enqueue=False)
    batches: list[int] = []

    def end_after_first_batch(current: SyncRun) -> None:
        batches.append(current.batches)
        if len(batches) == 1:  # the provider acts while the run goes on
            end(subscription.grant)

    # when the run executes
    tasks.execute(run.pk, observer=end_after_first_batch, split=False)

    # then it stopped before its second batch, and the subscription is stopped by the grant
    run.refresh_from_db()
    subscription.refresh_from_db()
    assert run.status == RunStatus.STOPPED and batches == [1]
    assert subscription.state == SubscriptionState.STOPPED
    assert AuditEvent.objects.filter(action="exchange.subscription.state").exists()


def test_a_subscription_stopped_by_its_grant_is_active_again_when_the_grant_serves(sources):
    world, subscription = subscribed(sources)
    _suspend(subscription.grant)
    Subscription.objects.filter(pk=subscription.pk).update(state=SubscriptionState.STOPPED)
    assert runner.restart_grant_stopped() == 0  # still suspended

    ShareRequest.objects.filter(pk=subscription.grant.request_id).update(state=RequestState.ACTIVE)
    assert runner.restart_grant_stopped() == 1
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.ACTIVE


def test_a_failed_run_records_its_error_and_is_retried_with_backoff(sources, settings):
    # given a destination table altered by hand (a column the platform did not create)
    settings.GOVSHARE_SYNC_MAX_ATTEMPTS = 2
    settings.GOVSHARE_SYNC_RETRY_SECONDS = 30
    world, subscription = subscribed(sources)
    import sqlite3

    with sqlite3.connect(sources / "frontend.sqlite3") as db:
        db.execute("CREATE TABLE people (gmsfhm TEXT PRIMARY KEY, other INTEGER)")
    db.close()

    # when a run fails on it
    run = runner.start_run(world.officer, subscription)
    before = timezone.now()
    run_worker()

    # then the run says why, and a retry is queued for after the back-off
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error_code.startswith("sync_")
    assert "people" in run.error and run.retry_at >= before + dt.timedelta(seconds=30)
    retry = SyncRun.objects.get(trigger=RunTrigger.RETRY)
    assert (retry.attempt, retry.status, retry.retry_at) == (2, RunStatus.QUEUED, run.retry_at)
    assert DeliveryRecord.objects.get(seq=run.delivery_seq).status == 500

    # and when the retry fails too (the last attempt), nothing more is queued
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    run_worker()
    retry.refresh_from_db()
    assert retry.status == RunStatus.FAILED and retry.retry_at is None
    assert SyncRun.objects.count() == 2


def test_a_stalled_run_is_restarted_and_the_restart_completes(sources, settings):
    # given a run that has been "running" with no progress for longer than the stall time
    settings.GOVSHARE_SYNC_STALL_SECONDS = 60
    world, subscription = subscribed(sources, rows=10)
    run = runner.start_run(world.officer, subscription, enqueue=False)
    old = timezone.now() - dt.timedelta(minutes=5)
    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started=old, heartbeat=old)

    # when the reaper runs
    restarted = runner.reap_stalled_runs()

    # then the stalled run is closed as such and a restart queued, which the worker completes
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error_code == SyncError.STALLED
    assert [r.trigger for r in restarted] == [RunTrigger.RESTART]
    run_worker()
    restarted[0].refresh_from_db()
    assert restarted[0].status == RunStatus.SUCCEEDED
    assert destination_rows() == expected_rows()


def test_a_run_left_running_by_a_dead_worker_is_restarted_by_its_requeued_task(sources):
    # given a run "running" whose worker is gone (nobody holds the subscription's lock)
    world, subscription = subscribed(sources)
    run = runner.start_run(world.officer, subscription, enqueue=False)
    SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started=timezone.now())

    # when its task runs again (the lease reaper requeued it)
    outcome = tasks.execute(run.pk)

    # then the run is closed as "worker lost" and a restart continues it
    run.refresh_from_db()
    assert outcome == "restarted" and run.error_code == SyncError.WORKER_LOST
    run_worker()
    restart = SyncRun.objects.get(trigger=RunTrigger.RESTART)
    assert restart.status == RunStatus.SUCCEEDED and destination_rows() == expected_rows()


def test_a_full_load_split_by_key_range_runs_as_one_task_per_part(sources):
    world, subscription = subscribed(sources, rows=300, parts=3, batch_bytes=2000)
    run = runner.start_run(world.officer, subscription)
    run_worker()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert len(run.result["parts"]) == 3
    assert all(part["done"] for part in run.result["parts"].values())
    parts = DBTaskResult.objects.filter(task_path=tasks.execute_part.module_path)
    assert parts.count() == 3
    assert run.rows_inserted == 303 and destination_rows() == expected_rows()


def test_an_incremental_run_after_the_full_load_brings_a_changed_row(sources):
    world, subscription = subscribed(sources, mode=SyncMode.KEY_COMPARE)
    first = runner.start_run(world.officer, subscription)
    run_worker()
    change_source("UPDATE person SET lxdh = '13600000000' WHERE xm = '张三'")

    second = runner.start_run(world.officer, subscription)
    run_worker()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.kind, second.kind) == (RunKind.FULL, RunKind.INCREMENTAL)
    assert second.status == RunStatus.SUCCEEDED and second.rows_updated == 1
    assert destination_rows() == expected_rows()


def test_the_schedule_queues_due_subscriptions(sources):
    # given a subscription every five minutes, and one of an irregular resource with none
    world, subscription = subscribed(sources, schedule="*/5 * * * *")
    now = timezone.now()

    # when the scheduler first sees it, it only sets the next time
    assert runner.schedule_due(now) == []
    subscription.refresh_from_db()
    assert now < subscription.next_run <= now + dt.timedelta(minutes=5)

    # when that time has come, a scheduled run is queued and the next time moves on
    later = subscription.next_run + dt.timedelta(seconds=1)
    started = runner.schedule_due(later)
    assert [run.trigger for run in started] == [RunTrigger.SCHEDULE]
    subscription.refresh_from_db()
    assert subscription.next_run > later

    # and while that run is queued the next due time queues nothing more
    assert runner.schedule_due(subscription.next_run + dt.timedelta(seconds=1)) == []


def test_without_a_schedule_the_resources_update_cycle_decides(sources):
    # given a subscription with no schedule of its own, of a resource updated irregularly
    world, subscription = subscribed(sources)
    version = subscription.grant.request.resource_version
    type(version).objects.filter(pk=version.pk).update(update_cycle=UpdateCycle.IRREGULAR)

    # then it runs only when someone asks: the scheduler gives it no next time
    assert runner.schedule_due() == [] and runner.schedule_due() == []
    subscription.refresh_from_db()
    assert subscription.next_run is None

    # and once the resource is updated daily, it runs at 02:00
    type(version).objects.filter(pk=version.pk).update(update_cycle=UpdateCycle.DAILY)
    runner.schedule_due()
    subscription.refresh_from_db()
    local = timezone.localtime(subscription.next_run)
    assert (local.hour, local.minute) == (2, 0)
