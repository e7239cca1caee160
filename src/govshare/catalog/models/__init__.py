"""Models of the catalog, split by topic."""

from govshare.catalog.models.registry import Category, CodeCounter, DataElement
from govshare.catalog.models.resources import (
    DataItem,
    Mount,
    Resource,
    ResourceEvent,
    ResourceVersion,
)

__all__ = [
    "Category",
    "CodeCounter",
    "DataElement",
    "DataItem",
    "Mount",
    "Resource",
    "ResourceEvent",
    "ResourceVersion",
]
