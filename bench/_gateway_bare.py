"""The baseline of bench/gateway.py: a bare Starlette endpoint doing the gateway's indexed lookup
on the same source table with SQLAlchemy, and nothing else (no token, grant, masking or log)."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

URL = os.environ["GOVSHARE_BENCH_SOURCE_URL"]
engine = sa.create_engine(URL, pool_size=8, max_overflow=8)
# Executed as the gateway executes it: inline for a local SQLite file, else in a worker thread.
INLINE = URL.startswith("sqlite")
LOOKUP = sa.text("SELECT sfzh, xm, xb FROM person WHERE sfzh = :key ORDER BY id LIMIT 10")


def lookup(key: str) -> list[dict[str, Any]]:
    with engine.connect() as db:
        rows = db.execute(LOOKUP, {"key": key}).mappings().all()
    return [{"GMSFHM": r["sfzh"], "XM": r["xm"], "XBDM": r["xb"]} for r in rows]


async def query(request: Request) -> JSONResponse:
    key = request.query_params.get("GMSFHM", "")
    rows = lookup(key) if INLINE else await run_in_threadpool(lookup, key)
    return JSONResponse({"rows": rows})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/bare/query", query), Route("/bare/health", health)])
