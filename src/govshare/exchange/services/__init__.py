"""Writes of the exchange; import from here."""

from govshare.exchange.services.mounts import (
    CONNECTION_FIELDS,
    CheckResult,
    api_mount_set,
    connection_create,
    connection_test,
    connection_update,
    fileset_list,
    fileset_set,
    mount_slot,
    mount_test,
    mountable_items,
    table_mount_set,
)

__all__ = [
    "CONNECTION_FIELDS",
    "CheckResult",
    "api_mount_set",
    "connection_create",
    "connection_test",
    "connection_update",
    "fileset_list",
    "fileset_set",
    "mount_slot",
    "mount_test",
    "mountable_items",
    "table_mount_set",
]
