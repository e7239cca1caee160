"""Helpers of the delivery log tests: hand-made delivery records appended to the chain."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from govshare.core.evidence.chain import append_records
from govshare.exchange.models import DeliveryRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A time of ``day`` (YYYY-MM-DD) in the node's time zone."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=SHANGHAI)


def delivery(consumer: Any, provider: Any, **fields: Any) -> DeliveryRecord:
    """An unsaved record of a query call by ``consumer`` on ``provider``'s data."""
    values: dict[str, Any] = {
        "created": at("2026-05-04"),
        "request_id": uuid.uuid4().hex,
        "application_id": 1,
        "application_name": f"{consumer.name}业务系统",
        "consumer_id": consumer.pk,
        "consumer_name": consumer.name,
        "provider_id": provider.pk,
        "resource_id": 100 + provider.pk,
        "resource_name": f"{provider.name}数据",
        "grant_id": None,
        "share_request_number": "SQ20260504001",
        "purpose": "administrative_basis",
        "app_key": "k" * 16,
        "mode": "query",
        "items": ["GMSFHM", "XM"],
        "masked": ["XM"],
        "row_count": 1,
        "status": 200,
        "latency_ms": 3.5,
        "body_digest": "a" * 64,
        "client_ip": "10.0.0.8",
    }
    values.update(fields)
    return DeliveryRecord(**values)


def log(*records: DeliveryRecord) -> list[DeliveryRecord]:
    return append_records(DeliveryRecord, records)
