"""Leased tasks for the lease tests, and commands to drive them from another process.

``copy_rows`` is a small real resumable job: it copies table ``t`` of one SQLite file into another
in batches, committing its position in the same transaction as each batch, so a worker killed at
any point resumes where the last batch ended (the rule the table sync follows, issue #13 item 3).
The target table has no key: a row copied twice would show as a duplicate.
Driven from another process by ``tests.core.lease_commands``.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from govshare.core.jobs import job_task
from govshare.core.leases import leased_task
from govshare.core.models import Job


@leased_task(max_attempts=50, backoff_seconds=0.0)
def copy_rows(source: str, target: str, batch: int, hold: str = "") -> int:
    """Copy; after each batch, wait while the file ``hold`` exists (the test's pause)."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        writer.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER, v TEXT)")
        writer.execute("CREATE TABLE IF NOT EXISTS pos (done INTEGER)")
        writer.commit()
        position = writer.execute("SELECT max(done) FROM pos").fetchone()[0] or 0
        while True:
            rows = reader.execute(
                "SELECT id, v FROM t WHERE id > ? ORDER BY id LIMIT ?", (position, batch)
            ).fetchall()
            if not rows:
                return position
            with writer:  # one transaction: the rows and the position, or neither
                writer.executemany("INSERT INTO t VALUES (?, ?)", rows)
                position = rows[-1][0]
                writer.execute("INSERT INTO pos VALUES (?)", (position,))
            while hold and Path(hold).exists():
                time.sleep(0.05)


@leased_task(max_attempts=3, backoff_seconds=10.0)
def always_fails(note: str) -> None:
    raise RuntimeError(f"failing on purpose: {note}")


@leased_task(max_attempts=2)
def succeeds(value: int) -> int:
    return value * 2


@job_task(title="leased job", verdict=lambda result: [], max_attempts=2)
def leased_job(job: Job) -> dict[str, bool]:
    return {"ran": True}
