"""What a table subscription reads and writes (订阅规格), fixed from its grant and mount.

Only granted items are read, each masked as the grant says; the mount's fixed row filter and the
grant's row filter both apply; the resource's key items (the mount's lookup keys) are the
destination's primary key, so they must be granted unmasked — a masked key could not identify a
row for an upsert, and two people's masked ID numbers may be equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from govshare.catalog.choices import Masking, MountKind
from govshare.exchange.connectors.base import NotConfigured
from govshare.exchange.models import Connection, DeleteMode, Subscription, TableMount
from govshare.sharing.models import Grant, GrantItem

# Destination column names are the item identifiers, lower-cased (portable across engines).


@dataclass(frozen=True)
class Column:
    """One delivered column: the granted item, where it comes from and how it is masked."""

    item: str  # data item identifier (数据项标识符)
    source: str  # column in the provider's table
    target: str  # column in the destination table
    masking: str = Masking.NONE
    data_type: str = ""  # catalog DataType code of the item (C, N, D, T, B …)
    length: int | None = None
    is_key: bool = False


@dataclass(frozen=True)
class SyncSpec:
    """Everything a run needs, read once from the database before the run starts."""

    subscription_id: int
    source: Connection
    source_table: str
    destination: Connection | None
    destination_table: str
    columns: tuple[Column, ...]  # key columns first, then the other granted items in order
    # {source column: [allowed values]}: the mount's fixed filter and the grant's, together.
    row_filter: dict[str, list[Any]] = field(default_factory=dict)
    watermark_column: str = ""  # source column, or "" when not incremental by watermark
    soft_delete_column: str = ""
    soft_delete_value: str = ""
    # Delete destination rows whose key the source no longer has (DeleteMode.RECONCILE).
    delete_missing: bool = False
    batch_bytes: int = 8 * 1024 * 1024  # a batch is about this long (Subscription.batch_bytes)

    @property
    def key(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.is_key)

    @property
    def masked(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.masking != Masking.NONE)


class SpecError(NotConfigured):
    """The subscription cannot be run as configured; the message says what to change."""


def table_mount_of(subscription: Subscription) -> TableMount:
    return grant_table_mount(subscription.grant)


def grant_table_mount(grant: Grant) -> TableMount:
    """The table the grant's resource is served from; SpecError when it has none."""
    mount = grant.resource.mounts.filter(kind=MountKind.TABLE).first()
    config = getattr(mount, "table_config", None) if mount is not None else None
    if config is None:
        raise SpecError(_("The resource has no mounted database table to sync from."))
    return config


def spec_for(subscription: Subscription) -> SyncSpec:
    """The subscription's spec; ``SpecError`` names what is missing or not allowed."""
    grant = subscription.grant
    config = table_mount_of(subscription)
    granted = {item.identifier: item for item in grant.items.all()}
    data_items = {item.identifier: item for item in grant.request.resource_version.items.all()}
    keys = list(config.key_items)
    if not keys:
        raise SpecError(_("The mounted table names no key item, so rows cannot be matched."))
    for key in keys:
        item = granted.get(key)
        if item is None:
            raise SpecError(
                _("Table exchange needs the key item %(item)s granted.") % {"item": key}
            )
        if item.masking != Masking.NONE:
            raise SpecError(
                _("Table exchange needs the key item %(item)s granted without masking.")
                % {"item": key}
            )
    order = [*keys, *(i for i in granted if i not in keys)]
    columns = _columns(config, granted, data_items, order, keys)
    return SyncSpec(
        subscription_id=subscription.pk,
        source=config.connection,
        source_table=config.table,
        destination=subscription.destination,
        destination_table=subscription.table,
        columns=tuple(columns),
        row_filter=_row_filter(config, grant.row_filter),
        watermark_column=subscription.watermark_column,
        soft_delete_column=subscription.soft_delete_column,
        soft_delete_value=subscription.soft_delete_value,
        delete_missing=subscription.delete_mode == DeleteMode.RECONCILE,
        batch_bytes=subscription.batch_bytes,
    )


def _row_filter(config: TableMount, grant_filter: dict[str, Any]) -> dict[str, list[Any]]:
    """The mount's fixed filter ({column: value}) and the grant's ({item: [values]}) as
    {column: allowed values}; where both restrict a column, only values in both are allowed."""
    combined: dict[str, list[Any]] = {
        column: _as_list(value) for column, value in (config.row_filter or {}).items()
    }
    for item, values in (grant_filter or {}).items():
        column = config.columns.get(item)
        if not column:
            raise SpecError(
                _("The grant's row filter names the item %(item)s, which has no column.")
                % {"item": item}
            )
        allowed = _as_list(values)
        if column in combined:
            allowed = [v for v in combined[column] if str(v) in {str(a) for a in allowed}]
        combined[column] = allowed
    return combined


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]


def spec_for_grant(grant: Grant) -> SyncSpec:
    """The source side of a 文件 grant's table export (文件交换): the granted items, key items
    first where granted, each masked as granted, the combined row filter; no destination and no
    subscription (id 0). Unlike a subscription, an export needs no key: rows are written out,
    never matched, so a masked or missing key is no obstacle."""
    config = grant_table_mount(grant)
    granted = {item.identifier: item for item in grant.items.all()}
    data_items = {item.identifier: item for item in grant.request.resource_version.items.all()}
    keys = [key for key in config.key_items if key in granted]
    order = [*keys, *(i for i in granted if i not in keys)]
    return SyncSpec(
        subscription_id=0,
        source=config.connection,
        source_table=config.table,
        destination=None,
        destination_table="",
        columns=tuple(_columns(config, granted, data_items, order, keys)),
        row_filter=_row_filter(config, grant.row_filter),
    )


def _columns(
    config: TableMount,
    granted: dict[str, GrantItem],
    data_items: dict[str, Any],
    order: list[str],
    keys: list[str],
) -> list[Column]:
    columns = []
    for identifier in order:
        source = config.columns.get(identifier)
        if not source:
            raise SpecError(
                _("The granted item %(item)s is not mapped to a column of the table.")
                % {"item": identifier}
            )
        data_item = data_items.get(identifier)
        columns.append(
            Column(
                item=identifier,
                source=source,
                target=identifier.lower(),
                masking=granted[identifier].masking,
                data_type=data_item.data_type if data_item else "",
                length=data_item.length if data_item else None,
                is_key=identifier in keys,
            )
        )
    return columns
