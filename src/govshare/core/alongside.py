"""A read that runs beside the caller's own, on a database connection of its own.

A request that needs two independent reads of the same rows (the catalog search: its ranked page
and its facet counts) can have both at once on two cores, since both database drivers let go of
the GIL while a statement runs: the caller sends one read here and makes the other itself.

Only when a second connection sees what the caller's own sees:
- the caller is in autocommit and not inside a transaction: its own uncommitted writes, or the
  snapshot it reads, would not be those of a second connection;
- the database is not SQLite in memory, where a second connection is another database (or, in
  shared-cache mode, fails at once on a table another connection writes);
- the one reading thread of this process is free: a read never waits behind another request's,
  the caller then makes it itself (``submit`` returns None);
- ``GOVSHARE_QUERIES_ALONGSIDE`` is on (by default with more than one core).

The two reads are two statements: a write committed between them may show in one and not in
the other, as between any two statements of a request in autocommit. A read that fails on the
second connection (refused, dropped) is made again by the caller on its own: the second
connection only ever makes a request faster.

The reading thread keeps its connection between reads, one more per process than its request
threads hold; before each read it is closed and opened again if unusable or older than
``CONN_MAX_AGE``, as Django does for a request's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

T = TypeVar("T")
logger = logging.getLogger(__name__)

_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="govshare-alongside")
_free = threading.Lock()  # held while a read is queued or running
CLOSE_WAIT_SECONDS = 30


def available() -> bool:
    """Whether a read may run beside this thread's (the rules above, but the free thread)."""
    if not settings.GOVSHARE_QUERIES_ALONGSIDE or connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite" and cast(SQLiteWrapper, connection).is_in_memory_db():
        return False
    return connection.get_autocommit()


class Pending(Generic[T]):
    """A read running alongside; ``result()`` waits for it, or makes it here if it failed on
    the second connection."""

    def __init__(self, future: Future[T], read: Callable[..., T], args: tuple[Any, ...]) -> None:
        self._future, self._read, self._args = future, read, args

    def result(self) -> T:
        try:
            return self._future.result()
        except DatabaseError as error:
            logger.warning("a read alongside failed (%s); made by the request itself", error)
            return self._read(*self._args)


def submit(read: Callable[..., T], *args: Any) -> Pending[T] | None:
    """``read(*args)`` on the reading thread's connection, or None when it is busy, shut down,
    or a read may not run beside this thread's (``available``)."""
    if not available() or not _free.acquire(blocking=False):
        return None
    try:
        future = _reader.submit(_on_own_connection, read, args)
    except RuntimeError:  # the executor is shut down: the interpreter is exiting
        _free.release()
        return None
    return Pending(future, read, args)


def _on_own_connection(read: Callable[..., T], args: tuple[Any, ...]) -> T:
    try:
        connection.close_if_unusable_or_obsolete()
        return read(*args)
    finally:
        _free.release()


def close() -> None:
    """Close the reading thread's connection (tests, before their database is emptied)."""
    if not _free.acquire(timeout=CLOSE_WAIT_SECONDS):
        raise RuntimeError("the reading thread did not finish its read")
    try:
        _reader.submit(_close_own_connection).result()
    finally:
        _free.release()


def _close_own_connection() -> None:
    connection.close()  # the reading thread's own: ``connection`` is per thread
