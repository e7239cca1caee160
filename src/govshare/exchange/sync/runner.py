"""Starting, scheduling and watching table-subscription runs (同步调度): the services the pages,
the API and ``govshare sync`` call. The work itself is ``exchange/sync/tasks.py``'s.

Who may start a run or a reconciliation: the consumer department's data officer (the data is
theirs to receive), the provider's data officer (their data goes out), or a platform admin.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.core.actors import SYSTEM, Actor, person_of
from govshare.core.errors import ErrorCode
from govshare.core.evidence import audit
from govshare.core.permissions import internal
from govshare.core.roles import Role, principal_of
from govshare.exchange.models import (
    RunKind,
    RunStatus,
    RunTrigger,
    Subscription,
    SubscriptionState,
    SyncMode,
    SyncRun,
)
from govshare.exchange.sync import tasks
from govshare.exchange.sync.errors import SyncError
from govshare.exchange.sync.schedule import CronError, next_time, schedule_of

logger = logging.getLogger(__name__)


def stall_seconds() -> float:
    return float(getattr(settings, "GOVSHARE_SYNC_STALL_SECONDS", 900))


def may_run(actor: Actor, subscription: Subscription) -> bool:
    """The consumer's or the provider's data officer, or a platform admin."""
    principal = principal_of(actor)
    grant = subscription.grant
    return principal.is_platform_admin or any(
        principal.has_department_role(department, Role.DATA_OFFICER)
        for department in (grant.consumer_id, grant.provider_id)
    )


def start_run(
    actor: Actor,
    subscription: Subscription,
    *,
    kind: str | None = None,
    trigger: str = RunTrigger.MANUAL,
    enqueue: bool = True,
) -> SyncRun:
    """Queue a run of ``subscription`` ("run now", the schedule, the CLI). ``kind`` defaults to
    what the subscription needs next: a full load until one succeeded, then incremental (a
    subscription in mode "full" reloads every time). ``enqueue=False``: the caller executes it
    (``tasks.execute``) in its own process."""
    if not may_run(actor, subscription):
        raise PermissionDenied("run")
    kind = kind or next_kind(subscription)
    _check_runnable(subscription, kind)
    return _create_run(actor, subscription, kind, trigger, enqueue=enqueue)


def start_reconcile(actor: Actor, subscription: Subscription, *, enqueue: bool = True) -> SyncRun:
    """Queue a reconciliation (对账): the source's granted rows against the destination's."""
    return start_run(actor, subscription, kind=RunKind.RECONCILE, enqueue=enqueue)


def next_kind(subscription: Subscription) -> str:
    if subscription.mode == SyncMode.FULL:
        return RunKind.FULL
    loaded = subscription.runs.filter(kind=RunKind.FULL, status=RunStatus.SUCCEEDED).exists()
    return RunKind.INCREMENTAL if loaded else RunKind.FULL


def _check_runnable(subscription: Subscription, kind: str) -> None:
    if kind not in RunKind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown run kind."), ErrorCode.INVALID)})
    if subscription.destination_id is None:
        raise ValidationError(
            {
                "destination": ValidationError(
                    _("Choose the destination database before running the subscription."),
                    ErrorCode.REQUIRED,
                )
            }
        )
    if subscription.state != SubscriptionState.ACTIVE:
        raise ValidationError(
            {
                "state": ValidationError(
                    _("Only an active subscription runs; this one is %(state)s.")
                    % {"state": subscription.get_state_display()},
                    ErrorCode.CONFLICT,
                )
            }
        )
    if subscription.runs.filter(status__in=tasks.ACTIVE_STATUSES).exists():
        raise ValidationError(
            {
                "subscription": ValidationError(
                    _("A run of this subscription is already queued or running."),
                    ErrorCode.CONFLICT,
                )
            }
        )


def _create_run(
    actor: Actor, subscription: Subscription, kind: str, trigger: str, *, enqueue: bool
) -> SyncRun:
    with transaction.atomic():
        run = SyncRun.objects.create(
            subscription=subscription, kind=kind, trigger=trigger, started_by=person_of(actor)
        )
        audit.record(
            actor=actor,
            action="exchange.sync.start",
            obj=run,
            after={"subscription": subscription.pk, "kind": kind, "trigger": trigger},
            department_id=subscription.grant.consumer_id,
        )
        if enqueue:
            transaction.on_commit(lambda: tasks.enqueue(run))
    return run


# --- the schedule and the reaper (govshare sync schedule) -------------------------------------


@internal("the scheduler queues the runs that are due, as the platform")
def schedule_due(now: dt.datetime | None = None) -> list[SyncRun]:
    """Queue a run of every active subscription whose next run time has come; give the others
    their next time. A subscription whose run is still going waits for its next time."""
    now = now or timezone.now()
    started = []
    subscriptions = Subscription.objects.filter(
        state=SubscriptionState.ACTIVE, destination__isnull=False
    ).select_related("grant__request__resource_version")
    for subscription in subscriptions:
        expression = schedule_of(
            subscription.schedule, subscription.grant.request.resource_version.update_cycle
        )
        due = _next_due(subscription, expression, now)
        if due:
            run = _start_scheduled(subscription)
            if run is not None:
                started.append(run)
    return started


def _next_due(subscription: Subscription, expression: str | None, now: dt.datetime) -> bool:
    """Whether the subscription is due now; moves its ``next_run`` forward either way."""
    try:
        following = next_time(expression, now) if expression else None
    except CronError:
        logger.warning("subscription %s: invalid schedule %r", subscription.pk, expression)
        following = None
    due = subscription.next_run is not None and subscription.next_run <= now
    moves = due or subscription.next_run is None or following is None
    if moves and following != subscription.next_run:
        Subscription.objects.filter(pk=subscription.pk).update(next_run=following)
    return due and expression is not None


def _start_scheduled(subscription: Subscription) -> SyncRun | None:
    if subscription.runs.filter(status__in=tasks.ACTIVE_STATUSES).exists():
        return None
    try:
        return start_run(SYSTEM, subscription, trigger=RunTrigger.SCHEDULE)
    except ValidationError as error:
        logger.warning("subscription %s not scheduled: %s", subscription.pk, error)
        return None


@internal("the reaper restarts runs that made no progress for the stall time, as the platform")
def reap_stalled_runs(now: dt.datetime | None = None) -> list[SyncRun]:
    """Restart every run that has been running without progress for longer than
    ``GOVSHARE_SYNC_STALL_SECONDS``: closed as failed ("stalled"), a restart run queued. A stuck
    worker that wakes up finds its run taken and stops before its next batch."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=stall_seconds())
    stalled = SyncRun.objects.filter(status=RunStatus.RUNNING).filter(
        Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, started__lt=cutoff)
    )
    restarted = []
    for run in stalled.select_related("subscription"):
        message = _("No progress since %(time)s; restarted.") % {
            "time": timezone.localtime(run.heartbeat or run.started or now).strftime("%H:%M:%S")
        }
        new = tasks.restart(run, SyncError.STALLED, message)
        if new is not None:
            restarted.append(new)
    return restarted


def restart_grant_stopped() -> int:
    """Subscriptions stopped by their grant run again once it serves again (resumed, or within
    its validity); returns how many."""
    count = 0
    for subscription in Subscription.objects.filter(state=SubscriptionState.STOPPED).select_related(
        "grant__request"
    ):
        if tasks.grant_serves(subscription):
            count += _resume(subscription)
    return count


@internal("the scheduler resumes a subscription whose grant serves again, as the platform")
def _resume(subscription: Subscription) -> int:
    with transaction.atomic():
        changed = Subscription.objects.filter(
            pk=subscription.pk, state=SubscriptionState.STOPPED
        ).update(state=SubscriptionState.ACTIVE)
        if changed:
            audit.record(
                actor=SYSTEM,
                action="exchange.subscription.state",
                obj=subscription,
                before={"state": SubscriptionState.STOPPED},
                after={"state": SubscriptionState.ACTIVE},
                department_id=subscription.grant.consumer_id,
            )
    return changed
