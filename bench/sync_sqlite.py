"""Table exchange (库表交换) between SQLite and PostgreSQL, both ways: full load rows/s of the
engine against the fastest plain script for the same pair, and the peak RSS of each run.

Issue #13, Performance: "SQLite → PostgreSQL and PostgreSQL → SQLite of the same table: printed
beside, against the fastest plain script you can write for the same pair". The table is the one
of sync_pg.py (20 columns, ID number and phone masked by the grant), smaller: a SQLite file is a
small department's front-end database (前置库), not a million-row warehouse.

- ``sync_sqlite_to_pg_…``: the engine loads a SQLite file of the node's sources directory into
  PostgreSQL. Plain script: sqlite3 ``fetchmany`` rows written by psycopg's text COPY into an
  unindexed table.
- ``sync_pg_to_sqlite_…``: the engine loads the PostgreSQL table into a SQLite destination
  file. Plain script: psycopg text COPY out (values already as SQLite stores them) and sqlite3
  ``executemany`` in one transaction into an unindexed table.
- ``sync_peak_rss_pg_to_sqlite_…``: the peak RSS of the engine's PostgreSQL → SQLite load (rows
  pass through Python in batches of about ``batch_bytes``, here 1 MiB) of the whole table
  against the same for a quarter of it: flat means a ratio near 1.

Neither plain script masks or builds a key; the engine does both. Reduced size (default, and
the test suite): 20,000 rows; full size (GOVSHARE_BENCH_FULL=1): 200,000. Two rounds, each
alternating plain script and engine; the best round of each is reported.
GOVSHARE_BENCH_PROFILE=STEM writes cProfile statistics of the last runs to STEM.sqlite_to_pg
and STEM.pg_to_sqlite.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import _sync
from _common import Figure, write_figures
from _sync import TABLE, connect
from census_import import setup_django

ROWS = _sync.sized(20_000, 200_000)
SMALL_ROWS = ROWS // 4
SMALL_TABLE = "people_small"
# The memory runs' batch: small enough that even the smaller table spans several batches, so
# a peak that grew with the table, not with the batch, would show (the default is 8 MiB).
MEMORY_BATCH_BYTES = 2**20
RSS_GOAL_RATIO = 1.25
SOURCE_FILE = "bench_source.sqlite3"
ROUNDS = 2


def sqlite_file(directory: Path, name: str, table: str, *, with_key: bool) -> Path:
    """A new SQLite file holding an empty bench table."""
    path = directory / name
    path.unlink(missing_ok=True)
    database = _sync.sqlite_connect(path)
    database.execute(_sync.sqlite_ddl(table, with_key=with_key))
    database.close()
    return path


def check_sqlite(path: Path, table: str, expected: int) -> None:
    database = _sync.sqlite_connect(path)
    try:
        rows, clear = database.execute(
            f"SELECT count(*), sum(id_number NOT LIKE '%*%' OR phone NOT LIKE '%*%') FROM {table}"
        ).fetchone()
    finally:
        database.close()
    assert rows == expected, f"{path.name} holds {rows} rows, not {expected}"
    assert not clear, f"{clear} rows of {path.name} hold an unmasked ID number or phone"


def check_pg(dst: str, table: str) -> None:
    with connect(dst) as db:
        rows, clear = db.execute(
            f"SELECT count(*), count(*) FILTER (WHERE id_number NOT LIKE '%%*%%' "
            f"OR phone NOT LIKE '%%*%%') FROM {table}"
        ).fetchone()  # type: ignore[misc]
    assert rows == ROWS, f"{table} holds {rows} rows, not {ROWS}"
    assert not clear, f"{clear} rows of {table} hold an unmasked ID number or phone"


def run(src: str, dst: str, var_dir: Path) -> list[Figure]:
    sources = var_dir / "sources"  # the node's sources directory (connectors.sql.sources_dir)
    sources.mkdir(parents=True)
    with connect(src) as db:
        _sync.generate(db, TABLE, ROWS)
        db.execute(f"CREATE TABLE {SMALL_TABLE} AS SELECT * FROM {TABLE} WHERE id <= {SMALL_ROWS}")
        db.execute(f"ALTER TABLE {SMALL_TABLE} ADD PRIMARY KEY (id)")
    source_file = sqlite_file(sources, SOURCE_FILE, TABLE, with_key=True)
    _sync.pg_to_sqlite_plain(src, TABLE, source_file, TABLE)
    setup_django(var_dir)
    department = _sync.node_department()
    pg_source = _sync.pg_connection(department, src, role="source")
    pg_destination = _sync.pg_connection(department, dst, role="destination")
    sqlite_source = _sync.sqlite_connection(department, SOURCE_FILE, role="source")

    small, large = memory_runs(department, pg_source, sources)
    to_pg: list[tuple[float, _sync.SyncTiming]] = []
    to_sqlite: list[tuple[float, _sync.SyncTiming]] = []
    for number in range(1, ROUNDS + 1):
        last = number == ROUNDS
        sync_spec = _sync.spec(number, sqlite_source, TABLE, pg_destination, f"sync_r{number}")
        to_pg.append(sqlite_to_pg_round(source_file, dst, sync_spec, number, last=last))
        destination = _sync.sqlite_connection(
            department, f"sync_r{number}.sqlite3", role="destination"
        )
        sync_spec = _sync.spec(100 + number, pg_source, TABLE, destination, TABLE)
        to_sqlite.append(pg_to_sqlite_round(src, sources, sync_spec, number, last=last))
    return [
        figure("sync_sqlite_to_pg", to_pg, "sqlite3 + psycopg text COPY"),
        figure("sync_pg_to_sqlite", to_sqlite, "psycopg text COPY + sqlite3 executemany"),
        rss_figure(small, large),
    ]


def memory_runs(
    department: Any, pg_source: Any, sources: Path
) -> tuple[_sync.SyncTiming, _sync.SyncTiming]:
    """PostgreSQL → SQLite loads of a quarter of the table and of all of it, in batches of
    MEMORY_BATCH_BYTES, the smaller first (see sync_pg.py): peak RSS of each."""
    runs = []
    for number, (table, rows) in enumerate(((SMALL_TABLE, SMALL_ROWS), (TABLE, ROWS)), 900):
        name = f"memory_{rows}.sqlite3"
        destination = _sync.sqlite_connection(department, name, role="destination")
        sync_spec = replace(
            _sync.spec(number, pg_source, table, destination, TABLE),
            batch_bytes=MEMORY_BATCH_BYTES,
        )
        runs.append(_sync.timed_sync(sync_spec, full=True, run_id=number))
        check_sqlite(sources / name, TABLE, rows)
    return runs[0], runs[1]


def sqlite_to_pg_round(
    source_file: Path, dst: str, sync_spec: Any, number: int, *, last: bool
) -> tuple[float, _sync.SyncTiming]:
    """The plain script into an unindexed table, then the engine into its own."""
    plain_table = f"plain_r{number}"
    with connect(dst) as db:
        db.execute(_sync.pg_ddl(plain_table, with_key=False))
    plain = _sync.sqlite_to_pg_plain(source_file, TABLE, dst, plain_table)
    profile = _sync.profile_file("sqlite_to_pg") if last else ""
    timing = _sync.timed_sync(sync_spec, full=True, run_id=number, profile=profile)
    check_pg(dst, sync_spec.destination_table)
    return plain, timing


def pg_to_sqlite_round(
    src: str, sources: Path, sync_spec: Any, number: int, *, last: bool
) -> tuple[float, _sync.SyncTiming]:
    """The plain script into a new unindexed file, then the engine into a file of its own."""
    plain_file = sqlite_file(sources, f"plain_r{number}.sqlite3", TABLE, with_key=False)
    plain = _sync.pg_to_sqlite_plain(src, TABLE, plain_file, TABLE)
    profile = _sync.profile_file("pg_to_sqlite") if last else ""
    timing = _sync.timed_sync(sync_spec, full=True, run_id=100 + number, profile=profile)
    check_sqlite(sources / sync_spec.destination.database, TABLE, ROWS)
    return plain, timing


def rss_figure(small: _sync.SyncTiming, large: _sync.SyncTiming) -> Figure:
    peak = large.peak_rss_mb
    print(
        f"PostgreSQL → SQLite peak RSS: {small.peak_rss_mb:.0f} MiB at {SMALL_ROWS:,} rows, "
        f"{peak:.0f} MiB at {ROWS:,} rows, batches of {MEMORY_BATCH_BYTES // 2**20} MiB "
        f"(process before a run: {small.rss_before_mb:.0f} MiB)"
    )
    return Figure(
        figure=f"sync_peak_rss_pg_to_sqlite_{ROWS}_rows_vs_{SMALL_ROWS}_mib",
        value=round(peak, 1),
        baseline=round(small.peak_rss_mb, 1),
        ratio=round(peak / small.peak_rss_mb, 4),
        goal=f"<= {RSS_GOAL_RATIO} (ratio: flat)",
        unit="MiB",
    )


def figure(name: str, rounds: list[tuple[float, _sync.SyncTiming]], plain_how: str) -> Figure:
    for number, (plain, sync) in enumerate(rounds, start=1):
        print(
            f"{name} round {number}: sync {sync.seconds:.2f} s ({sync.batches} batches), "
            f"plain script {plain:.2f} s "
            f"({plain_how}); sync peak RSS {sync.peak_rss_mb:.0f} MiB "
            f"(before {sync.rss_before_mb:.0f})"
        )
    rate: Callable[[float], float] = lambda seconds: _sync.rows_per_second(ROWS, seconds)  # noqa: E731
    value = rate(min(sync.seconds for _plain, sync in rounds))
    baseline = rate(min(plain for plain, _sync_timing in rounds))
    return Figure(
        figure=f"{name}_{ROWS}_rows_20_columns_2_masked_rows_per_s",
        value=round(value, 1),
        baseline=round(baseline, 1),
        ratio=round(value / baseline, 4),
        goal="printed beside the plain script (no goal)",
        unit="rows/s",
    )


def main() -> int:
    _sync.skip_without_pg("sync_sqlite")
    with (
        tempfile.TemporaryDirectory(prefix="govshare-bench-") as tmp,
        _sync.databases("src", "dst") as (src, dst),
    ):
        figures = run(src, dst, Path(tmp))
    write_figures("sync_sqlite", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
