"""SIGKILL at random points (issue 13, Reliability): a worker running a full load, then an
incremental run, is killed again and again after a random number of committed batches — at
whatever it is doing then — and restarted; when a run finally completes, the destination equals
the source: no row lost, none twice (the PostgreSQL shadow's primary key is only built at the
swap, so a duplicate would fail it)."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from govshare.exchange.models import RunKind
from tests.exchange.sync.engine_databases import (
    ONCE,
    Endpoint,
    create_people,
    person,
    postgresql_endpoint,
    spec_of,
    sqlite_endpoint,
    upsert_people,
)
from tests.exchange.sync.test_engine import expected, held

ROOT = Path(__file__).resolve().parents[3]
ROWS = 600
KILLS = 5

pytestmark = ONCE


@pytest.fixture
def sources_dir(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    return directory


@pytest.fixture
def postgresql() -> Iterator[Endpoint]:
    yield from postgresql_endpoint()


@pytest.fixture
def postgresql_target() -> Iterator[Endpoint]:
    yield from postgresql_endpoint()


def _fields(endpoint: Endpoint) -> dict:
    connection = endpoint.connection
    names = ["name", "role", "engine", "host", "port", "database", "username"]
    return {name: getattr(connection, name) for name in names}


def run_until_done(source, target, sources_dir, kind: str, masked: bool, seed: int) -> int:
    """Start the worker, SIGKILL it after a random 1–3 batches, again and again until it
    completes; returns how many times it was killed."""
    chance = random.Random(seed)
    kills = 0
    for attempt in range(1, 200):
        arguments = {
            "source": _fields(source),
            "destination": _fields(target),
            "kind": kind,
            "masked": masked,
            "run_id": attempt,
            "sources_dir": str(sources_dir),
        }
        log = Path(sources_dir) / f"worker-{kind}-{attempt}.log"
        with (
            log.open("w") as errors,
            subprocess.Popen(
                [sys.executable, "-m", "tests.exchange.sync.engine_child", json.dumps(arguments)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            ) as worker,
        ):
            kill_after = chance.randint(1, 3) if kills < KILLS else None
            assert worker.stdout is not None
            for line in worker.stdout:
                if kill_after is not None and line.strip() == f"batch {kill_after}":
                    worker.send_signal(signal.SIGKILL)
                    kills += 1
                    break
            worker.wait()
        if worker.returncode == 0:
            return kills
        if worker.returncode != -signal.SIGKILL:
            raise AssertionError(log.read_text())
    raise AssertionError("the sync never completed")


def test_a_copy_path_worker_killed_at_random_points_loses_and_duplicates_nothing(
    postgresql, postgresql_target, sources_dir
):
    # given a source table of 600 rows (about forty batches)
    source, target = postgresql, postgresql_target
    rows = [person(number) for number in range(1, ROWS + 1)]
    create_people(source, rows)
    masked = False  # PostgreSQL → PostgreSQL by binary COPY (the SQLite test masks in Python)
    spec = spec_of(source, target, masked=masked)

    # when a full load's worker is killed at least five times before it completes
    kills = run_until_done(source, target, sources_dir, RunKind.FULL, masked, seed=13)

    # then the destination equals the source
    assert kills >= KILLS
    assert held(target, spec) == expected(spec, rows)

    # and when half of the rows change and an incremental run is killed as often
    later = rows[-1]["updated"].replace(year=2027)
    changed = [person(n, name=f"改{n}", updated=later) for n in range(1, ROWS + 1, 2)]
    upsert_people(source, changed)
    kills = run_until_done(source, target, sources_dir, RunKind.INCREMENTAL, masked, seed=31)

    # then the destination equals the source again
    assert kills >= KILLS
    now = {row["id"]: row for row in rows} | {row["id"]: row for row in changed}
    assert held(target, spec) == expected(spec, list(now.values()))


def test_a_sqlite_worker_killed_at_random_points_loses_and_duplicates_nothing(sources_dir):
    # given a SQLite source and destination
    source, target = sqlite_endpoint(sources_dir), sqlite_endpoint(sources_dir)
    rows = [person(number) for number in range(1, ROWS + 1)]
    create_people(source, rows)
    spec = spec_of(source, target)

    # when a full load's worker is killed at least five times before it completes
    kills = run_until_done(source, target, sources_dir, RunKind.FULL, True, seed=7)

    # then the destination equals the source
    assert kills >= KILLS
    assert held(target, spec) == expected(spec, rows)
