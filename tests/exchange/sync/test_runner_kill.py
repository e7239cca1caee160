"""The kill test (issue #13 "Reliability"): a full load on real ``govshare worker`` processes,
each SIGKILLed at a random point of the load after it was seen committing a batch, until done;
then ``govshare sync reconcile`` proves the destination consistent with the source, and a
row-by-row comparison agrees: no row lost, none twice.

Beside the workers runs ``govshare sync schedule`` (as ``govshare run`` starts it): it requeues
the task of each killed worker once its lease runs out; the requeued task finds its run
"running", closes it ("worker lost") and queues a restart that resumes from the last batch the
destination committed.

Reduced in ``make test``: GOVSHARE_KILL_ROWS (20,000) rows in small batches, GOVSHARE_KILLS (5)
kills. ``make soak`` runs one 1,000,000-row load with at least 20 kills. The waits are for
readiness (progress observed, the load finished), never fixed sleeps, and no time is asserted.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from govshare.core.actors import SYSTEM
from govshare.exchange.masking import mask
from govshare.exchange.models import RunStatus
from govshare.exchange.sync import runner
from tests.catalog.conftest import catalog_reference_data  # noqa: F401  (autouse: the seed)
from tests.exchange.gateway.factories import SOURCE_FILE
from tests.exchange.gateway.served import BIN, ROOT, process_env, served_database
from tests.exchange.sync.runner_world import DESTINATION_FILE, TABLE, subscribed
from tests.readiness import READY_SECONDS, wait_until

ROWS = int(os.environ.get("GOVSHARE_KILL_ROWS", "20000"))
KILLS = int(os.environ.get("GOVSHARE_KILLS", "5"))
# About 50 rows a batch in the reduced test (a delivered row is ~70 bytes), ~900 in the soak:
# hundreds of batches, so that the load is still going at the last kill however fast it runs.
BATCH_BYTES = int(
    os.environ.get("GOVSHARE_KILL_BATCH_BYTES", "3500" if ROWS <= 100_000 else "65536")
)
# Workers at a time: while one runs the load the others wait warm, so that a kill is not
# followed by a wait for a new process to import everything (seconds on a loaded machine).
WORKERS = 3
SEED = int(os.environ.get("GOVSHARE_KILL_SEED", str(random.SystemRandom().randrange(10**6))))

pytestmark = pytest.mark.django_db(transaction=True)


class Node:
    """Reads of the node database the workers write (SQLite file or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def all(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.url.startswith("sqlite:///"):
            with closing(sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)) as db:
                return [tuple(row) for row in db.execute(sql, params).fetchall()]
        with psycopg.connect(self.url) as db:
            return [tuple(row) for row in db.execute(sql.replace("?", "%s"), params).fetchall()]

    def one(self, sql: str, *params: Any) -> tuple[Any, ...]:
        rows = self.all(sql, *params)
        return rows[0] if rows else ()

    def rows(self, subscription_id: int) -> int:
        sql = "SELECT coalesce(sum(rows_read), 0) FROM exchange_syncrun WHERE subscription_id = ?"
        return int(self.one(sql, subscription_id)[0])

    def batches(self, subscription_id: int) -> int:
        sql = "SELECT coalesce(sum(batches), 0) FROM exchange_syncrun WHERE subscription_id = ?"
        return int(self.one(sql, subscription_id)[0])

    def succeeded(self, subscription_id: int) -> bool:
        sql = "SELECT count(*) FROM exchange_syncrun WHERE subscription_id = ? AND status = ?"
        return int(self.one(sql, subscription_id, RunStatus.SUCCEEDED)[0]) == 1


class Workers:
    """``govshare worker`` processes, each with a worker id of its own (WORKERS at a time)."""

    def __init__(self, env: dict[str, str], logs: Path, node: Node) -> None:
        self.env, self.logs, self.node = env, logs, node
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.others: list[subprocess.Popen[bytes]] = []
        self.count = 0

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        with (self.logs / "processes.log").open("ab") as out:
            return subprocess.Popen(
                [str(BIN / "govshare"), *args], env=self.env, cwd=ROOT, stdout=out, stderr=out
            )

    def add(self) -> None:
        self.count += 1
        name = f"kill-test-{self.count}"
        args = ("worker", "--no-startup-delay", "--no-reload", "--interval", "0.2")
        self.running[name] = self.start(*args, "--worker-id", name)

    def busy(self, subscription_id: int) -> list[str]:
        """The live workers that claimed the task of the subscription's running run: the one
        running it, and any that claimed it again after its lease lapsed on a loaded machine
        (they wait for the subscription's lock)."""
        running = self.node.one(
            "SELECT id FROM exchange_syncrun WHERE subscription_id = ? AND status = ?",
            subscription_id,
            RunStatus.RUNNING,
        )
        tasks = self.node.all(
            "SELECT args_kwargs, worker_ids FROM django_tasks_database_dbtaskresult "
            "WHERE status = ?",
            "RUNNING",
        )
        claimed = [
            name
            for arguments, worker_ids in tasks
            if running and _json(arguments)["args"][:1] == [running[0]]
            for name in _json(worker_ids)
        ]
        return [name for name in claimed if name in self.running]

    def wait_for_busy(self, subscription_id: int) -> list[str]:
        found: list[str] = []
        wait_until(
            lambda: bool(found or found.extend(self.busy(subscription_id))),
            "the busy worker",
            gone=self.died,
        )
        return found

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def died(self) -> str | None:
        for name, process in self.running.items():
            if process.poll() is not None:
                log = (self.logs / "processes.log").read_text(errors="replace")
                return f"worker {name} exited with {process.returncode}\n{log}"
        return None

    def stop_all(self) -> None:
        for process in [*self.running.values(), *self.others]:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait()


@pytest.fixture
def var(settings, tmp_path) -> Path:
    directory = tmp_path / "var"
    (directory / "sources").mkdir(parents=True)
    settings.GOVSHARE_SOURCES_DIR = directory / "sources"
    return directory


def test_a_full_load_survives_workers_killed_at_random_points(var, tmp_path):
    # given a subscription of ROWS people in small batches, queued as a full load
    print(f"kill test: {ROWS} rows, {KILLS} kills, seed {SEED}")
    chance = random.Random(SEED)
    _world, subscription = subscribed(var / "sources", rows=ROWS - 3, batch_bytes=BATCH_BYTES)
    runner.start_run(SYSTEM, subscription)
    url = served_database(var)  # the queued task and the world, where the workers see them
    node = Node(url)
    env = process_env(var, url)
    env.update(GOVSHARE_LEASE_SECONDS="2", GOVSHARE_SYNC_BUSY_SECONDS="0.5")
    workers = Workers(env, tmp_path, node)
    began = time.monotonic()
    try:
        workers.others.append(workers.start("sync", "schedule", "--every", "0.5"))
        for _ in range(WORKERS):
            workers.add()

        # when the worker running it is killed at random points spread over the load (by rows
        # committed), each after the restarted run committed at least one more batch
        points = sorted(chance.sample(range(1, ROWS * 9 // 10), KILLS))
        for kill, point in enumerate(points):
            batches = node.batches(subscription.pk)
            wait_until(
                lambda point=point, batches=batches: (  # type: ignore[misc]
                    (
                        node.rows(subscription.pk) >= point
                        and node.batches(subscription.pk) > batches
                    )
                    or node.succeeded(subscription.pk)
                ),
                f"progress before kill {kill + 1}",
                gone=workers.died,
            )
            busy = workers.wait_for_busy(subscription.pk)
            assert not node.succeeded(subscription.pk), f"the load ended before kill {kill + 1}"
            for name in busy:
                workers.kill(name)
                workers.add()  # warms up while the killed worker's lease runs out
            print(
                f"kill {kill + 1} of {busy} at {time.monotonic() - began:.1f} s, "
                f"{node.rows(subscription.pk)} rows in"
            )

        # then the workers left finish the load
        wait_until(lambda: node.succeeded(subscription.pk), "the load", gone=workers.died)
    finally:
        workers.stop_all()

    # then reconciliation proves the destination consistent with the source
    reconciled = subprocess.run(
        [str(BIN / "govshare"), "sync", "reconcile", str(subscription.pk)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=READY_SECONDS,
    )
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert f"subscription {subscription.pk}: consistent" in reconciled.stdout

    # and, compared row by row, it holds exactly the source's rows (granted items, phone masked)
    sources = var / "sources"
    compared = 0
    for expected, delivered in itertools.zip_longest(_source(sources), _destination(sources)):
        assert delivered == expected, f"first difference after {compared} rows"
        compared += 1
    assert compared == ROWS
    restarts = node.one(
        "SELECT count(*) FROM exchange_syncrun WHERE subscription_id = ? AND error_code = ?",
        subscription.pk,
        "sync_worker_lost",
    )[0]
    assert restarts == KILLS  # each kill was seen and recovered from: a restart each


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _source(sources: Path) -> Iterator[tuple[Any, ...]]:
    with closing(sqlite3.connect(sources / SOURCE_FILE)) as db:
        rows = db.execute("SELECT sfzh, xm, xb, lxdh FROM person ORDER BY sfzh")
        for sfzh, xm, xb, phone in rows:
            yield (sfzh, xm, xb, mask("phone", phone))


def _destination(sources: Path) -> Iterator[tuple[Any, ...]]:
    with closing(sqlite3.connect(sources / DESTINATION_FILE)) as db:
        yield from db.execute(f"SELECT gmsfhm, xm, xbdm, lxdh FROM {TABLE} ORDER BY gmsfhm")  # noqa: S608
