"""The baselines of bench/gateway.py: bare Starlette endpoints doing the gateway's indexed lookup
on the same source table, and nothing else (no token, grant, masking or log).

- ``/bare/query``: the lookup as a plain service would write it, with SQLAlchemy Core (a
  connection from the pool per call, a text statement) — the baseline the issue names;
- ``/bare/connector``: the lookup through the gateway's own table connector, run as the gateway
  runs it (inline for SQLite, on the loop for PostgreSQL), so the difference to the gateway is
  its governance alone.
"""

from __future__ import annotations

import os
from typing import Any

import django
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

django.setup()

from govshare.exchange.connectors.pg_async import greenlet_spawn  # noqa: E402
from govshare.exchange.connectors.sql import SqlConnector, reflect_table  # noqa: E402

URL = os.environ["GOVSHARE_BENCH_SOURCE_URL"]
engine = sa.create_engine(URL, pool_size=8, max_overflow=8)
# Executed as the gateway executes it: inline for a local SQLite file, else in a worker thread.
INLINE = URL.startswith("sqlite")
LOOKUP = sa.text("SELECT sfzh, xm, xb FROM person WHERE sfzh = :key ORDER BY id LIMIT 10")
ITEMS = ["GMSFHM", "XM", "XBDM"]
# The connector's engine as the gateway builds it (autocommit on a network database).
connector_engine = sa.create_engine(
    URL, pool_size=8, max_overflow=8, **({} if INLINE else {"isolation_level": "AUTOCOMMIT"})
)
connector = SqlConnector(
    connector_engine,
    reflect_table(connector_engine, "person"),
    columns={"GMSFHM": "sfzh", "XM": "xm", "XBDM": "xb"},
    key_items=["GMSFHM"],
    fixed_filter={},
)


def lookup(key: str) -> list[dict[str, Any]]:
    with engine.connect() as db:
        rows = db.execute(LOOKUP, {"key": key}).mappings().all()
    return [{"GMSFHM": r["sfzh"], "XM": r["xm"], "XBDM": r["xb"]} for r in rows]


def connector_lookup(key: str) -> list[dict[str, Any]]:
    return connector.query({"GMSFHM": [key]}, ITEMS, {}, 10, 0)


async def query(request: Request) -> JSONResponse:
    key = request.query_params.get("GMSFHM", "")
    rows = lookup(key) if INLINE else await run_in_threadpool(lookup, key)
    return JSONResponse({"rows": rows})


async def query_connector(request: Request) -> JSONResponse:
    key = request.query_params.get("GMSFHM", "")
    if INLINE:
        rows = connector_lookup(key)
    elif connector.serves_from_loop:  # as the gateway runs it: PostgreSQL on the loop
        rows = await greenlet_spawn(connector_lookup, key)
    else:
        rows = await run_in_threadpool(connector_lookup, key)
    return JSONResponse({"rows": rows})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/bare/query", query),
        Route("/bare/connector", query_connector),
        Route("/bare/health", health),
    ]
)
