"""What the sync benchmarks share: the PostgreSQL server, the bench table, its generation, the
spec of a subscription to it, the plain pipes they are measured against, and peak RSS.

The table is one a provider might publish: 20 columns of a person register (人口信息), two of
them personal and masked by the grant (an ID number 身份证号 and a mobile phone 手机号), an
``updated`` timestamp as the indexed watermark column. PostgreSQL databases are created for the
run (``govshare_bench_<pid>_src`` / ``_dst``; GOVSHARE_BENCH_DB_PREFIX changes the prefix) and
dropped at the end.
The server: GOVSHARE_TEST_PG (as scripts/test.sh), else postgres@127.0.0.1:5432. When it does
not answer, a sync bench exits with SKIPPED (77, the automake convention) and says why.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from _common import is_full
from census_import import officer_of_new_department

SKIPPED = 77
WRITE_BYTES = 2**20
PG_BASE = os.environ.get("GOVSHARE_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
DB_PREFIX = os.environ.get("GOVSHARE_BENCH_DB_PREFIX", "govshare_bench")
TABLE = "people"
WATERMARK = "updated"
KEY = "id"
# The first watermark of the generated rows; a change made by the bench is dated a year later.
FIRST_UPDATE = "2026-01-01 00:00:00"
CHANGES_FROM = "2027-01-01 00:00:00"

# (column, PostgreSQL type, SQLite declared type, catalog DataType, length, masking)
COLUMNS: tuple[tuple[str, str, str, str, int | None, str], ...] = (
    ("id", "bigint", "INTEGER", "I", None, "none"),
    ("id_number", "varchar(18)", "VARCHAR(18)", "C", 18, "id_number"),
    ("phone", "varchar(11)", "VARCHAR(11)", "C", 11, "phone"),
    ("name", "varchar(30)", "VARCHAR(30)", "C", 30, "none"),
    ("gender", "varchar(1)", "VARCHAR(1)", "C", 1, "none"),
    ("birth_date", "date", "DATE", "D", None, "none"),
    ("address", "varchar(100)", "VARCHAR(100)", "C", 100, "none"),
    ("region_code", "varchar(6)", "VARCHAR(6)", "C", 6, "none"),
    ("org_code", "varchar(18)", "VARCHAR(18)", "C", 18, "none"),
    ("category", "varchar(20)", "VARCHAR(20)", "C", 20, "none"),
    ("status", "varchar(10)", "VARCHAR(10)", "C", 10, "none"),
    ("amount", "numeric(14,2)", "DECIMAL(14,2)", "Y", 14, "none"),
    ("score", "integer", "INTEGER", "I", None, "none"),
    ("visits", "integer", "INTEGER", "I", None, "none"),
    ("ratio", "double precision", "FLOAT", "B", None, "none"),
    ("is_active", "boolean", "BOOLEAN", "L", None, "none"),
    ("registered", "timestamp", "TIMESTAMP", "T", None, "none"),
    ("note", "text", "TEXT", "M", None, "none"),
    ("batch_no", "varchar(20)", "VARCHAR(20)", "C", 20, "none"),
    ("updated", "timestamp", "TIMESTAMP", "T", None, "none"),
)
NAMES = [c[0] for c in COLUMNS]
SELECT_LIST = ", ".join(NAMES)

# One row per generate_series value g: varied, deterministic, Chinese where a register is.
GENERATED = """
SELECT
  g,
  (370100 + g % 900)::text || to_char(date '1950-01-01' + (g % 20000)::int, 'YYYYMMDD')
    || lpad((g % 1000)::text, 3, '0') || (g % 10)::text,
  '13' || lpad((g * 7919 % 1000000000)::text, 9, '0'),
  (array['张','王','李','赵','刘','陈','杨','黄','欧阳','诸葛'])[1 + g % 10]
    || (array['伟','芳','娜','敏','静','强','磊','洋','艳','勇'])[1 + (g / 10) % 10]
    || (array['','华','明','丽','军'])[1 + (g / 100) % 5],
  (array['男','女'])[1 + g % 2],
  date '1950-01-01' + (g % 20000)::int,
  '山东省潍坊市' || (array['奎文区','潍城区','坊子区','寒亭区','青州市'])[1 + g % 5]
    || '东风街' || (g % 999 + 1)::text || '号' || (g % 30 + 1)::text || '单元',
  (370700 + g % 6)::text,
  '11370700' || lpad((g % 10000000000)::text, 10, '0'),
  (array['居民','职工','个体','学生','退休'])[1 + g % 5],
  (array['正常','注销','迁出'])[1 + (g % 17 = 0)::int + (g % 101 = 0)::int],
  round((g % 100000) * 1.37, 2),
  (g % 1000)::int,
  (g * 31 % 5000)::int,
  (g % 997) / 997.0,
  g % 13 <> 0,
  timestamp '2015-01-01' + (g % 300000) * interval '17 minutes',
  '登记备注：第' || g::text || '号记录，信息已核验',
  'PC' || to_char(g % 3650, 'FM0000') || '-' || (g % 97)::text,
  timestamp '{first_update}' + g * interval '1 second'
FROM generate_series({first}::bigint, {last}::bigint) AS g
"""


def pg_available() -> bool:
    try:
        psycopg.connect(f"{PG_BASE}/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def skip_without_pg(name: str) -> None:
    if not pg_available():
        print(f"{name}: PostgreSQL does not answer at {PG_BASE}: skipped")
        sys.exit(SKIPPED)


def pg_url(database: str) -> str:
    return f"{PG_BASE}/{database}"


def connect(database: str) -> psycopg.Connection[Any]:
    return psycopg.connect(pg_url(database), autocommit=True)


@contextmanager
def databases(*suffixes: str) -> Iterator[list[str]]:
    """New UTF-8 databases ``<prefix>_<pid>_<suffix>``, dropped (forcibly) on the way out."""
    names = [f"{DB_PREFIX}_{os.getpid()}_{suffix}" for suffix in suffixes]
    try:
        with connect("postgres") as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                    "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                )
        yield names
    finally:
        with connect("postgres") as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the table --------------------------------------------------------------------------------


def pg_ddl(table: str, *, with_key: bool) -> str:
    columns = ", ".join(f"{name} {pg_type}" for name, pg_type, *_ in COLUMNS)
    key = f", PRIMARY KEY ({KEY})" if with_key else ""
    return f"CREATE TABLE {table} ({columns}{key})"


def sqlite_ddl(table: str, *, with_key: bool) -> str:
    columns = ", ".join(f"{name} {sqlite_type}" for name, _pg, sqlite_type, *_ in COLUMNS)
    key = f", PRIMARY KEY ({KEY})" if with_key else ""
    return f"CREATE TABLE {table} ({columns}{key})"


def generate(db: psycopg.Connection[Any], table: str, rows: int) -> None:
    """``rows`` rows in a new ``table`` (key 1..rows), its watermark indexed, analysed."""
    db.execute(pg_ddl(table, with_key=True))
    step = 250_000  # several statements: one huge INSERT would hold all its rows' WAL at once
    for first in range(1, rows + 1, step):
        last = min(first + step - 1, rows)  # integers: no value of ours enters the SQL text
        db.execute(
            f"INSERT INTO {table} "
            + GENERATED.format(first=first, last=last, first_update=FIRST_UPDATE)
        )
    db.execute(f"CREATE INDEX ON {table} ({WATERMARK})")
    db.execute(f"VACUUM (ANALYZE) {table}")  # as autovacuum leaves a table at rest


def change_rows(db: psycopg.Connection[Any], table: str, every: int, round_number: int) -> int:
    """Change one row in ``every`` (a different set each round) as an application would: new
    values and a new watermark, later than any before. Returns the rows changed."""
    done = db.execute(
        f"UPDATE {table} SET amount = amount + 1, status = '变更', visits = visits + 1, "
        f"{WATERMARK} = timestamp '{CHANGES_FROM}' + %(round)s * interval '1 day' "
        f"+ {KEY} * interval '1 millisecond' WHERE {KEY} %% %(every)s = %(round)s",
        {"every": every, "round": round_number},
    )
    return done.rowcount


def count(db: psycopg.Connection[Any], table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]


# --- plain pipes (the baselines) ----------------------------------------------------------------


def copy_out_sql(table: str) -> str:
    return f"COPY (SELECT {SELECT_LIST} FROM {table}) TO STDOUT (FORMAT BINARY)"


def psql_pipe(src: str, dst: str, source_table: str, target_table: str) -> float:
    """Seconds of ``psql COPY … TO STDOUT (BINARY) | psql COPY … FROM STDIN (BINARY)``: two
    processes, so reading and writing overlap as in a shell pipe."""
    psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    started = time.perf_counter()
    reader = subprocess.Popen(
        [*psql, "-d", pg_url(src), "-c", copy_out_sql(source_table)], stdout=subprocess.PIPE
    )
    writer = subprocess.Popen(
        [*psql, "-d", pg_url(dst), "-c", f"COPY {target_table} FROM STDIN (FORMAT BINARY)"],
        stdin=reader.stdout,
    )
    assert reader.stdout is not None
    reader.stdout.close()  # the writer holds the pipe now; the reader gets SIGPIPE if it dies
    if writer.wait() != 0 or reader.wait() != 0:
        raise RuntimeError("the psql COPY pipe failed")
    return time.perf_counter() - started


def psycopg_pipe(src: str, dst: str, source_table: str, target_table: str) -> float:
    """Seconds of the same pipe in one process: psycopg binary COPY, the server's messages (a
    row each) gathered into 1 MiB writes (fewer, larger writes: faster than one per row)."""
    with connect(src) as reading, connect(dst) as writing:
        started = time.perf_counter()
        with (
            reading.cursor().copy(copy_out_sql(source_table)) as out,
            writing.cursor().copy(f"COPY {target_table} FROM STDIN (FORMAT BINARY)") as into,
        ):
            pending = bytearray()
            for block in out:
                pending += block
                if len(pending) >= WRITE_BYTES:
                    into.write(pending)
                    pending = bytearray()
            into.write(pending)
        return time.perf_counter() - started


@dataclass(frozen=True)
class Baseline:
    seconds: float
    how: str


def fastest(*timings: Baseline) -> Baseline:
    return min(timings, key=lambda timing: timing.seconds)


# --- SQLite files ---------------------------------------------------------------------------


def sqlite_connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: the script says BEGIN/COMMIT itself, one transaction per load.
    return sqlite3.connect(path, isolation_level=None)


def pg_to_sqlite_plain(src: str, source_table: str, path: Path, target_table: str) -> float:
    """Seconds of the plainest fast PostgreSQL → SQLite copy: text COPY out of PostgreSQL (each
    value already the text SQLite stores; booleans as 0/1), executemany in one transaction into
    an unindexed table."""
    select = SELECT_LIST.replace("is_active", "is_active::int")
    with connect(src) as reading:
        target = sqlite_connect(path)
        started = time.perf_counter()
        target.execute("BEGIN")
        insert = f"INSERT INTO {target_table} VALUES ({', '.join('?' * len(COLUMNS))})"
        with reading.cursor().copy(f"COPY (SELECT {select} FROM {source_table}) TO STDOUT") as out:
            target.executemany(insert, out.rows())
        target.execute("COMMIT")
        elapsed = time.perf_counter() - started
        target.close()
    return elapsed


def sqlite_to_pg_plain(path: Path, source_table: str, dst: str, target_table: str) -> float:
    """Seconds of the plainest fast SQLite → PostgreSQL copy: sqlite3 rows written by psycopg's
    text COPY into an unindexed table (binary COPY would need each value converted to its
    PostgreSQL type in Python first; text lets the server parse them)."""
    source = sqlite_connect(path)
    with connect(dst) as writing:
        started = time.perf_counter()
        rows = source.execute(f"SELECT {SELECT_LIST} FROM {source_table}")
        with writing.cursor().copy(f"COPY {target_table} ({SELECT_LIST}) FROM STDIN") as into:
            while batch := rows.fetchmany(10_000):
                for row in batch:
                    into.write_row(row)
        elapsed = time.perf_counter() - started
    source.close()
    return elapsed


# --- peak RSS -------------------------------------------------------------------------------

STATUS = Path("/proc/self/status")


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs), so that the peak of the
    next step alone can be read. False where that is not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM) since the last reset, in MiB."""
    if STATUS.exists():
        match = re.search(r"VmHWM:\s+(\d+) kB", STATUS.read_text())
        if match:
            return int(match.group(1)) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    match = re.search(r"VmRSS:\s+(\d+) kB", STATUS.read_text()) if STATUS.exists() else None
    return int(match.group(1)) / 1024 if match else 0.0


@contextmanager
def peak_rss() -> Iterator[list[float]]:
    """The peak RSS (MiB) of the ``with`` block, appended to the yielded list on exit."""
    reset_peak_rss()
    measured: list[float] = []
    yield measured
    measured.append(peak_rss_mb())


# --- sizes ---------------------------------------------------------------------------------


def sized(reduced: int, full: int) -> int:
    return full if is_full() else reduced


def profile_file(kind: str) -> str:
    """Where cProfile statistics of the last run of ``kind`` go ("" for none): a bench run with
    GOVSHARE_BENCH_PROFILE=STEM writes STEM.<kind>."""
    stem = os.environ.get("GOVSHARE_BENCH_PROFILE", "")
    return f"{stem}.{kind}" if stem else ""


def rows_per_second(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else 0.0


# --- the subscription, as the engine sees it ----------------------------------------------------


def node_department() -> Any:
    """The department owning the bench's connections (a fresh node: see census_import)."""
    _user, department = officer_of_new_department(0)
    return department


def pg_connection(department: Any, database: str, *, role: str) -> Any:
    """A saved ``Connection`` to ``database`` on the bench's PostgreSQL server."""
    from urllib.parse import urlsplit

    from govshare.core.crypto import sm4_encrypt
    from govshare.exchange.models import Connection, Engine

    url = urlsplit(PG_BASE)
    return Connection.objects.create(
        department=department,
        name=f"{role} {database}",
        role=role,
        engine=Engine.POSTGRESQL,
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        database=database,
        username=url.username or "",
        password_encrypted=sm4_encrypt(url.password) if url.password else "",
    )


def sqlite_connection(department: Any, file_name: str, *, role: str) -> Any:
    """A saved ``Connection`` to the SQLite file ``file_name`` in the node's sources directory."""
    from govshare.exchange.models import Connection, Engine

    return Connection.objects.create(
        department=department,
        name=f"{role} {file_name}",
        role=role,
        engine=Engine.SQLITE,
        database=file_name,
    )


def spec(
    subscription_id: int, source: Any, source_table: str, destination: Any, target: str
) -> Any:
    """The ``SyncSpec`` a grant of every item of the bench table gives: ID number and phone
    masked, the key unmasked, ``updated`` the watermark (what ``spec_for`` would build)."""
    from govshare.exchange.sync.spec import Column, SyncSpec

    columns = tuple(
        Column(
            item=name.upper(),
            source=name,
            target=name,
            masking=masking,
            data_type=data_type,
            length=length,
            is_key=name == KEY,
        )
        for name, _pg, _sqlite, data_type, length, masking in COLUMNS
    )
    return SyncSpec(
        subscription_id=subscription_id,
        source=source,
        source_table=source_table,
        destination=destination,
        destination_table=target,
        columns=columns,
        watermark_column=WATERMARK,
    )


@dataclass(frozen=True)
class SyncTiming:
    seconds: float
    peak_rss_mb: float
    rss_before_mb: float
    rows_read: int
    batches: int


def timed_sync(sync_spec: Any, *, full: bool, run_id: int, profile: str = "") -> SyncTiming:
    """Run the engine once (a full load creates its destination table first), timed, with the
    peak RSS of the run alone. ``profile``: a file to write cProfile statistics to."""
    from govshare.exchange.models import RunKind
    from govshare.exchange.sync import engine

    kind = RunKind.FULL if full else RunKind.INCREMENTAL
    before = rss_mb()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    with peak_rss() as peak:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        if full:
            engine.prepare_destination(sync_spec)
        progress = engine.run_sync(sync_spec, kind=kind, run_id=run_id)
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
    if profiler is not None:
        profiler.dump_stats(profile)
    return SyncTiming(elapsed, peak[0], before, progress.rows_read, progress.batches)
