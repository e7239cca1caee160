"""A read that runs beside the caller's own, on a database connection of its own.

A request that needs two independent reads of the same rows (the catalog search: its ranked page
and its facet counts) can have both at once on two cores, since both database drivers let go of
the GIL while a statement runs: the caller sends one read here and makes the other itself.

Only when that cannot change an answer and cannot hurt:
- the caller is not inside a transaction: its own uncommitted writes, or the snapshot it reads,
  would not be those of a second connection;
- the database is not SQLite in memory, where a second connection is another database (or, in
  shared-cache mode, fails at once on a table another connection writes);
- the one reading thread of this process is free: a read never waits behind another request's,
  the caller then makes it itself (``submit`` returns None);
- ``GOVSHARE_QUERIES_ALONGSIDE`` is on (by default with more than one core).

The thread keeps its connection between reads, closed as Django closes a request's connection
(``CONN_MAX_AGE``, health checks) before each read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

T = TypeVar("T")

_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govshare-alongside")
_free = threading.Lock()  # held while a read is queued or running


def available() -> bool:
    """Whether a read may run beside this thread's (the rules above, but the free thread)."""
    if not settings.GOVSHARE_QUERIES_ALONGSIDE or connection.in_atomic_block:
        return False
    if connection.vendor != "sqlite":
        return True
    return not cast(SQLiteWrapper, connection).is_in_memory_db()


def submit(read: Callable[..., T], *args: Any) -> Future[T] | None:
    """``read(*args)`` on the reading thread's connection, or None when it is busy (or a read
    may not run beside this thread's: ``available``)."""
    if not available() or not _free.acquire(blocking=False):
        return None
    try:
        return _reader.submit(_on_own_connection, read, args)
    except BaseException:
        _free.release()
        raise


def _on_own_connection(read: Callable[..., T], args: tuple[Any, ...]) -> T:
    try:
        connection.close_if_unusable_or_obsolete()
        return read(*args)
    finally:
        _free.release()


def close() -> None:
    """Close the reading thread's connection (tests, before their database is emptied)."""
    with _free:
        _reader.submit(_close_own_connection).result()


def _close_own_connection() -> None:
    connection.close()  # the reading thread's own: ``connection`` is per thread
