"""Models of the exchange: connectors behind mount slots and the delivery log."""

from govshare.exchange.models.deliveries import CHAINED_FIELDS, CallMode, DeliveryRecord
from govshare.exchange.models.mounts import (
    ApiMount,
    Connection,
    Engine,
    FileSet,
    HttpMethod,
    TableMount,
)

__all__ = [
    "CHAINED_FIELDS",
    "ApiMount",
    "CallMode",
    "Connection",
    "DeliveryRecord",
    "Engine",
    "FileSet",
    "HttpMethod",
    "TableMount",
]
