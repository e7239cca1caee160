"""``govshare sync``: table subscriptions (库表订阅) from the command line.

govshare sync list
govshare sync run SUBSCRIPTION [--full] [--progress]     in this process; exit 1 on failure
govshare sync reconcile SUBSCRIPTION                     exit 1 on any difference, keys listed
govshare sync schedule [--once | --every SECONDS]        queue due runs, reap leases and stalls

The node's operator acts as the platform (the system actor, audited as such). ``schedule`` is
what ``govshare run`` starts beside the worker: every round it requeues the tasks of dead
workers (core/leases.py), restarts stalled runs, and queues the subscriptions that are due.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from govshare.core.actors import SYSTEM
from govshare.core.context import audit_context
from govshare.core.leases import reap_expired_leases
from govshare.exchange.models import RunKind, RunStatus, Subscription, SyncRun
from govshare.exchange.sync import runner, tasks

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Table subscriptions: list, run, reconcile, schedule (库表订阅)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="subscriptions with their state and last run")
        run = actions.add_parser("run", help="run a subscription here and now")
        run.add_argument("subscription", type=int)
        run.add_argument("--full", action="store_true", help="a full load, whatever the mode")
        run.add_argument("--progress", action="store_true", help="show a progress bar")
        check = actions.add_parser("reconcile", help="compare the source and the destination")
        check.add_argument("subscription", type=int)
        schedule = actions.add_parser("schedule", help="queue due runs; reap leases and stalls")
        schedule.add_argument("--once", action="store_true", help="one round, then exit")
        schedule.add_argument("--every", type=float, default=60.0, help="seconds between rounds")
        schedule.add_argument("--count", type=int, default=None, help="stop after N rounds")
        schedule.add_argument("--delay", type=float, default=0.0, help="wait before the first")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        with audit_context(source="cli"):
            if action == "list":
                self._list()
            elif action == "run":
                self._run(options["subscription"], options["full"], options["progress"])
            elif action == "reconcile":
                self._reconcile(options["subscription"])
            else:
                self._schedule(options)

    # --- list ---------------------------------------------------------------------------------

    def _list(self) -> None:
        subscriptions = Subscription.objects.select_related(
            "grant__request", "destination"
        ).order_by("pk")
        for subscription in subscriptions:
            last = subscription.runs.order_by("-pk").first()
            ran = f"{last.kind} {last.status} #{last.pk}" if last else "-"
            consistent = (
                timezone.localtime(subscription.last_consistent).strftime("%Y-%m-%d %H:%M")
                if subscription.last_consistent
                else "-"
            )
            self.stdout.write(
                f"{subscription.pk}\t{subscription.grant.request.number}\t"
                f"{subscription.destination or '-'}:{subscription.table}\t{subscription.mode}\t"
                f"{subscription.state}\tlast run: {ran}\tconsistent: {consistent}"
            )

    # --- run ----------------------------------------------------------------------------------

    def _run(self, subscription_id: int, full: bool, progress: bool) -> None:
        subscription = _subscription(subscription_id)
        kind = RunKind.FULL if full else None
        run = _started(lambda: runner.start_run(SYSTEM, subscription, kind=kind, enqueue=False))
        if progress:
            with _Bar(Console(stderr=True)) as bar:
                run = self._execute(run, bar.update)
        else:
            run = self._execute(run, None)
        self.stdout.write(
            f"run {run.pk} {run.kind}: {run.status}; read {run.rows_read}, inserted "
            f"{run.rows_inserted}, updated {run.rows_updated}, deleted {run.rows_deleted}; "
            f"watermark {run.watermark_after or '-'}"
        )
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error or f"the run ended {run.status}", returncode=1)

    def _execute(self, run: SyncRun, observer: Any) -> SyncRun:
        try:
            tasks.execute(run.pk, observer=observer or (lambda _run: None), split=False)
        except tasks.SyncBusy as busy:
            SyncRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).delete()
            raise CommandError(str(busy), returncode=1) from None
        run.refresh_from_db()
        return run

    # --- reconcile ----------------------------------------------------------------------------

    def _reconcile(self, subscription_id: int) -> None:
        subscription = _subscription(subscription_id)
        run = _started(lambda: runner.start_reconcile(SYSTEM, subscription, enqueue=False))
        run = self._execute(run, None)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error or f"the reconciliation ended {run.status}", returncode=1)
        result = run.result
        if result.get("consistent"):
            self.stdout.write(f"subscription {subscription_id}: consistent")
            return
        self.stdout.write(
            f"subscription {subscription_id}: {result.get('differing_count', 0)} differing key(s)"
        )
        for key in result.get("differing_keys", []):
            self.stdout.write("\t".join(str(part) for part in key))
        raise CommandError("the destination differs from the source", returncode=1)

    # --- schedule -----------------------------------------------------------------------------

    def _schedule(self, options: dict[str, Any]) -> None:
        every, count = options["every"], options["count"]
        if every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        if count is not None and count < 1:
            raise CommandError("--count must be at least 1")
        if options["delay"] < 0:
            raise CommandError("--delay must not be negative")
        time.sleep(options["delay"])
        rounds = 0
        while True:
            if rounds:
                close_old_connections()
            self._round()
            rounds += 1
            if options["once"] or (count is not None and rounds >= count):
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return

    def _round(self) -> None:
        try:
            reaped = reap_expired_leases()
            restarted = runner.reap_stalled_runs()
            resumed = runner.restart_grant_stopped()
            queued = runner.schedule_due()
        except Exception:  # keep the schedule alive; the next round retries
            logger.exception("sync schedule round failed")
            return
        requeued = sum(1 for item in reaped if item.requeued)
        self.stdout.write(
            f"requeued {requeued} task(s), restarted {len(restarted)} stalled run(s), "
            f"resumed {resumed} subscription(s), queued {len(queued)} run(s)"
        )


def _subscription(subscription_id: int) -> Subscription:
    subscription = Subscription.objects.select_related("grant").filter(pk=subscription_id).first()
    if subscription is None:
        raise CommandError(f"no subscription {subscription_id}", returncode=2)
    return subscription


def _started(start: Any) -> SyncRun:
    try:
        return start()  # type: ignore[no-any-return]
    except ValidationError as error:
        raise CommandError("; ".join(error.messages), returncode=1) from None


class _Bar:
    """A rich progress bar of a run: rows (of the expected total), bytes, rate and ETA."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[size]}"),
            TextColumn("{task.fields[rate]} rows/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.task: TaskID | None = None
        self.started = time.monotonic()

    def __enter__(self) -> _Bar:
        self.progress.start()
        self.task = self.progress.add_task("sync", total=None, size="0 B", rate="0")
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, run: SyncRun) -> None:
        assert self.task is not None
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.progress.update(
            self.task,
            completed=run.rows_read,
            total=run.rows_total,
            description=f"run {run.pk} {run.kind}",
            size=_size(run.bytes),
            rate=f"{run.rows_read / elapsed:,.0f}",
        )


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.1f} {unit}" if unit != "B" else f"{count} B"
        value /= 1024
    return f"{count} B"
