"""Writes of the catalog; import from here."""

from govshare.catalog.services.codes import allocate_code, code_prefix
from govshare.catalog.services.resources import (
    ITEM_FIELDS,
    VERSION_FIELDS,
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
    snapshot_version,
    version_update,
)

__all__ = [
    "ITEM_FIELDS",
    "VERSION_FIELDS",
    "allocate_code",
    "code_prefix",
    "resource_create",
    "resource_review",
    "resource_start_change",
    "resource_submit",
    "resource_withdraw",
    "snapshot_version",
    "version_update",
]
