"""One run of a table subscription (同步执行), batch by batch, exactly once.

Each batch is written with its position in one destination transaction (issue 13 item 3), so a
run killed at any point — ``kill -9`` of the worker, a lost connection, an exception from
``on_batch`` — resumes from the last committed batch when run again, no row lost, none twice:

- **Full load** (全量): rows in key order into a shadow table; the shadow's load position is
  committed with each batch. When a key range (``part``) is done it marks its state row done;
  the part that finds every part done (under a lock on the plan) indexes the shadow and swaps it
  in by rename, in the same transaction as the new watermark (PostgreSQL, SQLite; MySQL renames
  atomically, then commits the state, and a later run finishes a swap cut short). The
  destination table never shows a half-loaded table.
- **Incremental by watermark** (按时间戳/递增ID增量): rows with (watermark, key) after the committed
  pair, in that order; each batch upserted by key with its last (watermark, key) committed.
- **Incremental by key comparison** (按主键比对增量): per-key digests of the delivered values
  compared with the destination's; changed and new rows upserted.
- Deletes: rows the source flags deleted (soft-delete column) are deleted at the destination and
  never delivered; with ``delete_missing`` keys gone from the source are deleted too.

PostgreSQL → PostgreSQL goes through binary COPY between the two connections (``pgcopy``) when
every masked item has an SQL form; every other pair, by batched executemany.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from django.utils.translation import gettext as _

from govshare.exchange.connectors.sql import INVALID, coerce, json_ready, python_type
from govshare.exchange.masking import mask
from govshare.exchange.models import RunKind
from govshare.exchange.sync import destination as dest
from govshare.exchange.sync import pgcopy
from govshare.exchange.sync.errors import SyncError, SyncFailure
from govshare.exchange.sync.source import (
    DELETED_LABEL,
    WATERMARK_LABEL,
    SourceTable,
    key_after,
    key_at_or_after,
    reflect_source,
    source_engine,
    source_failure,
)
from govshare.exchange.sync.spec import SyncSpec

# A first guess of a row's size, until a batch has measured it.
FIRST_ROW_BYTES = 100
MAX_BATCH_ROWS = 200_000
# The COPY path never holds a batch's rows, so its batches are bigger: what a batch's size bounds
# there is the work a kill loses, against a fixed cost per batch (finding its end, planning the
# SELECT, a commit; 1M rows: 38 batches 17.2 s, one batch 14.3 s). A budget below
# COPY_SCALED_FROM asks for small batches on purpose (slow links, tests) and is kept.
COPY_BATCH_FACTOR = 8
COPY_SCALED_FROM = 1024 * 1024
COPY_MAX_BATCH_ROWS = 1_000_000
COMPARE_BATCH_ROWS = 2_000  # key comparison fetches the destination's rows by key, IN (…)


@dataclass
class Progress:
    """Counts of this run so far, passed to ``on_batch`` after every committed batch."""

    rows_read: int = 0
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    bytes: int = 0
    batches: int = 0
    rows_total: int | None = None
    watermark: str = ""


@dataclass(frozen=True)
class KeyRange:
    """A slice of the key space for a parallel full load: ``low`` <= key < ``high`` (None: open
    end). Values are JSON-ready (they travel in task arguments). ``parts`` is how many ranges
    the load was split into: every part of one load must be given the same number."""

    part: int
    low: tuple[Any, ...] | None
    high: tuple[Any, ...] | None
    parts: int = 1


WHOLE = KeyRange(0, None, None, 1)


def _ignore(progress: Progress) -> None:
    return None


def _never() -> bool:
    return False


@dataclass
class Run:
    """What one run works with: both databases, the reflected source and its progress."""

    spec: SyncSpec
    source: SourceTable
    src: sa.Engine
    dst: sa.Engine
    run_id: int
    on_batch: Callable[[Progress], None]
    should_stop: Callable[[], bool]
    progress: Progress = field(default_factory=Progress)
    state: sa.Table = field(init=False)

    def __post_init__(self) -> None:
        self.state = dest.state_table(sa.MetaData())

    @property
    def dialect(self) -> str:
        return self.dst.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One destination transaction; a driver error becomes a failure naming its cause."""
        with dest.destination_errors(self.spec), self.dst.begin() as db:
            yield db

    def committed(self, rows: int, size: int, **counts: int) -> None:
        """Count a committed batch and tell the caller."""
        progress = self.progress
        progress.rows_read += rows
        progress.bytes += size
        progress.batches += 1
        progress.rows_inserted += counts.get("inserted", 0)
        progress.rows_updated += counts.get("updated", 0)
        progress.rows_deleted += counts.get("deleted", 0)
        self.on_batch(Progress(**vars(progress)))

    def batch_rows(self, rows: int, size: int) -> int:
        """Rows in the next batch, so that it is about ``batch_bytes`` long."""
        per_row = size / rows if rows and size else FIRST_ROW_BYTES
        return max(1, min(MAX_BATCH_ROWS, int(self.spec.batch_bytes / max(per_row, 1))))

    def copy_batch_rows(self, rows: int, size: int) -> int:
        """Rows in the next batch of the COPY path (``COPY_BATCH_FACTOR``)."""
        budget = self.spec.batch_bytes
        if budget >= COPY_SCALED_FROM:
            budget *= COPY_BATCH_FACTOR
        per_row = size / rows if rows and size else FIRST_ROW_BYTES
        return max(1, min(COPY_MAX_BATCH_ROWS, int(budget / max(per_row, 1))))

    def table(self, name: str | None = None, *, keyed: bool = True) -> sa.Table:
        names = dest.names_of(self.spec)
        return dest.table_for(self.spec, self.dialect, name or names.table, keyed=keyed)

    @contextmanager
    def source_rows(self) -> Iterator[sa.Connection]:
        with _source_errors(self.spec), self.src.connect() as db:
            yield db

    def count(self, conditions: list[sa.ColumnElement[bool]]) -> int:
        with self.source_rows() as db:
            query = sa.select(sa.func.count()).select_from(self.source.table)
            return int(db.execute(query.where(*conditions)).scalar_one())


@contextmanager
def _source_errors(spec: SyncSpec) -> Iterator[None]:
    try:
        yield
    except sa.exc.SQLAlchemyError as error:
        raise source_failure(error, spec) from None


# --- the public functions -------------------------------------------------------------------


def run_sync(
    spec: SyncSpec,
    *,
    kind: str,
    run_id: int,
    part: KeyRange | None = None,
    on_batch: Callable[[Progress], None] = _ignore,
    should_stop: Callable[[], bool] = _never,
) -> Progress:
    """Run ``spec`` once (``kind`` RunKind.FULL or INCREMENTAL) and return this run's counts.

    ``should_stop()`` is asked before every batch; when it answers True the run returns with
    what it committed so far (a full load resumes from there next time). Raises ``SyncFailure``
    naming the cause; an exception raised by ``on_batch`` propagates after its batch committed.
    """
    with source_engine(spec) as src, destination_engine_checked(spec) as dst:
        with _source_errors(spec):
            source = reflect_source(src, spec)
        run = Run(spec, source, src, dst, run_id, on_batch, should_stop)
        if kind == RunKind.FULL:
            return full_load(run, part or WHOLE)
        if kind != RunKind.INCREMENTAL:
            raise SyncFailure(
                SyncError.SPEC_INVALID, _("A sync run is a full load or an incremental run.")
            )
        _ready_live_table(run)
        if spec.watermark_column:
            incremental_by_watermark(run)
        else:
            incremental_by_key_comparison(run)
        if spec.delete_missing:
            delete_missing_keys(run)
        return run.progress


@contextmanager
def destination_engine_checked(spec: SyncSpec) -> Iterator[sa.Engine]:
    """The destination's engine, once a first connection proved the login and the host."""
    with dest.destination_engine(spec) as engine:
        with dest.destination_errors(spec, connected=False), engine.connect():
            pass
        with dest.destination_errors(spec):
            dest.ensure_state_table(engine)
        yield engine


def prepare_destination(spec: SyncSpec) -> None:
    """Create the destination table (granted items, key as PRIMARY KEY) and the state table if
    they are missing; an existing table is checked against the spec (``destination_altered``);
    a table dropped by hand is created again and its watermark forgotten (``ready_table``)."""
    with destination_engine_checked(spec) as engine:
        with dest.destination_errors(spec), engine.begin() as db:
            ready_table(db, spec, dest.state_table(sa.MetaData()))


def destination_watermark(spec: SyncSpec) -> str:
    """The committed watermark of the destination table ("" before the first one)."""
    with destination_engine_checked(spec) as engine:
        with dest.destination_errors(spec), engine.connect() as db:
            state = dest.state_table(sa.MetaData())
            live = dest.read_states(db, state, spec).get(dest.LIVE)
        return (live.watermark or "") if live else ""


def key_ranges(spec: SyncSpec, parts: int) -> list[KeyRange]:
    """``parts`` ranges of about equal row counts over the source's (filtered) keys, for a full
    load by several workers; one open range when the table is too small to split."""
    with source_engine(spec) as src, _source_errors(spec), src.connect() as db:
        source = reflect_source(src, spec)
        keys = source.key_columns()
        conditions = [*source.filters(), *source.live_only()]
        total = db.execute(
            sa.select(sa.func.count()).select_from(source.table).where(*conditions)
        ).scalar_one()
        bounds: list[tuple[Any, ...]] = []
        for index in range(1, max(parts, 1)):
            query = sa.select(*keys).where(*conditions).order_by(*keys)
            row = db.execute(query.offset(total * index // parts).limit(1)).first()
            bound = tuple(json_ready(value) for value in row) if row else None
            if bound is not None and bound not in bounds:
                bounds.append(bound)
    edges: list[tuple[Any, ...] | None] = [None, *bounds, None]
    count = len(edges) - 1
    return [KeyRange(n, edges[n], edges[n + 1], count) for n in range(count)]


# --- reading the source ---------------------------------------------------------------------


def row_size(row: dict[str, Any]) -> int:
    return sum(len(str(value)) for value in row.values() if value is not None) + len(row)


SIZE_SAMPLE = 32  # one row in this many is measured; the others count as its size


def source_batches(
    run: Run, query: sa.Select[Any], *, max_rows: int = MAX_BATCH_ROWS
) -> Generator[tuple[list[dict[str, Any]], int], None, None]:
    """The query's rows in batches of about ``batch_bytes``, streamed (never all in memory),
    masked in Python where the source's SQL could not."""
    masked = run.source.python_masked
    typed = _text_to_type(run)
    limit = min(max_rows, run.batch_rows(0, 0))
    batch: list[dict[str, Any]] = []
    size = measured = 0
    with _source_errors(run.spec), run.src.connect() as db:
        result = db.execution_options(stream_results=True, yield_per=1000).execute(query)
        try:
            names = list(result.keys())
            for values in result:
                row = dict(zip(names, values, strict=True))
                for target, kind in masked.items():
                    row[target] = mask(kind, row[target])
                for target, column in typed.items():
                    if isinstance(row[target], str):
                        row[target] = _typed_value(column, row[target])
                batch.append(row)
                if len(batch) % SIZE_SAMPLE == 1:
                    measured = row_size(row)
                size += measured
                if size >= run.spec.batch_bytes or len(batch) >= limit:
                    yield batch, size
                    batch, size = [], 0
        finally:
            result.close()  # a server-side cursor, closed before its connection
        if batch:
            yield batch, size


def _text_to_type(run: Run) -> dict[str, sa.Column[Any]]:
    """Destination columns of a non-text type whose source may hand over text: SQLite keeps
    dates and numbers as text whatever the column's declared type, and a text column of any
    source may hold them; each such value is converted to the type the platform created."""
    table = run.table()
    masked = {column.target for column in run.spec.masked}
    return {
        name: column
        for name, column in table.c.items()
        if name not in masked and python_type(column) not in (None, str)
    }


def _typed_value(column: sa.Column[Any], text: str) -> Any:
    value = coerce(column, text)
    if value is INVALID:
        raise SyncFailure(
            SyncError.SOURCE_FAILED,
            _("The source value “%(value)s” of %(column)s is not of the item's data type.")
            % {"value": text[:40], "column": column.name},
        )
    return value


def _range_conditions(source: SourceTable, part: KeyRange) -> list[sa.ColumnElement[bool]]:
    keys = source.key_columns()
    conditions = []
    if part.low is not None:
        conditions.append(key_at_or_after(keys, source.key_values(part.low)))
    if part.high is not None:
        conditions.append(sa.not_(key_at_or_after(keys, source.key_values(part.high))))
    return conditions


def _delivered_row(run: Run, row: dict[str, Any]) -> dict[str, Any]:
    return {column.target: row[column.target] for column in run.spec.columns}


# --- full load ------------------------------------------------------------------------------


def full_load(run: Run, part: KeyRange) -> Progress:
    plan = begin_full_load(run, part)
    if plan.done:
        finish_full_load(run, part)
        return run.progress
    source = run.source
    watermark = plan.watermark if plan.watermark is not None else _source_watermark(run)
    run.progress.watermark = watermark
    conditions = [*source.filters(), *source.live_only(), *_range_conditions(source, part)]
    if plan.position is not None:
        conditions.append(key_after(source.key_columns(), source.key_values(plan.position)))
    run.progress.rows_total = run.count(conditions)
    delivered = source.delivered()
    if _copy_path(run):
        if not pgcopy.full_load_batches(run, part, conditions, watermark):
            return run.progress
    elif not _full_load_batches(run, part, delivered, conditions, watermark):
        return run.progress
    finish_full_load(run, part)
    return run.progress


def _full_load_batches(
    run: Run,
    part: KeyRange,
    delivered: list[sa.ColumnElement[Any]],
    conditions: list[sa.ColumnElement[bool]],
    watermark: str,
) -> bool:
    """Load the part's rows into the shadow; False if told to stop before a batch."""
    shadow = run.table(dest.names_of(run.spec).shadow)
    query = sa.select(*delivered).where(*conditions).order_by(*run.source.key_columns())
    with closing(source_batches(run, query)) as batches:
        for batch, size in batches:
            if run.should_stop():
                return False
            with run.transaction() as db:
                dest.insert_rows(db, shadow, batch)
                position = dest.key_of(run.spec, batch[-1])
                dest.write_state(
                    db, run.state, run.spec, part.part, run.run_id, position=position,
                    watermark=watermark,
                )  # fmt: skip
            run.committed(len(batch), size, inserted=len(batch))
    return True


def _source_watermark(run: Run) -> str:
    """The source's highest watermark before the load reads anything: the next incremental
    run starts there (rows changed during the load are delivered again, never missed)."""
    if not run.spec.watermark_column:
        return ""
    column = run.source.column(run.spec.watermark_column)
    with run.source_rows() as db:
        query = sa.select(sa.func.max(column)).where(*run.source.filters())
        value = db.execute(query).scalar_one()
    return "" if value is None else str(json_ready(value))


def begin_full_load(run: Run, part: KeyRange) -> dest.State:
    """This part's state row; a new plan (fresh shadow, a row per part) when there is none for
    this spec and this number of parts."""
    names = dest.names_of(run.spec)
    layout = dest.layout_of(run.spec)
    with plan_lock(run) as db:
        parts = _part_states(db, run)
        fresh = (
            part.part not in parts
            or len(parts) != part.parts
            or any(s.layout != layout or s.parts != part.parts for s in parts.values())
        )
        if fresh:
            _drop(db, names.shadow, names.schema)
            shadow = run.table(names.shadow, keyed=run.dialect != "postgresql")
            shadow.create(db)
            db.execute(sa.delete(run.state).where(_parts_of(run)))
            for number in range(part.parts):
                dest.write_state(
                    db, run.state, run.spec, number, run.run_id, parts=part.parts,
                    layout=layout, done=False, position=None, watermark=None,
                )  # fmt: skip
            parts = _part_states(db, run)
    return parts[part.part]


def finish_full_load(run: Run, part: KeyRange) -> None:
    """Mark the part done; the last part done swaps the shadow in with the new watermark."""
    with plan_lock(run) as db:
        dest.write_state(db, run.state, run.spec, part.part, run.run_id, done=True)
        parts = _part_states(db, run)
        if not parts or not all(state.done for state in parts.values()):
            return
        if run.dialect != "mysql":
            _swap(run, db, parts)
            return
    with plan_lock(run) as db:  # MySQL: RENAME TABLE commits by itself
        parts = _part_states(db, run)
        if parts and all(state.done for state in parts.values()):
            _swap(run, db, parts)


def _swap(run: Run, db: sa.Connection, parts: dict[int, dest.State]) -> None:
    names = dest.names_of(run.spec)
    if dest.table_exists(db, names.shadow, names.schema):
        _swap_tables(run, db, names)
    watermarks = [state.watermark for state in parts.values() if state.watermark]
    watermark = min(watermarks, key=run.source.watermark_value) if watermarks else ""
    dest.write_state(
        db, run.state, run.spec, dest.LIVE, run.run_id, watermark=watermark, position=None,
        done=False,
    )  # fmt: skip
    db.execute(sa.delete(run.state).where(_parts_of(run)))
    run.progress.watermark = watermark
    if run.dialect == "mysql":
        _drop(db, names.old, names.schema)


def _swap_tables(run: Run, db: sa.Connection, names: dest.Names) -> None:
    quote = db.dialect.identifier_preparer.quote
    prefix = f"{quote(names.schema)}." if names.schema else ""
    table, shadow = prefix + quote(names.table), prefix + quote(names.shadow)
    exists = dest.table_exists(db, names.table, names.schema)
    if run.dialect == "mysql":
        old = prefix + quote(names.old)
        _drop(db, names.old, names.schema)
        renames = f"{table} TO {old}, {shadow} TO {table}" if exists else f"{shadow} TO {table}"
        db.exec_driver_sql(f"RENAME TABLE {renames}")
        return
    if run.dialect == "postgresql":
        # Indexed once, after the load: building the key at the end is what makes the shadow
        # fast (round2-stack.md §1: 0.71× a bare COPY pipe; merging into a keyed table 0.33×).
        keys = ", ".join(quote(column.target) for column in run.spec.key)
        constraint = quote(f"gs_pk_{run.spec.subscription_id}_{run.run_id}_{_suffix()}")
        db.exec_driver_sql(f"ALTER TABLE {shadow} ADD CONSTRAINT {constraint} PRIMARY KEY ({keys})")
    if exists:
        db.exec_driver_sql(f"DROP TABLE {table}")
    db.exec_driver_sql(f"ALTER TABLE {shadow} RENAME TO {quote(names.table)}")


def _suffix() -> str:
    return secrets.token_hex(3)


def _drop(db: sa.Connection, name: str, schema: str | None) -> None:
    if dest.table_exists(db, name, schema):
        sa.Table(name, sa.MetaData(), schema=schema).drop(db)


def _parts_of(run: Run) -> sa.ColumnElement[bool]:
    state = run.state
    return sa.and_(state.c.subscription_id == run.spec.subscription_id, state.c.part >= 0)


def _part_states(db: sa.Connection, run: Run) -> dict[int, dest.State]:
    states = dest.read_states(db, run.state, run.spec)
    return {number: state for number, state in states.items() if number >= 0}


@contextmanager
def plan_lock(run: Run) -> Iterator[sa.Connection]:
    """A destination transaction holding the subscription's plan lock: PostgreSQL's advisory
    transaction lock, SQLite's BEGIN IMMEDIATE, MySQL's GET_LOCK (its DDL commits on its own,
    so the lock is the session's, released at the end)."""
    with dest.destination_errors(run.spec), run.dst.connect() as db:
        name = f"govshare_sync_{run.spec.subscription_id}"
        if run.dialect == "mysql":
            db.execute(sa.select(sa.func.get_lock(name, 60)))
            db.commit()
        try:
            with db.begin():
                dest.lock_subscription(db, run.state, run.spec)
                yield db
        finally:
            if run.dialect == "mysql":
                db.execute(sa.select(sa.func.release_lock(name)))
                db.commit()


# --- incremental runs -----------------------------------------------------------------------


def _ready_live_table(run: Run) -> None:
    with run.transaction() as db:
        ready_table(db, run.spec, run.state)


def ready_table(db: sa.Connection, spec: SyncSpec, state: sa.Table) -> None:
    """The destination table as the platform created it: created when missing, refused when
    altered by hand. A table dropped after runs had delivered to it is created again with its
    committed watermark forgotten, so the next run delivers every row again (rows kept by an
    old watermark would otherwise never come back)."""
    names = dest.names_of(spec)
    if dest.table_exists(db, names.table, names.schema):
        dest.check_destination_table(db, spec)
        return
    dest.table_for(spec, db.dialect.name, names.table).create(db)
    live = sa.and_(state.c.subscription_id == spec.subscription_id, state.c.part == dest.LIVE)
    db.execute(sa.delete(state).where(live))


def _live_state(run: Run) -> dest.State | None:
    with run.transaction() as db:
        return dest.read_states(db, run.state, run.spec).get(dest.LIVE)


def watermark_conditions(run: Run, live: dest.State | None) -> list[sa.ColumnElement[bool]]:
    """Rows after the committed (watermark, key); after a full load (no key), from the
    watermark on. Rows without a watermark are delivered by full loads only."""
    source = run.source
    column = source.column(run.spec.watermark_column)
    conditions = [*source.filters(), column.is_not(None)]
    if live is None or not live.watermark:
        return conditions
    value = source.watermark_value(live.watermark)
    if live.position is None:
        return [*conditions, column >= value]
    key = source.key_values(live.position)
    after = sa.or_(column > value, sa.and_(column == value, key_after(source.key_columns(), key)))
    return [*conditions, after]


def incremental_by_watermark(run: Run) -> None:
    live = _live_state(run)
    run.progress.watermark = (live.watermark or "") if live else ""
    conditions = watermark_conditions(run, live)
    run.progress.rows_total = run.count(conditions)
    delivered = run.source.delivered()
    if _copy_path(run):
        pgcopy.incremental_batches(run, conditions, delivered)
        return
    source = run.source
    watermark = source.column(run.spec.watermark_column)
    query = (
        sa.select(*delivered, watermark.label(WATERMARK_LABEL), _deleted_label(source))
        .where(*conditions)
        .order_by(watermark, *source.key_columns())
    )
    table = run.table()
    with closing(source_batches(run, query)) as batches:
        for batch, size in batches:
            if run.should_stop():
                return
            last = batch[-1]
            mark = str(json_ready(last[WATERMARK_LABEL]))
            counts = _apply(run, table, batch, watermark=mark, position=dest.key_of(run.spec, last))
            run.progress.watermark = mark
            run.committed(len(batch), size, **counts)


def _deleted_label(source: SourceTable) -> sa.ColumnElement[Any]:
    flag = source.deleted_flag()
    expression = sa.case((flag, 1), else_=0) if flag is not None else sa.literal(0)
    return expression.label(DELETED_LABEL)


def _apply(run: Run, table: sa.Table, batch: list[dict[str, Any]], **state: Any) -> dict[str, int]:
    """Delete the flagged rows, upsert the rest and commit the state, in one transaction."""
    live = [_delivered_row(run, row) for row in batch if not row[DELETED_LABEL]]
    gone = [dest.key_of(run.spec, row) for row in batch if row[DELETED_LABEL]]
    with run.transaction() as db:
        deleted = dest.delete_keys(db, table, run.spec, gone)
        inserted = dest.upsert(db, table, run.spec, live)
        if state:
            dest.write_state(db, run.state, run.spec, dest.LIVE, run.run_id, **state)
    return {"inserted": inserted, "updated": len(live) - inserted, "deleted": deleted}


def incremental_by_key_comparison(run: Run) -> None:
    """Upsert the rows whose delivered values differ from the destination's (or are new)."""
    source = run.source
    delivered = source.delivered()
    query = (
        sa.select(*delivered, _deleted_label(source))
        .where(*source.filters())
        .order_by(*source.key_columns())
    )
    run.progress.rows_total = run.count(list(source.filters()))
    table = run.table()
    with closing(source_batches(run, query, max_rows=COMPARE_BATCH_ROWS)) as batches:
        for batch, size in batches:
            if run.should_stop():
                return
            with run.transaction() as db:
                stored = _stored_digests(db, table, run.spec, batch)
            changed = [
                row
                for row in batch
                if (
                    stored.get(canonical_key(dest.key_of(run.spec, row)))
                    != row_digest(run.spec, row)
                    if not row[DELETED_LABEL]
                    else canonical_key(dest.key_of(run.spec, row)) in stored
                )
            ]
            counts = _apply(run, table, changed)
            run.committed(len(batch), size, **counts)


def row_digest(spec: SyncSpec, row: dict[str, Any]) -> str:
    return "\x1f".join(canonical(row[column.target]) for column in spec.columns)


def canonical(value: Any) -> str:
    """One text per value whichever engine stored it (12.50 and 12.5, 1 and True, a date
    and its ISO text), so that digests compare what was delivered, not how it is stored."""
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return format(number.normalize(), "f")
    return str(json_ready(value))


def _stored_digests(
    db: sa.Connection, table: sa.Table, spec: SyncSpec, batch: list[dict[str, Any]]
) -> dict[tuple[str, ...], str]:
    keys = [dest.key_of(spec, row) for row in batch]
    key_columns = [table.c[column.target] for column in spec.key]
    stored: dict[tuple[str, ...], str] = {}
    for start in range(0, len(keys), dest.IN_CHUNK):
        chunk = keys[start : start + dest.IN_CHUNK]
        query = sa.select(table).where(dest.keys_in(key_columns, chunk))
        for row in db.execute(query).mappings():
            record = dict(row)
            stored[canonical_key(dest.key_of(spec, record))] = row_digest(spec, record)
    return stored


def canonical_key(key: tuple[Any, ...]) -> tuple[str, ...]:
    """A key as both databases' values compare (a destination may store 1 as 1.0 or "1")."""
    return tuple(canonical(value) for value in key)


def delete_missing_keys(run: Run) -> None:
    """Periodic key reconciliation: delete destination rows whose key the source no longer
    has (or filters out, or flags deleted), a chunk of keys per transaction."""
    spec = run.spec
    table = run.table()
    key_columns = [table.c[column.target] for column in spec.key]
    after: tuple[Any, ...] | None = None
    while True:
        if run.should_stop():
            return
        query = sa.select(*key_columns).order_by(*key_columns).limit(dest.IN_CHUNK)
        if after is not None:
            query = query.where(key_after(key_columns, after))
        with run.transaction() as db:
            keys = [tuple(row) for row in db.execute(query)]
        if not keys:
            return
        after = keys[-1]
        present = _present_at_source(run, keys)
        missing = [key for key in keys if canonical_key(key) not in present]
        if missing:
            with run.transaction() as db:
                deleted = dest.delete_keys(db, table, spec, missing)
            run.committed(0, 0, deleted=deleted)


def _present_at_source(run: Run, keys: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    source = run.source
    columns = source.key_columns()
    typed = [source.key_values([json_ready(v) for v in key]) for key in keys]
    conditions = [*source.filters(), *source.live_only(), dest.keys_in(columns, typed)]
    with run.source_rows() as db:
        rows = db.execute(sa.select(*columns).where(*conditions))
        return {canonical_key(tuple(row)) for row in rows}


# --- the PostgreSQL fast path ---------------------------------------------------------------


def _copy_path(run: Run) -> bool:
    """Binary COPY between the two connections: PostgreSQL on both sides, every masked item
    masked in the source's SQL (a value masked in Python would have to be decoded)."""
    both = run.src.dialect.name == "postgresql" and run.dialect == "postgresql"
    return both and run.source.masks_in_sql
