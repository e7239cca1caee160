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
from govshare.exchange.services.subscriptions import (
    destination_databases,
    drop_folder_create,
    subscription_configure,
)

__all__ = [
    "CONNECTION_FIELDS",
    "CheckResult",
    "api_mount_set",
    "connection_create",
    "connection_test",
    "connection_update",
    "destination_databases",
    "drop_folder_create",
    "fileset_list",
    "fileset_set",
    "mount_slot",
    "mount_test",
    "mountable_items",
    "subscription_configure",
    "table_mount_set",
]
