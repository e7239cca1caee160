"""Task leases (任务租约): heartbeats, a reaper and retries for ``govshare worker``'s tasks.

django-tasks-db claims a task safely across machines (``SELECT … FOR UPDATE SKIP LOCKED``) but a
worker killed mid-task leaves it RUNNING for ever, and a task that raises is never tried again
(django-tasks-db#5; round2-stack.md §2). A task declared with ``@leased_task(...)`` instead of
``@task()`` gets both:

- while it runs, a ``TaskLease`` row whose ``expires`` a thread of the worker pushes forward
  every third of ``GOVSHARE_LEASE_SECONDS``; the thread dies with the worker, so the lease runs out;
- ``reap_expired_leases()`` (run by ``govshare sync schedule``, itself started by ``govshare
  run``) puts a task whose lease ran out back in the queue, in place (same id, same arguments),
  or fails it once it has had ``max_attempts``;
- a task that raises is queued again as a new task result after an exponential back-off
  (``backoff_seconds`` × 2^(attempt−1)), until ``max_attempts``.

A task is therefore run at least once, and may run again after its worker died part-way: a
leased task must be idempotent or resume from what it committed (the table sync commits its
position with each batch).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskContext, TaskResultStatus
from django_tasks_db.models import DBTaskResult

from govshare.core.models import TaskLease

logger = logging.getLogger(__name__)

# Task paths declared leased, with their attempts: the reaper also frees their RUNNING results
# that never got a lease row (a worker killed between claiming the task and writing the lease).
LEASED_PATHS: dict[str, int] = {}
EXPIRED_CLASS_PATH = "govshare.core.leases.LeaseExpired"


class LeaseExpired(Exception):
    """The worker running the task stopped renewing its lease (it died or hung)."""


def lease_seconds() -> float:
    return float(getattr(settings, "GOVSHARE_LEASE_SECONDS", 60))


def backoff_delay(backoff_seconds: float, attempt: int) -> dt.timedelta:
    """Exponential back-off before the attempt after ``attempt`` (1-based)."""
    return dt.timedelta(seconds=backoff_seconds * 2 ** max(attempt - 1, 0))


def leased_task(
    *, max_attempts: int = 3, backoff_seconds: float = 30.0, **options: Any
) -> Callable[[Callable[..., Any]], Any]:
    """``@leased_task(max_attempts=3)``: a ``django.tasks`` task with a lease, a heartbeat
    while it runs, and retries with back-off when it raises or its worker dies."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def register(func: Callable[..., Any]) -> Any:
        def run(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            lease = take_lease(context, max_attempts)
            with heartbeat(lease.task_id):
                try:
                    value = func(*args, **kwargs)
                except Exception as error:
                    _retry_or_give_up(context, lease, error, backoff_seconds)
                    raise
            TaskLease.objects.filter(pk=lease.task_id).delete()
            return value

        # Named as the function (the task's path), but not functools.wraps: the backend reads
        # the wrapper's own signature for its ``context`` argument.
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            setattr(run, attribute, getattr(func, attribute))
        queued = task(takes_context=True, **options)(run)
        LEASED_PATHS[queued.module_path] = max_attempts
        return queued

    return register


def take_lease(context: TaskContext, max_attempts: int) -> TaskLease:
    """The running task's lease: a new one for a first attempt, the waiting one for a retry."""
    result = context.task_result
    now = timezone.now()
    values = {
        "worker_id": (result.worker_ids or [""])[-1][:64],
        "heartbeat": now,
        "expires": now + dt.timedelta(seconds=lease_seconds()),
    }
    lease, created = TaskLease.objects.get_or_create(
        pk=str(result.id),
        defaults={"task_path": result.task.module_path, "max_attempts": max_attempts, **values},
    )
    if not created:
        TaskLease.objects.filter(pk=lease.pk).update(**values)
    return lease


@contextmanager
def heartbeat(task_id: str) -> Iterator[None]:
    """Renew the lease from a thread of its own while the body runs (a long batch holds the
    main thread, and a lease must only run out when the process is gone)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(task_id, stop), name=f"lease-{task_id[:8]}", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _beat(task_id: str, stop: threading.Event) -> None:
    every = lease_seconds() / 3
    try:
        while not stop.wait(every):
            try:
                renew(task_id)
            except Exception:  # a missed beat is not fatal: the next one may pass
                logger.exception("lease %s: heartbeat failed", task_id)
                close_old_connections()
    finally:
        connection.close()  # this thread's own connection


def renew(task_id: str) -> None:
    now = timezone.now()
    TaskLease.objects.filter(pk=task_id, expires__isnull=False).update(
        heartbeat=now, expires=now + dt.timedelta(seconds=lease_seconds())
    )


def _retry_or_give_up(
    context: TaskContext, lease: TaskLease, error: Exception, backoff_seconds: float
) -> None:
    """After a raise: queue the next attempt (a new task result whose lease carries the count)
    or, past ``max_attempts``, let the failure stand."""
    lease.refresh_from_db()
    TaskLease.objects.filter(pk=lease.pk).delete()
    if lease.attempt >= lease.max_attempts:
        logger.warning("task %s failed on its last attempt (%s)", lease.pk, lease.attempt)
        return
    result = context.task_result
    when = timezone.now() + backoff_delay(backoff_seconds, lease.attempt)
    retry = result.task.using(run_after=when).enqueue(*result.args, **result.kwargs)
    TaskLease.objects.create(
        task_id=str(retry.id),
        task_path=lease.task_path,
        attempt=lease.attempt + 1,
        max_attempts=lease.max_attempts,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


@dataclass(frozen=True)
class Reaped:
    """What the reaper did with a task whose worker stopped: requeued it, or failed it."""

    task_id: str
    task_path: str
    requeued: bool
    attempt: int


def reap_expired_leases(now: dt.datetime | None = None) -> list[Reaped]:
    """Requeue (in place) every RUNNING task whose lease ran out, or fail it past its attempts."""
    now = now or timezone.now()
    expired = set(TaskLease.objects.filter(expires__lt=now).values_list("pk", flat=True))
    expired |= _running_without_lease(now)
    reaped = [_reap(task_id, now) for task_id in sorted(expired)]
    return [item for item in reaped if item is not None]


def _running_without_lease(now: dt.datetime) -> set[str]:
    """Leased tasks claimed long ago that never wrote their lease (a worker killed at once).
    Long: between the claim and the lease the worker imports the task's module, which takes
    seconds on a loaded machine, and a live task must not be run twice."""
    if not LEASED_PATHS:
        return set()
    grace = float(getattr(settings, "GOVSHARE_LEASE_GRACE_SECONDS", 60))
    started_before = now - dt.timedelta(seconds=max(grace, lease_seconds()))
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path__in=sorted(LEASED_PATHS),
        started_at__lt=started_before,
    ).values_list("pk", flat=True)
    ids = {str(pk) for pk in running}
    leased = set(TaskLease.objects.filter(pk__in=ids).values_list("pk", flat=True))
    return ids - leased


def _reap(task_id: str, now: dt.datetime) -> Reaped | None:
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=task_id).first()
        lease = TaskLease.objects.select_for_update().filter(pk=task_id).first()
        if lease is not None and (lease.expires is None or lease.expires >= now):
            return None  # renewed since it was listed
        if result is None or result.status != TaskResultStatus.RUNNING:
            TaskLease.objects.filter(pk=task_id).delete()
            return None
        if lease is None:
            attempts = LEASED_PATHS.get(result.task_path, 1)
            lease = TaskLease(task_id=task_id, task_path=result.task_path, max_attempts=attempts)
        if lease.attempt >= lease.max_attempts:
            _fail_expired(result, lease, now)
            return Reaped(task_id, lease.task_path, requeued=False, attempt=lease.attempt)
        # The worker died, not the task: the next attempt may start at once.
        DBTaskResult.objects.filter(pk=task_id).update(status=TaskResultStatus.READY, run_after=now)
        lease.attempt += 1
        lease.last_error = f"lease expired (worker {lease.worker_id or '?'})"
        lease.expires, lease.worker_id = None, ""
        lease.save()
        logger.warning("task %s: lease expired; requeued (attempt %s)", task_id, lease.attempt)
        return Reaped(task_id, lease.task_path, requeued=True, attempt=lease.attempt)


def _fail_expired(result: DBTaskResult, lease: TaskLease, now: dt.datetime) -> None:
    DBTaskResult.objects.filter(pk=result.pk).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=EXPIRED_CLASS_PATH,
        traceback=f"LeaseExpired: no heartbeat since {lease.heartbeat}; attempt {lease.attempt}",
    )
    TaskLease.objects.filter(pk=lease.pk).delete()
    logger.error("task %s: lease expired on its last attempt; failed", result.pk)
