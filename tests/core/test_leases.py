"""Task leases (core/leases.py): a task whose worker died is requeued by the reaper, a task that
raises is retried with exponential back-off up to its attempts, a finished task leaves no lease.

The first tests run the worker in this process (``db_worker --batch``) and stand in for a dead
worker by claiming a task as a worker does and letting its lease run out; the last one kills a
real ``govshare worker`` with SIGKILL while its lease's heartbeat beats, and lets another finish.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from govshare.core.actors import SYSTEM
from govshare.core.jobs import job_start
from govshare.core.leases import LEASED_PATHS, reap_expired_leases
from govshare.core.models import Job, TaskLease
from tests.core.leased_tasks import always_fails, leased_job, succeeds
from tests.readiness import READY_SECONDS, exited, wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _claim_as_a_dead_worker(task_id: str, *, lease_expired: bool = True) -> None:
    """What a worker leaves behind when killed mid-task: its result RUNNING, its lease stale."""
    result = DBTaskResult.objects.get(pk=task_id)
    result.claim("dead-worker")
    if lease_expired:
        past = timezone.now() - dt.timedelta(seconds=5)
        TaskLease.objects.create(
            task_id=task_id,
            task_path=result.task_path,
            max_attempts=2,
            worker_id="dead-worker",
            heartbeat=past,
            expires=past,
        )


@pytest.mark.django_db(transaction=True)
class TestInProcess:
    def test_a_task_that_succeeds_leaves_no_lease(self):
        queued = succeeds.enqueue(21)
        _run_worker()
        result = DBTaskResult.objects.get(pk=queued.id)
        assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 42
        assert not TaskLease.objects.exists()

    def test_a_task_that_raises_is_retried_with_exponential_backoff_up_to_its_attempts(self):
        # given a task that always fails, allowed 3 attempts with a 10 s back-off
        first = always_fails.enqueue("x")

        # when the worker runs it
        before = timezone.now()
        _run_worker()

        # then it failed, and a second attempt waits at least 10 s, its lease counting 2
        assert DBTaskResult.objects.get(pk=first.id).status == TaskResultStatus.FAILED
        second = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        assert second.run_after >= before + dt.timedelta(seconds=10)
        lease = TaskLease.objects.get(pk=str(second.pk))
        assert (
            lease.attempt == 2
            and lease.expires is None
            and "failing on purpose" in (lease.last_error)
        )

        # when its time comes and it fails again: the third waits twice as long
        DBTaskResult.objects.filter(pk=second.pk).update(run_after=timezone.now())
        before = timezone.now()
        _run_worker()
        third = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        assert third.run_after >= before + dt.timedelta(seconds=20)
        assert TaskLease.objects.get(pk=str(third.pk)).attempt == 3

        # and after the third failure nothing more is queued
        DBTaskResult.objects.filter(pk=third.pk).update(run_after=timezone.now())
        _run_worker()
        assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
        assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3
        assert not TaskLease.objects.exists()

    def test_a_job_task_may_be_leased(self):
        # given a background job declared with attempts
        assert LEASED_PATHS[leased_job.module_path] == 2

        # when it is started and the worker runs it
        job = job_start(actor=SYSTEM, task=leased_job, name="leased")
        _run_worker()

        # then it ran as any job does, and its lease is gone
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED and job.result == {"ran": True}
        assert not TaskLease.objects.exists()

    def test_the_reaper_requeues_a_task_whose_lease_ran_out_and_a_worker_finishes_it(self):
        # given a task a worker claimed and then died on (its lease ran out)
        queued = succeeds.enqueue(5)
        _claim_as_a_dead_worker(str(queued.id))

        # when the reaper runs
        reaped = reap_expired_leases()

        # then the same task waits in the queue again, its lease counting the next attempt
        assert [(r.task_id, r.requeued) for r in reaped] == [(str(queued.id), True)]
        assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY
        lease = TaskLease.objects.get(pk=str(queued.id))
        assert lease.attempt == 2 and lease.expires is None

        # and a live worker runs it to its end
        _run_worker()
        result = DBTaskResult.objects.get(pk=queued.id)
        assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 10
        assert not TaskLease.objects.exists()

    def test_the_reaper_fails_a_task_whose_lease_ran_out_on_its_last_attempt(self):
        queued = succeeds.enqueue(5)
        _claim_as_a_dead_worker(str(queued.id))
        TaskLease.objects.filter(pk=str(queued.id)).update(attempt=2)

        reaped = reap_expired_leases()

        assert [(r.task_id, r.requeued) for r in reaped] == [(str(queued.id), False)]
        result = DBTaskResult.objects.get(pk=queued.id)
        assert result.status == TaskResultStatus.FAILED
        assert result.exception_class_path.endswith("LeaseExpired")
        assert not TaskLease.objects.exists()

    def test_the_reaper_leaves_a_live_lease_alone(self):
        queued = succeeds.enqueue(5)
        _claim_as_a_dead_worker(str(queued.id))
        TaskLease.objects.filter(pk=str(queued.id)).update(
            expires=timezone.now() + dt.timedelta(minutes=1)
        )

        assert reap_expired_leases() == []
        assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.RUNNING

    def test_a_task_claimed_by_a_worker_killed_before_its_lease_was_written_is_requeued(
        self, settings
    ):
        # given a leased task RUNNING for longer than a lease, with no lease row at all
        settings.GOVSHARE_LEASE_SECONDS = 1
        settings.GOVSHARE_LEASE_GRACE_SECONDS = 3
        queued = succeeds.enqueue(5)
        _claim_as_a_dead_worker(str(queued.id), lease_expired=False)
        DBTaskResult.objects.filter(pk=queued.id).update(
            started_at=timezone.now() - dt.timedelta(seconds=5)
        )

        # when the reaper runs, then it is queued again (not before the grace for its lease)
        assert reap_expired_leases(timezone.now() - dt.timedelta(seconds=3)) == []
        reaped = reap_expired_leases()
        assert [(r.task_id, r.requeued) for r in reaped] == [(str(queued.id), True)]
        assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY


# --- a real worker, killed -------------------------------------------------------------------


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVSHARE_", "DATABASE_"))}
    env.update(
        GOVSHARE_VAR_DIR=str(var),
        DATABASE_URL="",
        SECRET_KEY="lease-tests-secret-key-0123456789abcdefghijklmnop",
        DJANGO_SETTINGS_MODULE="govshare.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        LOG_LEVEL="WARNING",
        GOVSHARE_LEASE_SECONDS="1.5",
    )
    return env


def _rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path, timeout=20)) as db:
        return db.execute(sql).fetchall()


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                str(BIN / "govshare"),
                "worker",
                "--no-startup-delay",
                "--no-reload",
                "--interval",
                "0.1",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )


def _command(env: dict[str, str], *args: str) -> object:
    done = subprocess.run(
        [sys.executable, "-m", "tests.core.lease_commands", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=READY_SECONDS,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_killed_workers_task_is_requeued_and_resumed_by_another_worker(tmp_path):
    # given a migrated node database and a 30,000-row table to copy in batches of 200
    var = tmp_path / "var"
    var.mkdir()
    env = _env(var)
    migrated = subprocess.run(
        [str(BIN / "govshare"), "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=READY_SECONDS,
    )
    assert migrated.returncode == 0, migrated.stderr
    source, target, node = tmp_path / "source.db", tmp_path / "target.db", var / "govshare.sqlite3"
    with closing(sqlite3.connect(source)) as db, db:
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        db.executemany("INSERT INTO t VALUES (?, ?)", ((i, f"v{i}") for i in range(1, 30_001)))
    hold = tmp_path / "hold"  # the copy pauses after each batch while this file exists
    hold.touch()
    task_id = str(_command(env, "enqueue-copy", str(source), str(target), "200", str(hold))["id"])  # type: ignore[index]
    task_hex = task_id.replace("-", "")

    def lease_beats() -> list[tuple]:
        return _rows(node, f"SELECT heartbeat FROM core_tasklease WHERE task_id = '{task_id}'")

    def copied() -> int:
        return _rows(target, "SELECT count(*) FROM t")[0][0] if target.exists() else 0

    # when a worker has copied some rows and renewed its lease at least once, and is killed
    log = tmp_path / "worker.log"
    worker = _worker(env, log)
    first_beat: list[tuple] = []
    wait_until(
        lambda: bool(first_beat or first_beat.extend(lease_beats())),
        "lease",
        gone=exited(worker, log),
    )
    wait_until(
        lambda: lease_beats() not in ([], first_beat), "a heartbeat", gone=exited(worker, log)
    )
    wait_until(lambda: copied() > 0, "first rows", gone=exited(worker, log))
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    at_kill = copied()

    # then the task stays RUNNING until its lease runs out; the reaper then requeues it
    status = _rows(
        node, f"SELECT status FROM django_tasks_database_dbtaskresult WHERE id = '{task_hex}'"
    )
    assert status == [(TaskResultStatus.RUNNING,)]
    requeued: list[object] = []
    wait_until(lambda: bool(requeued.extend(_command(env, "reap")) or requeued), "the reaper")  # type: ignore[arg-type]
    assert requeued == [task_id]

    # and another worker resumes it: every row once, none lost, none twice
    hold.unlink()
    worker = _worker(env, log)
    try:
        wait_until(
            lambda: (
                _rows(node, "SELECT status FROM django_tasks_database_dbtaskresult")
                == [(TaskResultStatus.SUCCESSFUL,)]
            ),
            "the copy",
            gone=exited(worker, log),
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait()
    assert at_kill < 30_000
    assert _rows(target, "SELECT count(*), count(DISTINCT id), sum(id) FROM t") == [
        (30_000, 30_000, 30_000 * 30_001 // 2)
    ]
    assert _rows(node, "SELECT count(*) FROM core_tasklease") == [(0,)]
