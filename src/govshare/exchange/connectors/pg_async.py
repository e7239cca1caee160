"""Lookups on a PostgreSQL source from the gateway's event loop (异步查询), without threads.

A lookup handed to a worker thread made the thread and the event loop take turns at the
interpreter lock, call after call; with psycopg's asynchronous connections the loop itself waits
for PostgreSQL. The table connector runs unchanged: the gateway calls it inside
``greenlet_spawn`` (SQLAlchemy's bridge from synchronous code to the loop), and the connector's
fetch awaits this pool there (``await_only``). Elsewhere — tests, checks, a worker thread — the
connector reads through its SQLAlchemy pool as before.

Each pool belongs to one event loop; its connections are in autocommit (one statement a lookup)
and carry the same connect and statement timeouts as the synchronous engine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import psycopg

from govshare.core.async_bridge import await_only, greenlet_spawn, in_greenlet

__all__ = ["AsyncPool", "await_only", "greenlet_spawn", "in_greenlet"]


class AsyncPool:
    """Up to ``size`` asynchronous connections to one PostgreSQL database, for one loop."""

    def __init__(self, connect_kwargs: dict[str, Any], size: int) -> None:
        self.connect_kwargs = {**connect_kwargs, "autocommit": True}
        self.size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(size)
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._retired = False

    async def fetch(
        self, sql: str, params: list[Any], describe: Callable[[Any], Any]
    ) -> tuple[list[Any], Any]:
        """Rows of ``sql`` and ``describe(cursor.description)``; psycopg errors propagate
        (the connection that raised one is closed, not reused)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a pool serves the loop it is used on
            self._loop, self._slots, self._idle = loop, asyncio.Semaphore(self.size), []
        async with self._slots:
            if self._idle:
                connection = self._idle.pop()
            else:
                connection = await psycopg.AsyncConnection.connect(**self.connect_kwargs)
            try:
                cursor = connection.cursor()
                await cursor.execute(sql, params)
                described = describe(cursor.description)
                rows = await cursor.fetchall()
            except BaseException:
                await _close(connection)
                raise
            if self._retired:
                await _close(connection)
            else:
                self._idle.append(connection)
        return list(rows), described

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await _close(connection)

    def retire(self) -> None:
        """From any thread: close the pool's connections on their loop, now for the idle ones,
        after their lookup for those in use (the connector is being replaced or dropped)."""
        self._retired = True
        loop = self._loop
        if loop is not None and not loop.is_closed():
            asyncio.run_coroutine_threadsafe(self.close(), loop)


async def _close(connection: psycopg.AsyncConnection[Any]) -> None:
    try:
        await connection.close()
    except Exception:  # closing a broken connection: nothing more to do
        pass
