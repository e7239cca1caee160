"""Shared helpers of the bulk-exchange page, API and service tests: a resource served from a real
SQLite table of 公安局 (dept_a), a 库表 grant of it to 人社局 (dept_b) with the name masked, and
front-end databases of the consumer."""

from __future__ import annotations

from govshare.exchange.models import Connection, ConnectionRole
from govshare.exchange.services import table_mount_set
from govshare.sharing.services.requests import (
    ItemAnswer,
    conformity_review,
    provider_decide,
    request_submit,
)
from tests.exchange.conftest import COLUMNS
from tests.sharing.factories import draft_request, published_resource


def mounted_resource(officer, reviewer, provider, source, **data):
    """A published resource whose table mount reads ``source`` (key item GMSFHM)."""
    resource = published_resource(officer, reviewer, provider, **data)
    table_mount_set(
        actor=officer,
        resource=resource,
        data={
            "connection": source.connection,
            "table": source.table,
            "key_items": ["GMSFHM"],
            "columns": COLUMNS,
        },
    )
    return resource


def table_grant(consumer_officer, consumer, provider_officer, reviewer, resource, mode="table"):
    """A granted request in ``mode``: GMSFHM unmasked (the key), XM masked as a name."""
    share_request = draft_request(
        consumer_officer, consumer, resource, items=("GMSFHM", "XM", "XBDM"), mode=mode
    )
    request_submit(actor=consumer_officer, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    provider_decide(
        actor=provider_officer,
        share_request=share_request,
        answers={
            "GMSFHM": ItemAnswer(grant=True, masking="none"),
            "XM": ItemAnswer(grant=True, masking="name"),
        },
    )
    share_request.refresh_from_db()
    return share_request.grant


def destination(department, name="前置库", database="front.db"):
    """A front-end database (前置库) of ``department``: a SQLite file in the sources dir."""
    return Connection.objects.create(
        department=department,
        name=name,
        role=ConnectionRole.DESTINATION,
        engine="sqlite",
        database=database,
    )
