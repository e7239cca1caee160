"""Writes of table subscriptions (库表订阅) and destination folders (文件落地目录).

A 库表 grant that becomes active gets its subscription from the platform (``grant_listener``,
registered with sharing's grant listeners in ``ExchangeConfig.ready()``): the destination is the
consumer department's only front-end database (前置库), else the subscription waits for the
consumer to pick one; the table is named after the resource's code. The grant's state rules the
subscription's: suspended, revoked or expired stops it; resumed starts it again.

The consumer's data officer configures it (``subscription_configure``): destination, mode,
watermark column, deletions and schedule, each rule checked at once and named by its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from govshare.catalog.choices import MountKind
from govshare.catalog.models import Resource
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.exchange.files.paths import is_directory_name
from govshare.exchange.files.services import folder_path
from govshare.exchange.models import (
    Connection,
    ConnectionRole,
    DeleteMode,
    DropFolder,
    Subscription,
    SubscriptionState,
    SyncMode,
    TableMount,
)
from govshare.exchange.sync.schedule import CronError, parse_cron
from govshare.orgs.models import Department
from govshare.sharing.choices import DeliveryMode, RequestState
from govshare.sharing.models import Grant

# Destination names are plain identifiers in every engine (PostgreSQL's limit is 63 bytes).
TABLE_NAME_MAX = 63
UNSAFE = re.compile(r"[^a-z0-9_]+")
COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
# Five fields: minute hour day-of-month month day-of-week; each *, n, a-b, lists and /steps.
CONFIG_FIELDS = (
    "destination",
    "mode",
    "watermark_column",
    "delete_mode",
    "soft_delete_column",
    "soft_delete_value",
    "schedule",
)
# Subscriptions the grant's stop reaches (a paused one stays the consumer's choice on resume).
RUNNABLE = frozenset({SubscriptionState.ACTIVE, SubscriptionState.NEEDS_DESTINATION})


# --- the grant listener ---------------------------------------------------------------------


@internal("sharing's grant step, which authorized its party, tells it inside its transaction")
def grant_listener(grant: Grant) -> None:
    """Create, stop or resume the subscription of a 库表 grant as the grant's state moved."""
    if grant.mode != DeliveryMode.TABLE:
        return
    state = grant.request.state
    subscriptions = list(Subscription.objects.filter(grant=grant))
    if state == RequestState.ACTIVE and not subscriptions:
        subscription_for_grant(grant)
        return
    for subscription in subscriptions:
        target = _state_under_grant(subscription, state)
        if target != subscription.state:
            _set_state(subscription, target, reason=f"grant.{state}")


def _state_under_grant(subscription: Subscription, grant_state: str) -> str:
    if grant_state != RequestState.ACTIVE:
        return SubscriptionState.STOPPED
    if subscription.state != SubscriptionState.STOPPED:
        return subscription.state
    return (
        SubscriptionState.ACTIVE
        if subscription.destination_id
        else SubscriptionState.NEEDS_DESTINATION
    )


def _set_state(subscription: Subscription, state: str, *, reason: str) -> None:
    before = subscription.state
    subscription.state = state
    subscription.save(update_fields=["state", "updated"])
    audit.record(
        actor=None,
        action="exchange.subscription.state",
        obj=subscription,
        department_id=subscription.grant.consumer_id,
        before={"state": before},
        after={"state": state, "reason": reason},
    )


@internal("the grant listener, for an active 库表 grant that has no subscription yet")
def subscription_for_grant(grant: Grant) -> Subscription:
    """The platform's subscription of a new 库表 grant (full load first, by default)."""
    destinations = list(destination_databases(grant.consumer_id)[:2])
    destination = destinations[0] if len(destinations) == 1 else None
    subscription = Subscription(
        grant=grant,
        destination=destination,
        table=table_name_for(grant, destination),
        mode=SyncMode.FULL,
        state=SubscriptionState.ACTIVE if destination else SubscriptionState.NEEDS_DESTINATION,
    )
    subscription.save()
    audit.record(
        actor=None,
        action="exchange.subscription.create",
        obj=subscription,
        department_id=grant.consumer_id,
        after=_snapshot(subscription),
    )
    return subscription


@internal("a read of the key items sharing checks a 库表 request and its answer against")
def table_key_items_of(resource: Resource) -> list[str]:
    """The key items of the resource's table mount (empty without one)."""
    config = TableMount.objects.filter(
        mount__resource=resource, mount__kind=MountKind.TABLE
    ).first()
    return list(config.key_items) if config is not None else []


@internal("a read of the consumer's own connections for a service that has authorized")
def destination_databases(department_id: int) -> Any:
    """The department's front-end databases (前置库), never its sources."""
    return Connection.objects.filter(
        department_id=department_id, role=ConnectionRole.DESTINATION
    ).order_by("name")


@internal("naming a table for a subscription the platform or its consumer is saving")
def table_name_for(grant: Grant, destination: Connection | None) -> str:
    """``gs_<resource code>``, lower-case letters, digits and underscores; the grant's number is
    added when the destination holds that table for another subscription already."""
    resource = grant.resource
    base = UNSAFE.sub("_", (resource.code or f"resource_{resource.pk}").lower()).strip("_")
    name = f"gs_{base}"[:TABLE_NAME_MAX]
    taken = Subscription.objects.filter(destination=destination, table=name).exclude(grant=grant)
    if destination is not None and taken.exists():
        suffix = f"_{grant.pk}"
        name = name[: TABLE_NAME_MAX - len(suffix)] + suffix
    return name


# --- configuration --------------------------------------------------------------------------


def subscription_configure(
    *, actor: Actor, subscription: Subscription, data: Mapping[str, Any]
) -> Subscription:
    """The consumer's data officer sets destination, mode, watermark column, deletions and
    schedule. A watermark column makes a full-load subscription incremental."""
    require(actor, "change", subscription)
    before = _snapshot(subscription)
    _apply(subscription, data)
    _validate(subscription)
    with transaction.atomic():
        if subscription.state == SubscriptionState.NEEDS_DESTINATION and subscription.destination:
            subscription.state = SubscriptionState.ACTIVE
        elif subscription.state == SubscriptionState.ACTIVE and not subscription.destination:
            subscription.state = SubscriptionState.NEEDS_DESTINATION
        subscription.save()
        audit.record(
            actor=actor,
            action="exchange.subscription.configure",
            obj=subscription,
            department_id=subscription.grant.consumer_id,
            before=before,
            after=_snapshot(subscription),
        )
    return subscription


def _apply(subscription: Subscription, data: Mapping[str, Any]) -> None:
    for name in CONFIG_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "destination":
            subscription.destination = value
        else:
            setattr(subscription, name, value.strip() if isinstance(value, str) else value)
    if subscription.watermark_column and subscription.mode == SyncMode.FULL:
        subscription.mode = SyncMode.WATERMARK
    if subscription.delete_mode != DeleteMode.SOFT_FLAG:
        subscription.soft_delete_column = subscription.soft_delete_value = ""
    if subscription.destination_id and not subscription.table:
        subscription.table = table_name_for(subscription.grant, subscription.destination)


def _validate(subscription: Subscription) -> None:
    errors = ErrorCollector()
    _check_destination(subscription, errors)
    if subscription.mode not in SyncMode.values:
        errors.add("mode", _("Choose a sync mode from the list."), ErrorCode.INVALID)
    if subscription.delete_mode not in DeleteMode.values:
        errors.add(
            "delete_mode", _("Choose how deletions arrive from the list."), ErrorCode.INVALID
        )
    watermark = subscription.watermark_column
    if subscription.mode == SyncMode.WATERMARK and not watermark:
        errors.add(
            "watermark_column",
            _(
                "Incremental sync by watermark needs the column holding an update time or an "
                "increasing id."
            ),
            ErrorCode.REQUIRED,
        )
    if watermark and not COLUMN_NAME.match(watermark):
        errors.add("watermark_column", _("Not a column name."), ErrorCode.INVALID)
    if subscription.delete_mode == DeleteMode.SOFT_FLAG:
        column = subscription.soft_delete_column
        if not column:
            errors.add(
                "soft_delete_column",
                _("Name the source column that marks a deleted row."),
                ErrorCode.REQUIRED,
            )
        elif not COLUMN_NAME.match(column):
            errors.add("soft_delete_column", _("Not a column name."), ErrorCode.INVALID)
        if not subscription.soft_delete_value:
            errors.add(
                "soft_delete_value",
                _("Give the value that means the row is deleted."),
                ErrorCode.REQUIRED,
            )
    if subscription.schedule.strip():  # empty: the resource's update cycle decides
        try:
            parse_cron(subscription.schedule)
        except CronError as error:
            errors.add("schedule", str(error), ErrorCode.INVALID)
    errors.raise_if_any()


def _check_destination(subscription: Subscription, errors: ErrorCollector) -> None:
    destination = subscription.destination
    if destination is None:
        return
    if destination.role != ConnectionRole.DESTINATION:
        errors.add(
            "destination",
            _("Choose a front-end database, not a data source."),
            ErrorCode.INVALID,
        )
    elif destination.department_id != subscription.grant.consumer_id:
        errors.add(
            "destination",
            _("Choose a front-end database of the consumer department."),
            ErrorCode.INVALID,
        )
    else:
        taken = Subscription.objects.filter(destination=destination, table=subscription.table)
        if taken.exclude(pk=subscription.pk).exists():
            errors.add(
                "destination",
                _("Another subscription writes the table %(table)s of this database.")
                % {"table": subscription.table},
                ErrorCode.DUPLICATE,
            )


def _snapshot(subscription: Subscription) -> dict[str, Any]:
    return audit.snapshot(
        subscription, exclude=["watermark", "last_reconciliation", "last_consistent", "next_run"]
    )


# --- destination folders ----------------------------------------------------------------------


def drop_folder_create(
    *, actor: Actor, department: Department, data: Mapping[str, Any]
) -> DropFolder:
    """A destination folder of a consumer department: a name and a directory name under the
    node's destinations directory (created here; never an arbitrary path)."""
    folder = DropFolder(department=department)
    require(actor, "add", folder)
    folder.name = str(data.get("name") or "").strip()
    folder.directory = str(data.get("directory") or "").strip()
    _validate_folder(folder)
    with transaction.atomic():
        folder.save()
        audit.record(
            actor=actor,
            action="exchange.folder.create",
            obj=folder,
            department_id=department.pk,
            after=audit.snapshot(folder),
        )
    folder_path(folder).mkdir(parents=True, exist_ok=True)
    return folder


def _validate_folder(folder: DropFolder) -> None:
    errors = ErrorCollector()
    if not folder.name:
        errors.add("name", _("Name the folder."), ErrorCode.REQUIRED)
    elif DropFolder.objects.filter(department=folder.department, name=folder.name).exists():
        errors.add(
            "name", _("This department already has a folder of this name."), ErrorCode.DUPLICATE
        )
    if not folder.directory:
        errors.add("directory", _("Name the directory."), ErrorCode.REQUIRED)
    elif not is_directory_name(folder.directory):
        errors.add(
            "directory",
            _("A directory name: letters, digits, “_”, “-” and “.”, no slashes."),
            ErrorCode.INVALID,
        )
    elif DropFolder.objects.filter(directory=folder.directory).exists():
        errors.add(
            "directory", _("Another folder uses this directory already."), ErrorCode.DUPLICATE
        )
    errors.raise_if_any()
