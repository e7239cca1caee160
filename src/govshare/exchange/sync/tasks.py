"""What ``govshare worker`` runs for table subscriptions (同步任务): one task per run, or per key
range of a split full load, each leased (core/leases.py: a dead worker's task is requeued).

A run's task takes the subscription's lock (core/locks.py; shared by the parts of one split full
load), so two runs of one subscription never overlap; a task that finds the lock taken waits in
the queue and tries again. It then runs the engine batch by batch: after each committed batch
``on_batch`` records the counts, the heartbeat and the watermark on the run; before each batch
``should_stop`` asks whether the grant still serves and the subscription is not paused. A run
ends succeeded, stopped (by the grant or a pause), or failed with the engine's error code and
message — then a new run retries it after an exponential back-off, up to
``GOVSHARE_SYNC_MAX_ATTEMPTS`` attempts. Each finished run is a record in the hash-chained
delivery log (交付日志), like a gateway call.

A task that finds its run still "running" holds the lock, so whoever ran it before is gone (a
worker killed, its lease reaped): the run is closed as failed ("worker lost") and a restart run
continues from what the destination committed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import SYSTEM
from govshare.core.crypto import sm3_hex
from govshare.core.evidence import audit
from govshare.core.evidence.chain import append_records, canonical_json
from govshare.core.leases import backoff_delay, leased_task
from govshare.core.locks import HeldLock, try_lock
from govshare.core.permissions import internal
from govshare.exchange.connectors.base import ConnectorError
from govshare.exchange.models import (
    CallMode,
    DeliveryRecord,
    RunKind,
    RunStatus,
    RunTrigger,
    Subscription,
    SubscriptionState,
    SyncRun,
)
from govshare.exchange.sync.engine import (
    KeyRange,
    Progress,
    destination_watermark,
    key_ranges,
    prepare_destination,
    run_sync,
)
from govshare.exchange.sync.errors import SyncError, SyncFailure
from govshare.exchange.sync.reconcile import reconcile
from govshare.exchange.sync.spec import SpecError, SyncSpec, spec_for
from govshare.sharing.choices import RequestState

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)
FINISHED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.STOPPED)
# A delivery record's status for a run: it delivered (200) or failed (500), as the gateway's.
DELIVERED, FAILED_STATUS = 200, 500
MAX_ROW_COUNT = 2_147_483_647  # DeliveryRecord.row_count is an integer column

Observer = Callable[[SyncRun], None]


def max_attempts() -> int:
    return int(getattr(settings, "GOVSHARE_SYNC_MAX_ATTEMPTS", 3))


def retry_backoff_seconds() -> float:
    return float(getattr(settings, "GOVSHARE_SYNC_RETRY_SECONDS", 60))


def busy_seconds() -> float:
    return float(getattr(settings, "GOVSHARE_SYNC_BUSY_SECONDS", 5))


def lock_name(subscription_id: int, part: int | None = None) -> str:
    base = f"govshare.sync.{subscription_id}"
    return base if part is None else f"{base}.part{part}"


# --- the tasks --------------------------------------------------------------------------------


@leased_task(max_attempts=3, backoff_seconds=30.0)
def execute_run(run_id: int) -> str:
    """The worker's task for one run (a split full load: its plan, then the parts' tasks)."""
    return execute(run_id)


@leased_task(max_attempts=3, backoff_seconds=30.0)
def execute_part(run_id: int, part: list[Any]) -> str:
    """The worker's task for one key range of a split full load."""
    return execute_range(run_id, _range_from(part))


def enqueue(run: SyncRun, *, at: dt.datetime | None = None) -> None:
    """Queue the run's task (call once the run's row is committed: ``transaction.on_commit``)."""
    task = execute_run.using(run_after=at) if at else execute_run
    task.enqueue(run.pk)


# --- one run ----------------------------------------------------------------------------------


@dataclass
class Execution:
    """A run while it executes: what ``on_batch`` and ``should_stop`` work with."""

    run: SyncRun
    observer: Observer | None = None
    stopped: bool = False
    seen: dict[int, Progress] = field(default_factory=dict)  # last progress of each part


def execute(run_id: int, *, observer: Observer | None = None, split: bool = True) -> str:
    """Run ``run_id`` here and now; what became of it, in a word. ``split``: a full load with
    several parts queues their tasks (False: load the whole table here, as the CLI does)."""
    run = SyncRun.objects.select_related("subscription").filter(pk=run_id).first()
    if run is None or run.status not in ACTIVE_STATUSES:
        return "skipped"
    lock = try_lock(lock_name(run.subscription_id))
    if lock is None:
        if observer is not None:
            raise SyncBusy(run)
        enqueue(run, at=timezone.now() + dt.timedelta(seconds=busy_seconds()))
        return "busy"
    try:
        run.refresh_from_db()
        if run.status == RunStatus.RUNNING:
            restart(run, SyncError.WORKER_LOST, _("The worker running it stopped; restarted."))
            return "restarted"
        if run.status != RunStatus.QUEUED:
            return "skipped"
        return _execute_locked(Execution(run, observer), split=split)
    finally:
        lock.release()


class SyncBusy(Exception):
    """Another run of the subscription holds its lock (the CLI says so instead of waiting)."""

    def __init__(self, run: SyncRun) -> None:
        super().__init__(_("Another run of this subscription is in progress."))
        self.run = run


def _execute_locked(execution: Execution, *, split: bool) -> str:
    run = execution.run
    retried = run.kind != RunKind.RECONCILE  # a comparison is simply asked for again
    if not _begin(run):
        return "skipped"
    try:
        if _should_stop(execution):
            return _finish(execution, None)
        spec = spec_for(run.subscription)
        if run.kind == RunKind.RECONCILE:
            return _reconcile(execution, spec)
        prepare_destination(spec)
        if run.kind == RunKind.FULL and run.subscription.parts > 1 and split:
            return _plan_parts(run, spec)
        progress = run_sync(
            spec,
            kind=run.kind,
            run_id=run.pk,
            on_batch=lambda progress: _on_batch(execution, progress, 0),
            should_stop=lambda: _should_stop(execution),
        )
        return _finish(execution, progress)
    except SyncFailure as failure:
        return fail(run, str(failure.code), failure.message, retry=retried)
    except SpecError as error:
        return fail(run, SyncError.SPEC_INVALID, str(error), retry=False)
    except ConnectorError as error:  # reconciliation names the side and the cause
        return fail(run, SyncError.CONNECTOR_FAILED, str(error), retry=retried)
    except Exception as error:
        logger.exception("sync run %s failed", run.pk)
        return fail(run, SyncError.INTERNAL, f"{type(error).__name__}: {error}", retry=retried)


def _begin(run: SyncRun) -> bool:
    now = timezone.now()
    changed = SyncRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started=now,
        heartbeat=now,
        watermark_before=run.subscription.watermark,
    )
    run.refresh_from_db()
    return bool(changed)


def _on_batch(execution: Execution, progress: Progress, part: int) -> None:
    """After each committed batch: the counts (this part's new ones added), the heartbeat, and
    the subscription's mirror of the committed watermark."""
    run = execution.run
    before = execution.seen.get(part, Progress())
    execution.seen[part] = progress
    SyncRun.objects.filter(pk=run.pk).update(
        heartbeat=timezone.now(),
        rows_read=F("rows_read") + (progress.rows_read - before.rows_read),
        rows_inserted=F("rows_inserted") + (progress.rows_inserted - before.rows_inserted),
        rows_updated=F("rows_updated") + (progress.rows_updated - before.rows_updated),
        rows_deleted=F("rows_deleted") + (progress.rows_deleted - before.rows_deleted),
        bytes=F("bytes") + (progress.bytes - before.bytes),
        batches=F("batches") + (progress.batches - before.batches),
        **({"rows_total": progress.rows_total} if progress.rows_total is not None else {}),
    )
    if progress.watermark and progress.watermark != before.watermark:
        Subscription.objects.filter(pk=run.subscription_id).update(watermark=progress.watermark)
    if execution.observer is not None:
        run.refresh_from_db()
        execution.observer(run)


def _should_stop(execution: Execution) -> bool:
    """Before each batch: stop when the grant no longer serves (suspended, revoked, expired, or
    outside its validity), the subscription was paused, or the run was taken from this worker
    (a stall the reaper restarted elsewhere)."""
    run = execution.run
    subscription = (
        Subscription.objects.select_related("grant__request").filter(pk=run.subscription_id).get()
    )
    current = SyncRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
    if not grant_serves(subscription):
        stop_by_grant(subscription)
        execution.stopped = True
    elif subscription.state != SubscriptionState.ACTIVE or current != RunStatus.RUNNING:
        execution.stopped = True
    return execution.stopped


def grant_serves(subscription: Subscription) -> bool:
    grant = subscription.grant
    today = timezone.localdate()
    return (
        grant.request.state == RequestState.ACTIVE
        and grant.valid_from <= today <= grant.valid_until
    )


@internal("the runner stops a subscription whose grant no longer serves, before its next batch")
def stop_by_grant(subscription: Subscription) -> None:
    with transaction.atomic():
        changed = Subscription.objects.filter(
            pk=subscription.pk, state=SubscriptionState.ACTIVE
        ).update(state=SubscriptionState.STOPPED)
        if changed:
            audit.record(
                actor=SYSTEM,
                action="exchange.subscription.state",
                obj=subscription,
                before={"state": SubscriptionState.ACTIVE},
                after={"state": SubscriptionState.STOPPED, "grant": subscription.grant.state},
                department_id=subscription.grant.consumer_id,
            )


def _finish(execution: Execution, progress: Progress | None) -> str:
    """The run's end: stopped before a batch, or succeeded; its delivery record."""
    run = execution.run
    status = RunStatus.STOPPED if execution.stopped else RunStatus.SUCCEEDED
    watermark = progress.watermark if progress and progress.watermark else ""
    values: dict[str, Any] = {"status": status, "finished": timezone.now()}
    values["watermark_after"] = watermark or _subscription_watermark(run.subscription_id)
    with transaction.atomic():
        if not SyncRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**values):
            return "taken"  # the reaper restarted it meanwhile; the restart records its own end
        if watermark:
            Subscription.objects.filter(pk=run.subscription_id).update(watermark=watermark)
        run.refresh_from_db()
        _record_delivery(run)
    return str(status)


def _subscription_watermark(subscription_id: int) -> str:
    values = Subscription.objects.filter(pk=subscription_id).values_list("watermark", flat=True)
    return values.first() or ""


@internal("the runner records a failed run; a retry follows unless it was the last attempt")
def fail(run: SyncRun, code: str, message: str, *, retry: bool = True) -> str:
    """Close a running run as failed with its error, and queue its retry after a back-off."""
    now = timezone.now()
    again = retry and run.attempt < max_attempts()
    retry_at = now + backoff_delay(retry_backoff_seconds(), run.attempt) if again else None
    with transaction.atomic():
        changed = SyncRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED,
            finished=now,
            error_code=code[:40],
            error=message,
            retry_at=retry_at,
        )
        if not changed:
            return "taken"
        run.refresh_from_db()
        _record_delivery(run)
        if retry_at is not None:
            follow_up(run, RunTrigger.RETRY, attempt=run.attempt + 1, at=retry_at)
    return "failed"


def restart(run: SyncRun, code: str, message: str) -> SyncRun | None:
    """Close a run whose worker is gone or stuck and queue a restart that resumes it."""
    with transaction.atomic():
        changed = SyncRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, finished=timezone.now(), error_code=code, error=message
        )
        if not changed:
            return None
        run.refresh_from_db()
        _record_delivery(run)
        return follow_up(run, RunTrigger.RESTART, attempt=run.attempt)


def follow_up(
    run: SyncRun, trigger: str, *, attempt: int, at: dt.datetime | None = None
) -> SyncRun:
    """A new run continuing ``run`` (a retry or a restart), queued when the transaction commits."""
    new = SyncRun.objects.create(
        subscription_id=run.subscription_id,
        kind=run.kind,
        trigger=trigger,
        attempt=attempt,
        retry_at=at,
        started_by=run.started_by,
    )
    transaction.on_commit(lambda: enqueue(new, at=at))
    return new


# --- split full loads -------------------------------------------------------------------------


def _plan_parts(run: SyncRun, spec: SyncSpec) -> str:
    """Split the load by key range and queue one task per range; the run stays running until
    the last part is done (the engine swaps the loaded table in when it finishes its part)."""
    ranges = key_ranges(spec, run.subscription.parts)
    plan = {str(r.part): {"range": _range_to(r), "done": False} for r in ranges}
    SyncRun.objects.filter(pk=run.pk).update(result={"parts": plan})
    transaction.on_commit(lambda: _enqueue_parts(run.pk, ranges))
    return "split"


def _enqueue_parts(run_id: int, ranges: list[KeyRange]) -> None:
    for key_range in ranges:
        execute_part.enqueue(run_id, _range_to(key_range))


def _range_to(key_range: KeyRange) -> list[Any]:
    low = list(key_range.low) if key_range.low is not None else None
    high = list(key_range.high) if key_range.high is not None else None
    return [key_range.part, low, high, key_range.parts]


def _range_from(value: list[Any]) -> KeyRange:
    part, low, high, parts = value
    return KeyRange(
        part,
        tuple(low) if low is not None else None,
        tuple(high) if high is not None else None,
        parts,
    )


def execute_range(run_id: int, key_range: KeyRange) -> str:
    """One part of a split full load, beside the others (the subscription's lock shared)."""
    run = SyncRun.objects.select_related("subscription").filter(pk=run_id).first()
    if run is None or run.status != RunStatus.RUNNING:
        return "skipped"
    locks = _part_locks(run.subscription_id, key_range.part)
    if locks is None:
        execute_part.using(run_after=timezone.now() + dt.timedelta(seconds=busy_seconds())).enqueue(
            run_id, _range_to(key_range)
        )
        return "busy"
    execution = Execution(run)
    try:
        spec = spec_for(run.subscription)
        run_sync(
            spec,
            kind=RunKind.FULL,
            run_id=run.pk,
            part=key_range,
            on_batch=lambda progress: _on_batch(execution, progress, key_range.part),
            should_stop=lambda: _should_stop(execution),
        )
        return _part_done(execution, key_range.part)
    except SyncFailure as failure:
        return fail(run, str(failure.code), failure.message)
    except Exception as error:
        logger.exception("sync run %s part %s failed", run.pk, key_range.part)
        return fail(run, SyncError.INTERNAL, f"{type(error).__name__}: {error}")
    finally:
        for lock in locks:
            lock.release()


def _part_locks(subscription_id: int, part: int) -> list[HeldLock] | None:
    whole = try_lock(lock_name(subscription_id), shared=True)
    if whole is None:
        return None
    mine = try_lock(lock_name(subscription_id, part))
    if mine is None:
        whole.release()
        return None
    return [whole, mine]


def _part_done(execution: Execution, part: int) -> str:
    if execution.stopped:
        return _finish(execution, None)
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=execution.run.pk)
        plan = dict(run.result.get("parts", {}))
        plan[str(part)] = {**plan.get(str(part), {}), "done": True}
        SyncRun.objects.filter(pk=run.pk).update(result={**run.result, "parts": plan})
        if not all(entry.get("done") for entry in plan.values()):
            return "part done"
    # Every part's run_sync has returned, so the engine's last part has swapped the loaded
    # table in with the watermark: read it from the destination's state table.
    execution.run.refresh_from_db()
    final = Progress(watermark=destination_watermark(spec_for(execution.run.subscription)))
    return _finish(execution, final)


# --- reconciliation ---------------------------------------------------------------------------


def _reconcile(execution: Execution, spec: SyncSpec) -> str:
    """Compare source and destination; the subscription keeps when it was last proven
    consistent and what differed."""
    run = execution.run
    result = reconcile(spec)
    summary = reconciliation_summary(result)
    now = timezone.now()
    with transaction.atomic():
        SyncRun.objects.filter(pk=run.pk).update(result=summary)
        changes: dict[str, Any] = {"last_reconciliation": {**summary, "run": run.pk}}
        if result.consistent:
            changes["last_consistent"] = now
        Subscription.objects.filter(pk=run.subscription_id).update(**changes)
    return _finish(execution, None)


def reconciliation_summary(result: Any) -> dict[str, Any]:
    """What a reconciliation found, JSON-ready and capped (the differing keys are listed)."""
    keys = [[str(part) for part in _as_tuple(key)] for key in list(result.differing_keys)[:1000]]
    counted = sum(
        getattr(result, name, 0) for name in ("missing_rows", "extra_rows", "changed_rows")
    )
    ranges = [_plain(r) for r in getattr(result, "ranges", [])]
    return {
        "consistent": bool(result.consistent),
        "differing_keys": keys,
        "differing_count": max(counted, len(result.differing_keys)),
        "missing_rows": getattr(result, "missing_rows", None),
        "extra_rows": getattr(result, "extra_rows", None),
        "changed_rows": getattr(result, "changed_rows", None),
        "ranges": _json_ready(ranges),
        "checked": timezone.now().isoformat(),
    }


def _plain(value: Any) -> Any:
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def _as_tuple(key: Any) -> tuple[Any, ...]:
    return tuple(key) if isinstance(key, list | tuple) else (key,)


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


# --- the delivery log ------------------------------------------------------------------------


def _record_delivery(run: SyncRun) -> None:
    """The run as a record of the delivery log (CallMode.TABLE): who received how many rows of
    which items, masked how, and an SM3 digest of the run's summary. Inside the caller's
    transaction, so the run and its record are written together."""
    if run.kind == RunKind.RECONCILE:
        return  # a comparison delivers nothing
    grant = run.subscription.grant
    items = list(grant.items.all())
    summary = _summary(run)
    delivered = run.rows_inserted + run.rows_updated
    record = DeliveryRecord(
        created=run.finished or timezone.now(),
        request_id=f"sync-{run.pk}",
        application_id=grant.application_id,
        application_name=grant.application.name,
        consumer_id=grant.consumer_id,
        consumer_name=grant.consumer.name,
        provider_id=grant.provider_id,
        resource_id=grant.resource_id,
        resource_name=grant.resource.name,
        grant_id=grant.pk,
        share_request_number=grant.request.number,
        purpose=grant.request.purpose,
        end_user=run.started_by.get_username() if run.started_by else "",
        mode=CallMode.TABLE,
        items=[item.identifier for item in items],
        masked=[item.identifier for item in items if item.masking != "none"],
        row_count=min(delivered, MAX_ROW_COUNT),
        status=FAILED_STATUS if run.status == RunStatus.FAILED else DELIVERED,
        error_code=run.error_code,
        latency_ms=_duration_ms(run),
        body_digest=sm3_hex(canonical_json(summary)),
    )
    seq = append_records(DeliveryRecord, [record])[0].seq
    SyncRun.objects.filter(pk=run.pk).update(delivery_seq=seq)
    run.delivery_seq = seq


def _summary(run: SyncRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "subscription": run.subscription_id,
        "kind": run.kind,
        "status": run.status,
        "rows_read": run.rows_read,
        "rows_inserted": run.rows_inserted,
        "rows_updated": run.rows_updated,
        "rows_deleted": run.rows_deleted,
        "bytes": run.bytes,
        "watermark_before": run.watermark_before,
        "watermark_after": run.watermark_after,
        "error_code": run.error_code,
    }


def _duration_ms(run: SyncRun) -> float:
    if run.started is None or run.finished is None:
        return 0.0
    return (run.finished - run.started).total_seconds() * 1000
