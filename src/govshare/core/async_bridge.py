"""Synchronous database code run on an event loop (同步代码接入事件循环), without threads.

The gateway waits for PostgreSQL on its event loop (a worker thread per wait made the thread and
the loop take turns at the interpreter lock on every call). Rather than keep an asynchronous
twin of each piece of database code, the code stays synchronous and runs inside
``greenlet_spawn``, SQLAlchemy's bridge: where it would block, ``await_only`` suspends it and the
loop serves other calls until the database answers. ``BridgedConnection`` gives a psycopg
``AsyncConnection`` the DB-API calls such code makes (cursor, execute, fetch, COPY).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy.util import await_only, greenlet_spawn
from sqlalchemy.util.concurrency import in_greenlet

__all__ = ["BridgedConnection", "await_only", "greenlet_spawn", "in_greenlet"]


class BridgedConnection:
    """A psycopg AsyncConnection used through synchronous calls, inside ``greenlet_spawn``."""

    def __init__(self, connection: psycopg.AsyncConnection[Any]) -> None:
        self.connection = connection

    def cursor(self) -> BridgedCursor:
        return BridgedCursor(self.connection.cursor())

    def close(self) -> None:
        await_only(self.connection.close())


class BridgedCursor:
    def __init__(self, cursor: psycopg.AsyncCursor[Any]) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        await_only(self.cursor.execute(sql, params))

    def fetchone(self) -> Any:
        return await_only(self.cursor.fetchone())

    def close(self) -> None:
        await_only(self.cursor.close())

    @contextmanager
    def copy(self, sql: str) -> Iterator[BridgedCopy]:
        manager = self.cursor.copy(sql)
        copy = await_only(manager.__aenter__())
        try:
            yield BridgedCopy(copy)
        except BaseException as error:
            await_only(manager.__aexit__(type(error), error, error.__traceback__))
            raise
        await_only(manager.__aexit__(None, None, None))


class BridgedCopy:
    def __init__(self, copy: psycopg.AsyncCopy) -> None:
        self.copy = copy

    def write_row(self, row: Sequence[Any]) -> None:
        await_only(self.copy.write_row(row))
