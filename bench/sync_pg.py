"""Table exchange (库表交换) PostgreSQL → PostgreSQL: full load rows/s against a bare binary COPY
pipe, incremental seconds against the bare statements, and peak RSS at two table sizes.

Issue #13, Performance:
- ``sync_full_…``: a full load of 1,000,000 rows × 20 columns, 2 of them masked by the grant (ID
  number, mobile phone), by the engine (``prepare_destination`` + ``run_sync(kind=FULL)``: shadow
  table, index, swap, watermark), in rows/s; goal ≥ 0.6× the rows/s of the fastest bare pipe
  between the same two databases in the same run — ``psql COPY (…) TO STDOUT (FORMAT BINARY) |
  psql COPY … FROM STDIN (FORMAT BINARY)`` (two processes), or the same with psycopg in one
  process, whichever is faster in that round — into an unindexed table. DataX's published
  PostgreSQL writer figures are printed beside it, for scale only (other hardware).
- ``sync_incremental_…``: 10,000 changed rows out of 1,000,000 (``updated`` indexed), seconds of
  ``run_sync(kind=INCREMENTAL)``; goal < 1 s. Baseline, for scale: the bare statements that
  apply the same rows — binary COPY of ``updated > watermark`` into a temporary stage, one
  ``INSERT … ON CONFLICT DO UPDATE`` and a watermark row, in one transaction.
- ``sync_full_…_unmasked_…``: the same full load with no item masked (one run, after the
  others), against the same pipe: beside the masked figure, what masking in the source query
  costs.
- ``sync_peak_rss_…``: the peak resident memory of one full load (the process's VmHWM, reset
  before the run) at the full size, against the same at a tenth of it: flat means a ratio
  near 1.

Reduced size (default, and the test suite): 100,000 rows, 1,000 changed, RSS at 10,000.
Full size (GOVSHARE_BENCH_FULL=1): 1,000,000, 10,000 and 100,000. Two rounds of each timing,
alternated with the baseline so that drift on the (shared) machine hits both; the best round
of each is reported. GOVSHARE_BENCH_PROFILE=STEM writes cProfile statistics of the last full
load to STEM.full and of the last incremental run to STEM.incremental (this thread only).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import _sync
import psycopg
from _common import Figure, write_figures
from _sync import KEY, NAMES, TABLE, WATERMARK, Baseline, connect, pg_url
from census_import import setup_django

ROWS = _sync.sized(100_000, 1_000_000)
CHANGED = _sync.sized(1_000, 10_000)
SMALL_ROWS = ROWS // 10
ROUNDS = 2
FULL_GOAL_RATIO = 0.6
INCREMENTAL_GOAL_SECONDS = 1.0
RSS_GOAL_RATIO = 1.25
PIPE_TABLE = "people_pipe"
# round2-stack.md §1 (DataX's PostgresqlWriter documentation): records/s written.
DATAX_ONE_CHANNEL = (9_259, 10_869)
DATAX_SIXTEEN_CHANNELS = 94_117


def pipe_round(src: str, dst: str) -> Baseline:
    """The fastest bare pipe of this round, each variant into an emptied unindexed table."""
    timings = []
    pipes = [("psycopg", _sync.psycopg_pipe)]
    if shutil.which("psql"):  # the client programs may not be installed where the bench runs
        pipes.insert(0, ("psql | psql", _sync.psql_pipe))
    for how, pipe in pipes:
        with connect(dst) as db:
            db.execute(f"TRUNCATE {PIPE_TABLE}")
        timings.append(Baseline(pipe(src, dst, TABLE, PIPE_TABLE), how))
    return _sync.fastest(*timings)


def bare_incremental(src: str, dst: str, since: Any) -> float:
    """Seconds of the bare statements applying rows changed after ``since`` to the pipe's table
    (given its primary key beforehand), with a watermark row, in one transaction."""
    updates = ", ".join(f"{name} = EXCLUDED.{name}" for name in NAMES if name != KEY)
    with connect(src) as reading, psycopg.connect(pg_url(dst)) as writing:
        started = time.perf_counter()
        writing.execute(f"CREATE TEMP TABLE stage (LIKE {PIPE_TABLE}) ON COMMIT DROP")
        changed = (
            f"COPY (SELECT {_sync.SELECT_LIST} FROM {TABLE} WHERE {WATERMARK} > %s "
            f"ORDER BY {WATERMARK}, {KEY}) TO STDOUT (FORMAT BINARY)"
        )
        with (
            reading.cursor().copy(changed, (since,)) as out,
            writing.cursor().copy("COPY stage FROM STDIN (FORMAT BINARY)") as into,
        ):
            for block in out:
                into.write(block)
        writing.execute(
            f"INSERT INTO {PIPE_TABLE} SELECT * FROM stage ON CONFLICT ({KEY}) DO UPDATE SET "
            + updates
        )
        writing.execute("UPDATE bench_state SET watermark = (SELECT max(updated) FROM stage)::text")
        writing.commit()
        return time.perf_counter() - started


def source_watermark(src: str) -> Any:
    with connect(src) as db:
        return db.execute(f"SELECT max({WATERMARK}) FROM {TABLE}").fetchone()[0]  # type: ignore[index]


def check_destination(dst: str, table: str, rows: int) -> None:
    """The load is complete and masked: every row there, no ID number or phone in the clear."""
    with connect(dst) as db:
        assert _sync.count(db, table) == rows, f"{table} does not hold {rows} rows"
        clear = db.execute(
            f"SELECT count(*) FROM {table} WHERE id_number NOT LIKE '%%*%%' "
            "OR phone NOT LIKE '%%*%%'"
        ).fetchone()[0]  # type: ignore[index]
        assert clear == 0, f"{clear} rows of {table} hold an unmasked ID number or phone"


def run(src: str, dst: str, var_dir: Path) -> list[Figure]:
    with connect(src) as db:
        _sync.generate(db, TABLE, ROWS)
        db.execute(
            f"CREATE TABLE people_small AS SELECT * FROM {TABLE} WHERE {KEY} <= {SMALL_ROWS}"
        )
        db.execute(f"ALTER TABLE people_small ADD PRIMARY KEY ({KEY})")
    with connect(dst) as db:
        db.execute(_sync.pg_ddl(PIPE_TABLE, with_key=False))
    setup_django(var_dir)
    department = _sync.node_department()
    source = _sync.pg_connection(department, src, role="source")
    destination = _sync.pg_connection(department, dst, role="destination")

    # Memory first: a later, smaller run could not show a peak below what a bigger one left.
    small = _sync.timed_sync(
        _sync.spec(900, source, "people_small", destination, "people_small_sync"),
        full=True,
        run_id=900,
    )
    check_destination(dst, "people_small_sync", SMALL_ROWS)
    pipes, fulls = full_rounds(src, dst, source, destination)
    increments, bares = incremental_rounds(src, dst, source, destination)
    unmasked = unmasked_run(dst, source, destination)
    return [*report(pipes, fulls, increments, bares, small), unmasked_figure(unmasked, pipes)]


def full_rounds(
    src: str, dst: str, source: Any, destination: Any
) -> tuple[list[Baseline], list[_sync.SyncTiming]]:
    """Bare pipe and full load, alternately; the last round's table stays for the increments."""
    pipes: list[Baseline] = []
    fulls: list[_sync.SyncTiming] = []
    for number in range(1, ROUNDS + 1):
        pipes.append(pipe_round(src, dst))
        target = f"people_sync_r{number}"
        last = number == ROUNDS
        profile = _sync.profile_file("full") if last else ""
        sync_spec = _sync.spec(number, source, TABLE, destination, target)
        fulls.append(_sync.timed_sync(sync_spec, full=True, run_id=number, profile=profile))
        check_destination(dst, target, ROWS)
        if not last:
            with connect(dst) as db:
                db.execute(f"DROP TABLE {target}")
    return pipes, fulls


def unmasked_run(dst: str, source: Any, destination: Any) -> _sync.SyncTiming:
    """The same full load with no item masked: what masking in the source query costs."""
    masked = _sync.spec(800, source, TABLE, destination, "people_unmasked")
    columns = tuple(replace(column, masking="none") for column in masked.columns)
    timing = _sync.timed_sync(replace(masked, columns=columns), full=True, run_id=800)
    with connect(dst) as db:
        assert _sync.count(db, "people_unmasked") == ROWS
    return timing


def unmasked_figure(unmasked: _sync.SyncTiming, pipes: list[Baseline]) -> Figure:
    rate = _sync.rows_per_second(ROWS, unmasked.seconds)
    pipe_rate = _sync.rows_per_second(ROWS, min(pipe.seconds for pipe in pipes))
    print(f"the same full load with no item masked: {unmasked.seconds:.2f} s (one run)")
    return Figure(
        figure=f"sync_full_pg_to_pg_{ROWS}_rows_20_columns_unmasked_rows_per_s",
        value=round(rate, 1),
        baseline=round(pipe_rate, 1),
        ratio=round(rate / pipe_rate, 4),
        goal="none: beside the masked load, what masking costs",
        unit="rows/s",
    )


def incremental_rounds(
    src: str, dst: str, source: Any, destination: Any
) -> tuple[list[_sync.SyncTiming], list[float]]:
    """Each round changes a new set of rows at the source, then applies it by the engine (to
    the last full load's table) and by the bare statements (to the pipe's table)."""
    with connect(dst) as db:
        db.execute(f"ALTER TABLE {PIPE_TABLE} ADD PRIMARY KEY ({KEY})")
        db.execute("CREATE TABLE bench_state (watermark text)")
        db.execute("INSERT INTO bench_state VALUES ('')")
    target = f"people_sync_r{ROUNDS}"
    sync_spec = _sync.spec(ROUNDS, source, TABLE, destination, target)
    increments: list[_sync.SyncTiming] = []
    bares: list[float] = []
    for number in range(1, ROUNDS + 1):
        since = source_watermark(src)
        with connect(src) as db:
            assert _sync.change_rows(db, TABLE, ROWS // CHANGED, number) == CHANGED
        profile = _sync.profile_file("incremental") if number == ROUNDS else ""
        increments.append(
            _sync.timed_sync(sync_spec, full=False, run_id=100 + number, profile=profile)
        )
        # At least the changed rows: after a full load the engine reads the rows at the
        # committed watermark again (idempotent upserts), as it cannot know their keys.
        assert increments[-1].rows_read >= CHANGED, increments[-1]
        bares.append(bare_incremental(src, dst, since))
    with connect(dst) as db:
        arrived = db.execute(f"SELECT count(*) FROM {target} WHERE status = '变更'").fetchone()[0]  # type: ignore[index]
    assert arrived == CHANGED * ROUNDS, f"{arrived} changed rows arrived, not {CHANGED * ROUNDS}"
    return increments, bares


def report(
    pipes: list[Baseline],
    fulls: list[_sync.SyncTiming],
    increments: list[_sync.SyncTiming],
    bares: list[float],
    small: _sync.SyncTiming,
) -> list[Figure]:
    for number, (pipe, full) in enumerate(zip(pipes, fulls, strict=True), start=1):
        print(
            f"round {number}: full sync {full.seconds:.2f} s ({full.batches} batches), bare pipe "
            f"{pipe.seconds:.2f} s ({pipe.how}); peak RSS {full.peak_rss_mb:.0f} MiB (before "
            f"{full.rss_before_mb:.0f})"
        )
    for number, (sync, bare) in enumerate(zip(increments, bares, strict=True), start=1):
        print(
            f"round {number}: incremental sync {sync.seconds:.3f} s, bare statements {bare:.3f} s"
        )
    best_pipe = min(pipe.seconds for pipe in pipes)
    best_full = min(full.seconds for full in fulls)
    sync_rate = _sync.rows_per_second(ROWS, best_full)
    pipe_rate = _sync.rows_per_second(ROWS, best_pipe)
    low, high = DATAX_ONE_CHANNEL
    print(
        f"full sync {sync_rate:,.0f} rows/s; DataX PostgresqlWriter publishes {low:,}–{high:,} "
        f"records/s on 1 channel and {DATAX_SIXTEEN_CHANNELS:,} on 16 "
        "(round2-stack.md §1; other hardware, for scale only)"
    )
    peak_large = max(full.peak_rss_mb for full in fulls)
    print(
        f"peak RSS: {small.peak_rss_mb:.0f} MiB at {SMALL_ROWS:,} rows, {peak_large:.0f} MiB at "
        f"{ROWS:,} rows (process before a run: {small.rss_before_mb:.0f} MiB)"
    )
    best_increment = min(sync.seconds for sync in increments)
    best_bare = min(bares)
    return [
        Figure(
            figure=f"sync_full_pg_to_pg_{ROWS}_rows_20_columns_2_masked_rows_per_s",
            value=round(sync_rate, 1),
            baseline=round(pipe_rate, 1),
            ratio=round(sync_rate / pipe_rate, 4),
            goal=f">= {FULL_GOAL_RATIO} (ratio)",
            unit="rows/s",
        ),
        Figure(
            figure=f"sync_incremental_pg_to_pg_{CHANGED}_of_{ROWS}_rows_seconds",
            value=round(best_increment, 4),
            baseline=round(best_bare, 4),
            ratio=round(best_increment / best_bare, 4),
            goal=f"< {INCREMENTAL_GOAL_SECONDS:.0f} s",
            unit="s",
        ),
        Figure(
            figure=f"sync_peak_rss_pg_to_pg_{ROWS}_rows_vs_{SMALL_ROWS}_mib",
            value=round(peak_large, 1),
            baseline=round(small.peak_rss_mb, 1),
            ratio=round(peak_large / small.peak_rss_mb, 4),
            goal=f"<= {RSS_GOAL_RATIO} (ratio: flat)",
            unit="MiB",
        ),
    ]


def main() -> int:
    _sync.skip_without_pg("sync_pg")
    with (
        tempfile.TemporaryDirectory(prefix="govshare-bench-") as tmp,
        _sync.databases("src", "dst") as (src, dst),
    ):
        figures = run(src, dst, Path(tmp))
    write_figures("sync_pg", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
