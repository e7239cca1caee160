"""Gateway query calls per second and p99 latency against a bare endpoint (issue #5, Performance).

The full gateway (granian, ASGI, one worker: token check, grant check, masking, the delivery log
committed before each answer) and two bare Starlette endpoints doing the same indexed lookup on
the same source table (bench/_gateway_bare.py) are driven in turn by 32 concurrent clients:

- the baseline of the issue's goal: the lookup with SQLAlchemy Core as a plain service does it;
- a second, stricter one: the lookup through the gateway's own table connector, which reads
  through a DB-API connection it keeps (about twice as fast as SQLAlchemy's execution layer
  here), so that ratio is the cost of the governance alone (figure ``..._vs_connector``).

All execute the lookup inline on the event loop for a SQLite source file, in a worker thread for
a network database. After the run the delivery log must hold exactly one record per call
answered, and its chain must verify.

SQLite by default (a temporary node; the source table in a SQLite file); with DATABASE_URL set to
PostgreSQL, a temporary database on that server holds the node and the source table.
Figures: calls/s (goal ratio >= 0.6) and p99 latency (goal < 50 ms).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _common import (
    BIN,
    HOST,
    ROOT,
    Figure,
    free_port,
    is_full,
    run_checked,
    seconds,
    stop,
    wait_until_up,
    write_figures,
)

GOAL_RATIO = 0.6
GOAL_P99_MS = 50.0
CLIENTS = 32


@dataclass
class Tally:
    ok: int = 0
    answered: int = 0
    failed: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else 0.0

    def add(self, other: Tally) -> None:
        self.ok += other.ok
        self.answered += other.answered
        self.failed += other.failed
        self.elapsed += other.elapsed
        self.latencies += other.latencies


# --- the node -------------------------------------------------------------------------------


@contextmanager
def node_database(var_dir: Path) -> Any:
    """DATABASE_URL of a fresh node database: SQLite in var_dir, or a temporary PostgreSQL one."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{var_dir / 'node.sqlite3'}"
        return
    import psycopg

    name = f"govshare_bench_gw_{os.getpid()}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVSHARE_TEST")}
    env.update(
        GOVSHARE_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        SECRET_KEY="bench-gateway-secret-key-0123456789-abcdefghijklmnopqrstu",
        DJANGO_SETTINGS_MODULE="govshare.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "bench")])),
        DEBUG="0",
        LOG_LEVEL="WARNING",
        GOVSHARE_REDIS_URL="",
    )
    return env


def prepare(rows: int) -> dict[str, Any]:
    """(Runs inside the bench environment.) Migrate, build the world, grant, mount the source."""
    import django

    django.setup()
    import sqlalchemy as sa
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from govshare.exchange.models import Connection
    from tests.exchange.gateway.factories import build_world, generated_id, grant

    call_command("migrate", verbosity=0, interactive=False)
    sources = Path(settings.VAR_DIR) / "sources"
    sources.mkdir(exist_ok=True)
    world = build_world(sources, source_rows=rows)
    source_url = f"sqlite:///{sources / 'population.sqlite3'}"
    if connection.vendor == "postgresql":
        source_url = copy_source_to_postgresql(sources / "population.sqlite3")
        parts = sa.make_url(source_url)
        Connection.objects.filter(tables__mount=world.mount).update(
            engine="postgresql",
            host=parts.host,
            port=parts.port or 5432,
            database=parts.database,
            username=parts.username or "",
        )
    grant(world, ["GMSFHM", "XM", "XBDM"], rate_per_minute=10_000_000, daily_quota=100_000_000)
    return {
        "app_key": world.credential.app_key,
        "secret": world.secret,
        "ref": world.ref,
        "source_url": source_url,
        "keys": [generated_id(n) for n in range(rows)],
    }


def copy_source_to_postgresql(path: Path) -> str:
    """The provider's table in the node's PostgreSQL database (same rows, same index)."""
    import sqlite3

    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    url = (
        f"postgresql://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    rows = (
        sqlite3.connect(path)
        .execute("SELECT id, sfzh, xm, xb, csrq, lxdh, zz, qh FROM person")
        .fetchall()
    )
    with psycopg.connect(url) as db:
        db.execute(
            "CREATE TABLE person (id INTEGER PRIMARY KEY, sfzh TEXT NOT NULL UNIQUE, xm TEXT, "
            "xb TEXT, csrq TEXT, lxdh TEXT, zz TEXT, qh TEXT)"
        )
        with db.cursor().copy("COPY person FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def check(expected: int) -> dict[str, Any]:
    """(Runs inside the bench environment.) Count the delivery records, verify the chain."""
    import django

    django.setup()
    from govshare.core.evidence.chain import verify_chain
    from govshare.exchange.models import DeliveryRecord

    report = verify_chain(DeliveryRecord)
    return {
        "records": DeliveryRecord.objects.count(),
        "expected": expected,
        "intact": report.is_intact,
        "reason": report.reason,
    }


# --- servers and load -------------------------------------------------------------------------


def start_asgi(
    app: str, env: dict[str, str], port: int, log: Path, factory: bool = False
) -> subprocess.Popen[bytes]:
    args = [
        str(BIN / "granian"),
        *("--interface", "asgi", "--host", HOST, "--port", str(port)),
        *("--workers", "1", "--no-ws", "--no-access-log", "--log-level", "warning"),
        *(["--factory"] if factory else []),
        app,
    ]
    with log.open("wb") as out:
        return subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=out)


def drive(url: str, headers: dict[str, str], keys: list[str], duration: float) -> Tally:
    """CLIENTS keep-alive connections call ``url`` with random keys, as fast as answered.

    A lean asyncio HTTP/1.1 client on raw sockets: a thread-per-client client library would
    spend more of the two cores than the servers measured do, and its own scheduling would be
    most of the latency measured.
    """
    return asyncio.run(_drive(url, headers, keys, duration))


async def _drive(url: str, headers: dict[str, str], keys: list[str], duration: float) -> Tally:
    parts = httpx.URL(url)
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    head = f"Host: {parts.host}:{parts.port}\r\n{extra}\r\n".encode()
    path = parts.raw_path.decode()
    tallies = [Tally() for _ in range(CLIENTS)]
    started = time.perf_counter()
    deadline = started + duration

    async def client(mine: Tally, seed: int) -> None:
        chooser = random.Random(seed)
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        try:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                key = chooser.choice(keys)
                writer.write(f"GET {path}?GMSFHM={key} HTTP/1.1\r\n".encode() + head)
                status, body = await _response(reader)
                mine.latencies.append(time.perf_counter() - began)
                mine.answered += 1
                if status == 200 and b'"rows":[{' in body.replace(b" ", b""):
                    mine.ok += 1
                else:
                    mine.failed += 1
        finally:
            writer.close()

    await asyncio.gather(*(client(tally, n) for n, tally in enumerate(tallies)))
    total = Tally()
    for tally in tallies:
        total.add(tally)
    total.elapsed = time.perf_counter() - started
    return total


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    header = await reader.readuntil(b"\r\n\r\n")
    lines = header.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length")
    )
    return status, await reader.readexactly(length)


def measure(gateway: str, bare: str, token: str, ref: str, keys: list[str]) -> dict[str, Any]:
    """Tallies of the gateway and both baselines, and every gateway call answered (warm-up
    included, under ``answered``)."""
    targets = {
        "gateway": (f"{gateway}/gw/resources/{ref}/query", {"Authorization": f"Bearer {token}"}),
        "bare": (f"{bare}/bare/query", {}),
        "connector": (f"{bare}/bare/connector", {}),
    }
    warm = {name: drive(url, headers, keys, 0.5) for name, (url, headers) in targets.items()}
    rounds = 4 if is_full() else 2
    per_round = seconds(2.0, 60.0) / rounds  # per target: a full run loads the gateway 60 s
    totals = {name: Tally() for name in targets}
    for _ in range(rounds):  # in turn, so drift on the machine hits each alike
        for name, (url, headers) in targets.items():
            totals[name].add(drive(url, headers, keys, per_round))
    return {**totals, "answered": warm["gateway"].answered + totals["gateway"].answered}


def run() -> list[Figure]:
    rows = 100_000 if is_full() else 20_000
    python = str(BIN / "python")
    with (
        tempfile.TemporaryDirectory(prefix="govshare-bench-") as tmp,
        node_database(Path(tmp)) as database_url,
    ):
        env = bench_env(Path(tmp), database_url)
        world = json.loads(
            run_checked([python, __file__, "--prepare", str(rows)], env).strip().splitlines()[-1]
        )
        gw_port, bare_port = free_port(), free_port()
        gw_log, bare_log = Path(tmp) / "gateway.log", Path(tmp) / "bare.log"
        gateway = start_asgi(
            "govshare.exchange.gateway.app:create_app", env, gw_port, gw_log, factory=True
        )
        bare = start_asgi(
            "_gateway_bare:app", {**env, "GOVSHARE_BENCH_SOURCE_URL": world["source_url"]},
            bare_port, bare_log,
        )  # fmt: skip
        try:
            gw_base, bare_base = f"http://{HOST}:{gw_port}", f"http://{HOST}:{bare_port}"
            wait_until_up(gateway, f"{gw_base}/gw/health", gw_log)
            wait_until_up(bare, f"{bare_base}/bare/health", bare_log)
            token = (
                httpx.post(
                    f"{gw_base}/gw/token",
                    json={"app_key": world["app_key"], "app_secret": world["secret"]},
                    timeout=30.0,
                )
                .raise_for_status()
                .json()["access_token"]
            )
            tallies = measure(gw_base, bare_base, token, world["ref"], world["keys"])
        finally:
            stop(gateway)  # SIGTERM: the writer flushes what is queued
            stop(bare)
        expected = tallies.pop("answered") + 1  # and the token call
        found = json.loads(
            run_checked([python, __file__, "--check", str(expected)], env).strip().splitlines()[-1]
        )
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    gw, baseline, connector = tallies["gateway"], tallies["bare"], tallies["connector"]
    for name, tally in tallies.items():
        print(
            f"{name} ({engine}): {tally.ok} ok, {tally.failed} failed in {tally.elapsed:.1f} s, "
            f"p99 {tally.p99_ms:.1f} ms"
        )
    print(
        f"delivery log: {found['records']} records for {found['expected']} calls answered, "
        f"chain intact: {found['intact']}"
    )
    if any(not tally.ok or tally.failed for tally in tallies.values()):
        raise RuntimeError("calls failed during the measurement")
    if not found["intact"]:
        raise RuntimeError(f"the delivery chain does not verify: {found['reason']}")
    if found["records"] != found["expected"]:
        raise RuntimeError("the delivery log does not hold exactly one record per call answered")
    return [
        Figure(
            figure=f"gateway_query_calls_per_s_{engine.lower()}",
            value=round(gw.per_second, 1),
            baseline=round(baseline.per_second, 1),
            ratio=round(gw.per_second / baseline.per_second, 3),
            goal=f">= {GOAL_RATIO}",
            unit="calls/s",
        ),
        Figure(
            figure=f"gateway_query_calls_per_s_{engine.lower()}_vs_connector",
            value=round(gw.per_second, 1),
            baseline=round(connector.per_second, 1),
            ratio=round(gw.per_second / connector.per_second, 3),
            goal="none (the governance's own cost, against the same connector)",
            unit="calls/s",
        ),
        Figure(
            figure=f"gateway_query_p99_ms_{engine.lower()}",
            value=round(gw.p99_ms, 2),
            baseline=round(baseline.p99_ms, 2),
            ratio=round(gw.p99_ms / baseline.p99_ms, 3),
            goal=f"value < {GOAL_P99_MS:.0f} ms",
            unit="ms",
        ),
    ]


def main() -> int:
    if sys.argv[1:2] == ["--prepare"]:
        print(json.dumps(prepare(int(sys.argv[2]))))
        return 0
    if sys.argv[1:2] == ["--check"]:
        print(json.dumps(check(int(sys.argv[2]))))
        return 0
    write_figures("gateway", run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
