"""Models of the exchange: connectors behind mount slots, bulk exchange and the delivery log."""

from govshare.exchange.models.bulk import (
    DeleteMode,
    DropFolder,
    FilePackage,
    PackageFormat,
    PackageStatus,
    RunKind,
    RunStatus,
    RunTrigger,
    Subscription,
    SubscriptionState,
    SyncMode,
    SyncRun,
)
from govshare.exchange.models.deliveries import CHAINED_FIELDS, CallMode, DeliveryRecord
from govshare.exchange.models.mounts import (
    ApiMount,
    Connection,
    ConnectionRole,
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
    "ConnectionRole",
    "DeleteMode",
    "DeliveryRecord",
    "DropFolder",
    "Engine",
    "FilePackage",
    "FileSet",
    "HttpMethod",
    "PackageFormat",
    "PackageStatus",
    "RunKind",
    "RunStatus",
    "RunTrigger",
    "Subscription",
    "SubscriptionState",
    "SyncMode",
    "SyncRun",
    "TableMount",
]
