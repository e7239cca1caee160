"""Writes of the inventory, split by topic; import from here."""

from govshare.inventory.services.systems import (
    SYSTEM_FIELDS,
    census_is_confirmed,
    census_review,
    census_submit,
    system_create,
    system_set_lifecycle,
    system_update,
    validate_system,
)
from govshare.inventory.services.zombies import (
    cleanup_decide,
    shadow_record,
    shadow_resolve,
    zombie_assess,
)

__all__ = [
    "SYSTEM_FIELDS",
    "census_is_confirmed",
    "census_review",
    "census_submit",
    "cleanup_decide",
    "shadow_record",
    "shadow_resolve",
    "system_create",
    "system_set_lifecycle",
    "system_update",
    "validate_system",
    "zombie_assess",
]
