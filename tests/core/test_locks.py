"""Named locks (core/locks.py): two holders never overlap, shared holders exclude only an
exclusive one, and a holder killed with SIGKILL leaves the lock free (issue #13 item 3: "a lock
that survives the holder's death" means one that does not outlive it).

Runs on the suite's database: an advisory lock on PostgreSQL, a file lock on SQLite. The killed
holder is a real process that takes the lock the way the runner does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from govshare.core.locks import try_lock
from tests.readiness import exited, wait_until

ROOT = Path(__file__).resolve().parents[2]

# Takes the lock named argv[1] with the suite's settings, says so, and waits to be killed.
HOLDER = """
import sys, time, django
django.setup()
from govshare.core.locks import try_lock
held = try_lock(sys.argv[1])
print("held" if held else "busy", flush=True)
time.sleep(3600)
"""

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lock_dir(settings, tmp_path):
    settings.GOVSHARE_LOCK_DIR = str(tmp_path / "locks")
    return tmp_path / "locks"


def test_an_exclusive_lock_is_held_by_one_holder_at_a_time(lock_dir):
    first = try_lock("sync:1")
    assert first is not None
    try:
        assert try_lock("sync:1") is None
        assert try_lock("sync:1", shared=True) is None
        other = try_lock("sync:2")  # another name is another lock
        assert other is not None
        other.release()
    finally:
        first.release()
    again = try_lock("sync:1")
    assert again is not None
    again.release()


def test_shared_holders_exclude_only_an_exclusive_one(lock_dir):
    parts = [try_lock("sync:7", shared=True), try_lock("sync:7", shared=True)]
    assert all(parts)
    assert try_lock("sync:7") is None
    for part in parts:
        part.release()  # type: ignore[union-attr]
    whole = try_lock("sync:7")
    assert whole is not None
    whole.release()


def _holder_env(lock_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GOVSHARE_LOCK_DIR=str(lock_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        user = settings["USER"] or "postgres"
        host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        env["DATABASE_URL"] = f"postgresql://{user}@{host}:{port}/{settings['NAME']}"
    return env


def test_a_killed_holders_lock_is_free_again(lock_dir, tmp_path):
    # given another process holding the lock
    log = tmp_path / "holder.log"
    with log.open("wb") as out:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, "sync:42"],
            env=_holder_env(lock_dir),
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        wait_until(lambda: "held" in log.read_text(), "the holder", gone=exited(holder, log))

        # then this process cannot take it
        assert try_lock("sync:42") is None
    finally:
        # when the holder is killed
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    # then the lock is free (the server or the kernel freed it with the holder)
    taken: list[object] = []

    def free() -> bool:
        lock = try_lock("sync:42")
        if lock is not None:
            taken.append(lock)
        return lock is not None

    wait_until(free, "the lock to be freed")  # PostgreSQL notices the closed socket shortly
    taken[0].release()  # type: ignore[attr-defined]
