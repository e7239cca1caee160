"""What ``govshare run`` checks before it serves (govshare/guards.py), in this process; the same
with two real ``govshare run`` processes is in tests/core/test_run.py."""

from __future__ import annotations

import os
import socket
import stat

import pytest

from govshare import guards
from govshare.guards import StartRefused

SQLITE = "django.db.backends.sqlite3"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_port_another_server_listens_on_with_reuseport_is_refused():
    # given a listener bound as granian binds (SO_REUSEPORT: a second one would bind beside it)
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        # then the check refuses the port, naming it
        with pytest.raises(StartRefused, match=f"port {port} on 127.0.0.1 is already in use"):
            guards.check_port_free("127.0.0.1", port)

    # and once it is closed the port is free again
    guards.check_port_free("127.0.0.1", port)


def test_a_port_claimed_by_a_starting_govshare_run_is_refused_until_released():
    port = free_port()
    first = guards.hold_for_run("127.0.0.1", port)
    try:
        with pytest.raises(StartRefused, match=f"port {port} is taken by another govshare run"):
            guards.hold_for_run("127.0.0.1", port)
    finally:
        first.release()
    guards.hold_for_run("127.0.0.1", port).release()


def test_a_sqlite_database_has_one_writer(tmp_path):
    # given a SQLite database whose writer one govshare run holds
    database = guards.sqlite_path({"ENGINE": SQLITE, "NAME": str(tmp_path / "a.sqlite3")})
    first = guards.hold_sqlite_writer(database, 8000)
    try:
        # then a second is refused, told which database and who holds it
        with pytest.raises(StartRefused) as refusal:
            guards.hold_sqlite_writer(database, 8001)
        assert str(tmp_path / "a.sqlite3") in str(refusal.value)
        assert f"pid {os.getpid()}, port 8000" in str(refusal.value)
    finally:
        os.close(first)
    os.close(guards.hold_sqlite_writer(database, 8001))
    assert stat.S_IMODE((tmp_path / "a.sqlite3.lock").stat().st_mode) == 0o600


def test_only_sqlite_on_disk_has_a_writer_lock():
    assert guards.sqlite_path({"ENGINE": "django.db.backends.postgresql", "NAME": "x"}) is None
    assert guards.sqlite_path({"ENGINE": SQLITE, "NAME": ":memory:"}) is None
    assert guards.hold_sqlite_writer(None, 8000) is None


def test_data_files_readable_by_others_are_made_private(tmp_path):
    # given a SQLite database, its WAL and shared memory, and a data source left 0644
    database = tmp_path / "g.sqlite3"
    (tmp_path / "sources").mkdir()
    names = ["g.sqlite3", "g.sqlite3-wal", "g.sqlite3-shm", "sources/people.sqlite3"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
        (tmp_path / name).chmod(0o644)
    (tmp_path / "sources/already.sqlite3").write_bytes(b"x")
    (tmp_path / "sources/already.sqlite3").chmod(0o600)

    changed = guards.make_data_files_private(database, tmp_path / "sources")

    # then each is 0600, and only those were changed
    assert sorted(changed) == sorted(tmp_path / name for name in names)
    for name in [*names, "sources/already.sqlite3"]:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
