"""What ``govshare run`` makes sure of before it serves, and holds while it serves (issue #11
item 6).

- **The port.** granian binds with SO_REUSEPORT, so a second server on a taken port started
  without a word and the kernel shared the connections between two platforms. The port is
  claimed under a name of its own (an abstract Unix socket: the kernel releases it with the
  process, however it ends) and then bound once without SO_REUSEPORT, which fails while any
  other program listens there.
- **The database's writer.** An embedded SQLite database has one platform writing to it: a
  second ``govshare run`` on the same file (on another port) is refused by an exclusive lock on
  a file beside the database, held for the life of the first. On PostgreSQL many
  ``govshare run`` against one database is the supported way to scale out: no lock.
- **File modes.** The databases hold personal data (the demo's sources 100,000 generated
  people): like the keys they are 0600. The ``govshare`` command creates files under umask 077;
  files an earlier version left readable by others are made private when it starts.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PRIVATE_MODE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class StartRefused(Exception):
    """``govshare run`` must not start; the message names the port or the database."""


class Held:
    """What a running ``govshare run`` holds: closed (released) when it ends."""

    def __init__(self) -> None:
        self.sockets: list[socket.socket] = []
        self.fds: list[int] = []

    def release(self) -> None:
        for claim in self.sockets:
            claim.close()
        for fd in self.fds:
            os.close(fd)


def hold_for_run(host: str, port: int) -> Held:
    """Claim the port and, on SQLite, the database's writer; raise StartRefused if taken."""
    held = Held()
    try:
        claim = claim_port(port)
        if claim is not None:
            held.sockets.append(claim)
        check_port_free(host, port)
        lock = hold_sqlite_writer(default_sqlite_path(), port)
        if lock is not None:
            held.fds.append(lock)
    except BaseException:
        held.release()
        raise
    return held


def claim_port(port: int) -> socket.socket | None:
    """The port's claim among ``govshare run`` processes (Linux: abstract socket names)."""
    if not sys.platform.startswith("linux"):
        return None
    claim = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        claim.bind(f"\0govshare-run-port-{port}")
    except OSError as error:
        claim.close()
        if error.errno != errno.EADDRINUSE:
            raise
        raise StartRefused(f"port {port} is taken by another govshare run") from None
    return claim


def check_port_free(host: str, port: int) -> None:
    """Bind ``host:port`` once without SO_REUSEPORT: fails while anything listens there.
    SO_REUSEADDR only lets the closing connections of a previous run (TIME_WAIT) pass."""
    for family, kind, proto, _name, address in socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    ):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                raise StartRefused(f"port {port} on {host} is already in use") from None


def default_sqlite_path() -> Path | None:
    from django.conf import settings

    return sqlite_path(settings.DATABASES["default"])


def sqlite_path(database: Mapping[str, Any]) -> Path | None:
    """The database's file when it is SQLite on disk."""
    name = str(database.get("NAME") or "")
    if "sqlite" not in database["ENGINE"] or not name or "memory" in name:
        return None
    return Path(name).resolve()


def hold_sqlite_writer(database: Path | None, port: int) -> int | None:
    """An exclusive lock on ``<database>.lock`` (flock: released with the process)."""
    if database is None:
        return None
    lock_path = database.with_name(database.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 200).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise StartRefused(
            f"database {database} is in use by another govshare run ({holder})"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"pid {os.getpid()}, port {port}\n".encode())
    return fd


def make_data_files_private(database: Path | None, sources: Path) -> list[Path]:
    """chmod 0600 the SQLite database with its companions and the files of the data-source
    directory that are readable by others; the paths changed."""
    paths: list[Path] = []
    if database is not None:
        paths += [database.with_name(database.name + suffix) for suffix in SQLITE_COMPANIONS]
    if sources.is_dir():
        paths += sorted(sources.iterdir())
    return [path for path in paths if _make_private(path)]


def _make_private(path: Path) -> bool:
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode) or not mode & 0o077:
        return False
    path.chmod(stat.S_IMODE(mode) & PRIVATE_MODE)
    return True
