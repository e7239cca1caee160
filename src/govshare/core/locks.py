"""Named locks that die with their holder (进程锁): one run of a thing at a time, anywhere.

On PostgreSQL a session-level advisory lock, on a connection of the lock's own: when the holder
dies its connection closes and the server frees the lock, whichever machine the holder ran on.
On SQLite (one machine by nature) an ``flock`` on a file under ``GOVSHARE_LOCK_DIR`` (default
``var/locks``): the kernel frees it when the process dies. Either way a kill -9 never leaves a
lock behind that someone must clear by hand.

A lock is exclusive, or shared: holders of a shared lock exclude only an exclusive holder (the
parts of one split full load hold their subscription's lock shared, an ordinary run holds it
exclusively).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


class HeldLock(Protocol):
    name: str

    def release(self) -> None: ...


def lock_key(name: str) -> int:
    """The signed 64-bit advisory-lock key of ``name`` (stable across processes and machines)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def try_lock(name: str, *, shared: bool = False) -> HeldLock | None:
    """Take the lock ``name`` if it is free (for ``shared``: free of an exclusive holder), or
    None at once; the caller releases it (``release``), or its death does."""
    if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
        return _AdvisoryLock.take(name, shared)
    return _FileLock.take(name, shared)


def lock_dir() -> Path:
    return Path(getattr(settings, "GOVSHARE_LOCK_DIR", "") or Path(settings.VAR_DIR) / "locks")


class _AdvisoryLock:
    def __init__(self, name: str, wrapper: Any) -> None:
        self.name, self._wrapper = name, wrapper

    @classmethod
    def take(cls, name: str, shared: bool) -> _AdvisoryLock | None:
        # A connection of its own: Django's may be closed between requests or tasks, and
        # closing it would drop a session-level lock silently.
        wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
        function = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
        try:
            with wrapper.cursor() as cursor:
                cursor.execute(f"SELECT {function}(%s)", [lock_key(name)])
                taken = bool(cursor.fetchone()[0])
        except Exception:
            wrapper.close()
            raise
        if not taken:
            wrapper.close()
            return None
        return cls(name, wrapper)

    def release(self) -> None:
        self._wrapper.close()  # ends the session, and with it every lock it held


class _FileLock:
    def __init__(self, name: str, descriptor: int) -> None:
        self.name, self._descriptor = name, descriptor

    @classmethod
    def take(cls, name: str, shared: bool) -> _FileLock | None:
        directory = lock_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{_file_name(name)}.lock"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        return cls(name, descriptor)

    def release(self) -> None:
        if self._descriptor >= 0:
            os.close(self._descriptor)  # closing the last descriptor releases the flock
            self._descriptor = -1


def _file_name(name: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:80]
    return f"{readable}-{lock_key(name) & 0xFFFFFFFF:08x}"
