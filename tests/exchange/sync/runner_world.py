"""A table subscription for the runner's tests: the gateway tests' world (a provider's people
table in a SQLite file, mounted; a consumer with an application), a 库表 grant with the phone
masked, a destination SQLite database of the consumer's, and the subscription between them."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from django.conf import settings

from govshare.exchange.connectors.sql import sources_dir
from govshare.exchange.models import Connection, ConnectionRole, Subscription
from tests.exchange.gateway.factories import SOURCE_FILE, World, build_world, grant

DESTINATION_FILE = "frontend.sqlite3"
TABLE = "people"
GRANTED = {"GMSFHM": "none", "XM": "none", "XBDM": "none", "LXDH": "phone"}


def subscribed(sources: Path, *, rows: int = 0, **fields: Any) -> tuple[World, Subscription]:
    """The world with ``rows`` generated people beyond the three, and an active subscription."""
    world = build_world(sources, source_rows=rows)
    table_grant = grant(world, GRANTED, mode="table")
    destination = Connection.objects.create(
        department=world.consumer,
        name="前置库",
        role=ConnectionRole.DESTINATION,
        engine="sqlite",
        database=DESTINATION_FILE,
    )
    subscription = Subscription.objects.create(
        grant=table_grant, destination=destination, table=TABLE, **fields
    )
    return world, subscription


def destination_rows(table: str = TABLE) -> list[tuple[Any, ...]]:
    path = sources_dir() / DESTINATION_FILE
    with closing(sqlite3.connect(path)) as db:
        return db.execute(
            f"SELECT gmsfhm, xm, xbdm, lxdh FROM {table} ORDER BY gmsfhm"  # noqa: S608
        ).fetchall()


def source_rows() -> list[tuple[Any, ...]]:
    path = Path(settings.GOVSHARE_SOURCES_DIR) / SOURCE_FILE
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT sfzh, xm, xb, lxdh FROM person ORDER BY sfzh").fetchall()


def change_source(sql: str, *params: Any) -> None:
    path = sources_dir() / SOURCE_FILE
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(sql, params)
