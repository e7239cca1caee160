"""Reads of the bulk exchange's pages and API (批量交换): what a user sees of subscriptions, runs
and packages, a run's live progress (rows, bytes, rate, ETA), and the columns a subscription
delivers. Every queryset starts from ``restrict(user, "view")`` (exchange/permissions.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from govshare.catalog.choices import Masking, MountKind, MountStatus
from govshare.catalog.models import Mount
from govshare.core.actors import Actor
from govshare.core.roles import Role
from govshare.exchange.models import (
    FilePackage,
    PackageFormat,
    RunStatus,
    Subscription,
    SyncRun,
)
from govshare.exchange.sync.spec import Column, SpecError, spec_for
from govshare.orgs.roles import principal_of
from govshare.sharing.models import Grant

SIDES = ("consumer", "provider")
LIVE_STATUSES = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})
# Formats a package of a table export takes; a file set gives its files as they are.
EXPORT_FORMATS = [PackageFormat.CSV, PackageFormat.XLSX, PackageFormat.JSON, PackageFormat.PARQUET]


def subscriptions(user: Actor, side: str | None = None) -> QuerySet[Subscription]:
    """Subscriptions ``user`` may see; ``side`` narrows to those its departments consume
    (``consumer``) or provide (``provider``)."""
    rows = Subscription.objects.restrict(user, "view").select_related(
        "grant__request", "grant__resource", "grant__consumer", "grant__provider", "destination"
    )
    if side in SIDES:
        mine = principal_of(user).departments(Role.DATA_OFFICER, Role.STAFF)
        rows = rows.filter(Q(**{f"grant__{side}__in": mine}))
    return rows.order_by("-created", "-pk")


def runs(user: Actor, subscription_id: int | None = None) -> QuerySet[SyncRun]:
    rows = SyncRun.objects.restrict(user, "view").select_related("subscription")
    if subscription_id is not None:
        rows = rows.filter(subscription_id=subscription_id)
    return rows.order_by("-queued", "-pk")


def packages(user: Actor, grant_id: int | None = None) -> QuerySet[FilePackage]:
    rows = FilePackage.objects.restrict(user, "view").select_related("grant__request", "folder")
    if grant_id is not None:
        rows = rows.filter(grant_id=grant_id)
    return rows.order_by("-created", "-pk")


def package_formats(grant: Grant) -> list[str]:
    """The formats a package of ``grant`` may take: an export of a mounted table, the files of
    a mounted file set, or both."""
    kinds = set(
        Mount.objects.filter(resource_id=grant.resource_id, status=MountStatus.MOUNTED).values_list(
            "kind", flat=True
        )
    )
    formats: list[str] = []
    if MountKind.FILES in kinds:
        formats.append(PackageFormat.FILES)
    if MountKind.TABLE in kinds:
        formats += EXPORT_FORMATS
    return formats


@dataclass(frozen=True)
class Delivered:
    """The columns a subscription delivers, or why it cannot run as configured."""

    columns: tuple[Column, ...]
    problem: str = ""

    def rows(self) -> list[tuple[Column, str]]:
        """Each column with its masking's label ("" when unmasked)."""
        return [
            (column, "" if column.masking == Masking.NONE else str(Masking(column.masking).label))
            for column in self.columns
        ]


def delivered_columns(subscription: Subscription) -> Delivered:
    try:
        return Delivered(spec_for(subscription).columns)
    except SpecError as error:
        return Delivered((), str(error))


@dataclass(frozen=True)
class RunProgress:
    """A run's progress as the page's bar and the API show it."""

    status: str
    is_live: bool
    rows_read: int
    rows_total: int | None
    bytes: int
    batches: int
    elapsed_seconds: float
    rows_per_second: float
    bytes_per_second: float
    eta_seconds: float | None
    percent: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_progress(run: SyncRun, now: dt.datetime | None = None) -> RunProgress:
    """Rate over the time the run has been going; the ETA from the rows still expected."""
    now = now or timezone.now()
    end = run.finished or now
    elapsed = max((end - run.started).total_seconds(), 0.0) if run.started else 0.0
    rate = run.rows_read / elapsed if elapsed > 0 else 0.0
    byte_rate = run.bytes / elapsed if elapsed > 0 else 0.0
    total = run.rows_total
    is_live = run.status in LIVE_STATUSES
    percent: float | None = None
    if run.status == RunStatus.SUCCEEDED:
        percent = 100.0
    elif total:
        percent = min(100.0, round(run.rows_read * 100 / total, 1))
    eta = None
    if is_live and total and rate > 0:
        eta = max(total - run.rows_read, 0) / rate
    return RunProgress(
        status=run.status,
        is_live=is_live,
        rows_read=run.rows_read,
        rows_total=total,
        bytes=run.bytes,
        batches=run.batches,
        elapsed_seconds=round(elapsed, 1),
        rows_per_second=round(rate, 1),
        bytes_per_second=round(byte_rate, 1),
        eta_seconds=round(eta, 1) if eta is not None else None,
        percent=percent,
    )


def duration_seconds(run: SyncRun) -> float | None:
    if run.started is None or run.finished is None:
        return None
    return round((run.finished - run.started).total_seconds(), 1)
