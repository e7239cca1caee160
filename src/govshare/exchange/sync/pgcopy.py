"""PostgreSQL → PostgreSQL fast path (二进制COPY直通): rows never decoded in Python.

``COPY (SELECT …) TO STDOUT (FORMAT BINARY)`` on the source is streamed block by block into
``COPY … FROM STDIN (FORMAT BINARY)`` on the destination (round2-stack.md §1: 0.84× a bare
pipe into an unlogged table; 0.71× with the shadow's key built and swapped in at the end).
Binary COPY needs each value in exactly the destination column's type, so the SELECT casts every
delivered expression to it.

- Full load: each batch is the key range (position, upper], ``upper`` found first on the
  source's key index (the batch's n-th key, or the last key), so the batch's position is known
  without reading its rows; rows and position commit together. The SELECT (tens of KB with
  masking) is compiled once per run with the range's bounds as parameters
  (``CompiledSelect``); each batch only binds them.
- Incremental: each batch (``LIMIT n`` in (watermark, key) order) goes into a temporary staging
  table (``ON COMMIT DELETE ROWS``), then one ``DELETE … USING`` for flagged rows and one
  ``INSERT … ON CONFLICT (key) DO UPDATE`` merge, with the last (watermark, key) of the staging
  table committed in the same transaction.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
import sqlalchemy as sa
from django.utils.translation import gettext as _
from psycopg import pq

from govshare.exchange.sync import destination as dest
from govshare.exchange.sync.errors import SyncError, SyncFailure
from govshare.exchange.sync.source import key_after, source_failure
from govshare.exchange.sync.types import TEXT, column_type, family_of

if TYPE_CHECKING:
    from govshare.exchange.sync.engine import KeyRange, Run

STAGE = "gs_stage"
STAGE_WATERMARK = "gs_watermark"
STAGE_DELETED = "gs_deleted"
STAGE_ORDER = "gs_n"
WRITE_BYTES = 1 << 20
WRITE_QUEUE = 4  # writes of WRITE_BYTES waiting for the destination


def _cast_delivered(run: Run) -> list[sa.ColumnElement[Any]]:
    """The delivered items cast to the destination's types (text for any text family: binary
    text and varchar are the same bytes, and a cast to varchar(n) would cut silently)."""
    expressions: list[sa.ColumnElement[Any]] = []
    for column, expression in zip(run.spec.columns, run.source.delivered(), strict=True):
        kind = sa.Text() if family_of(column) == TEXT else column_type(column, "postgresql")
        expressions.append(sa.cast(expression.element, kind).label(column.target))
    return expressions


def _sql(db: sa.Connection, statement: sa.Select[Any]) -> str:
    """The statement as literal SQL (COPY takes no parameters), bound by psycopg itself."""
    compiled = statement.compile(dialect=db.dialect, compile_kwargs={"render_postcompile": True})
    return psycopg.ClientCursor(_raw(db)).mogrify(str(compiled), compiled.params)


class CompiledSelect:
    """A SELECT compiled once; ``sql(db, **values)`` gives its literal SQL with the named
    parameters bound to ``values`` (compiling the masked SELECT per batch cost 24 ms each)."""

    def __init__(self, db: sa.Connection, statement: sa.Select[Any]) -> None:
        compiled = statement.compile(
            dialect=db.dialect, compile_kwargs={"render_postcompile": True}
        )
        self.text = str(compiled)
        self.params = dict(compiled.params)

    def sql(self, db: sa.Connection, **values: Any) -> str:
        unknown = set(values) - set(self.params)
        if unknown:  # a bound name the statement does not have would be silently ignored
            raise ValueError(f"not parameters of the statement: {sorted(unknown)}")
        params = {**self.params, **values}
        return psycopg.ClientCursor(_raw(db)).mogrify(self.text, params)


def _key_parameters(keys: list[sa.Column[Any]], name: str) -> tuple[sa.BindParameter[Any], ...]:
    return tuple(
        sa.bindparam(f"{name}_{number}", None, type_=key.type) for number, key in enumerate(keys)
    )


def _key_values(name: str, values: tuple[Any, ...]) -> dict[str, Any]:
    return {f"{name}_{number}": value for number, value in enumerate(values)}


def _raw(db: sa.Connection) -> Any:
    """The psycopg connection under a SQLAlchemy one (COPY is psycopg's own API)."""
    return db.connection.driver_connection


def _quoted(db: sa.Connection, table: sa.Table) -> str:
    return db.dialect.identifier_preparer.format_table(table)


@contextmanager
def _pipe_errors(run: Run, reading: list[bool]) -> Iterator[None]:
    """Whose error it was: the source's while a block was being read, else the destination's."""
    try:
        yield
    except SyncFailure:
        raise
    except (psycopg.Error, sa.exc.SQLAlchemyError) as error:
        if reading[0]:
            raise source_failure(error, run.spec) from None
        raise dest.destination_failure(error, run.spec, connected=True) from None


def copy_pipe(
    run: Run, source_db: sa.Connection, target_db: sa.Connection, select_sql: str, into: str
) -> tuple[int, int]:
    """Stream the SELECT's rows into ``into`` (``table (columns)``); returns (rows, bytes)."""
    reading = [False]
    size = 0
    with _pipe_errors(run, reading):
        target_cursor = _raw(target_db).cursor()
        source_db.commit()  # the COPY runs on its own, outside the SQLAlchemy transaction
        try:
            with (
                target_cursor.copy(f"COPY {into} FROM STDIN (FORMAT BINARY)") as into_copy,
                _Writer(into_copy, reading) as writer,
            ):
                # One message per row from the server, gathered into large writes.
                pending = bytearray()
                for block in copy_out(_raw(source_db), select_sql, reading):
                    pending += block
                    if len(pending) >= WRITE_BYTES:
                        size += len(pending)
                        writer.write(pending)
                        pending = bytearray()
                size += len(pending)
                writer.write(pending)
        except BaseException:
            source_db.invalidate()  # it may be inside an unfinished COPY: never reused
            raise
        return max(target_cursor.rowcount, 0), size


class _Writer:
    """Writes to the destination's COPY from a thread of its own, so that the source is read
    while the destination takes the previous write (one thread waiting on each in turn left
    both servers idle half the time). At most ``WRITE_QUEUE`` writes wait: memory stays flat.
    A destination error is raised in the reading thread, at its next write or at the end."""

    def __init__(self, into: Any, reading: list[bool]) -> None:
        self.into = into
        self.reading = reading
        self.queue: queue.Queue[bytes | bytearray | None] = queue.Queue(maxsize=WRITE_QUEUE)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="govshare-copy-writer", daemon=True)

    def __enter__(self) -> _Writer:
        self.thread.start()
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        self.queue.put(None)
        self.thread.join()
        if kind is None:
            self._raise()

    def _work(self) -> None:
        while (data := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drained, so that the reading thread never blocks on a full queue
            try:
                self.into.write(data)
            except BaseException as error:  # raised in the reading thread (``_raise``)
                self.error = error

    def write(self, data: bytes | bytearray) -> None:
        self._raise()
        self.queue.put(data)

    def _raise(self) -> None:
        if self.error is not None:
            self.reading[0] = False  # the destination's error
            raise self.error


def copy_out(raw: Any, select_sql: str, reading: list[bool]) -> Iterator[bytes]:
    """``COPY (select) TO STDOUT (FORMAT BINARY)`` read straight from libpq, a row per call.

    psycopg's ``Copy`` costs a generator and a wait loop per message, several times the cost
    of the row itself here (1M rows: seconds); libpq's blocking PQgetCopyData does not. The
    connection is idle before (committed) and after (every result consumed), so psycopg's
    own state is untouched."""
    pgconn = raw.pgconn
    reading[0] = True
    pgconn.send_query(f"COPY ({select_sql}) TO STDOUT (FORMAT BINARY)".encode())
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        _finish(raw, result)
    while True:
        reading[0] = True
        nbytes, data = pgconn.get_copy_data(0)
        reading[0] = False
        if nbytes < 0:
            break
        yield data
    reading[0] = True
    _finish(raw, pgconn.get_result())
    reading[0] = False


def _finish(raw: Any, result: Any) -> None:
    """Consume what is left of a statement's results; raise its error, if it failed."""
    pgconn = raw.pgconn
    while pgconn.get_result() is not None:
        pass
    if result is None:
        raise psycopg.OperationalError(pgconn.get_error_message())
    if result.status not in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.COPY_OUT):
        raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)


def full_load_batches(
    run: Run, part: KeyRange, conditions: list[sa.ColumnElement[bool]], watermark: str
) -> bool:
    """Load the part into the shadow by key ranges; False if told to stop before a batch."""
    source, spec = run.source, run.spec
    keys = source.key_columns()
    names = dest.names_of(spec)
    shadow = run.table(names.shadow, keyed=False)
    delivered = _cast_delivered(run)
    rows_wanted = run.copy_batch_rows(0, 0)
    position: tuple[Any, ...] | None = None
    after, upto = _key_parameters(keys, "gs_after"), _key_parameters(keys, "gs_upto")
    # Two shapes: the first batch of a load has no lower bound; each compiled when first used.
    selects: dict[bool, CompiledSelect] = {}
    with run.source_rows() as source_db, dest.destination_errors(spec), run.dst.connect() as db:
        into = f"{_quoted(db, shadow)} ({', '.join(_column_names(db, spec))})"
        while True:
            if run.should_stop():
                return False
            where = list(conditions)
            if position is not None:
                where.append(key_after(keys, position))
            upper = _batch_end(run, source_db, where, rows_wanted)
            if upper is None:
                return True
            bounded = position is not None
            if bounded not in selects:
                shape = [*conditions, sa.not_(key_after(keys, upto))]
                if bounded:
                    shape.append(key_after(keys, after))
                selects[bounded] = CompiledSelect(source_db, sa.select(*delivered).where(*shape))
            values = _key_values("gs_upto", upper)
            if position is not None:
                values.update(_key_values("gs_after", position))
            select_sql = selects[bounded].sql(source_db, **values)
            source_db.commit()
            with db.begin():
                rows, size = copy_pipe(run, source_db, db, select_sql, into)
                dest.write_state(
                    db, run.state, spec, part.part, run.run_id, position=upper,
                    watermark=watermark,
                )  # fmt: skip
            position = upper
            run.committed(rows, size, inserted=rows)
            rows_wanted = run.copy_batch_rows(rows, size)


def _batch_end(
    run: Run, db: sa.Connection, where: list[sa.ColumnElement[bool]], rows: int
) -> tuple[Any, ...] | None:
    """The key of the batch's last row: the ``rows``-th key after the position, or the last."""
    keys = run.source.key_columns()
    query = sa.select(*keys).where(*where)
    row = db.execute(query.order_by(*keys).offset(rows - 1).limit(1)).first()
    if row is None:
        row = db.execute(query.order_by(*(key.desc() for key in keys)).limit(1)).first()
    return tuple(row) if row is not None else None


def _column_names(db: sa.Connection, spec: Any) -> list[str]:
    quote = db.dialect.identifier_preparer.quote
    return [quote(column.target) for column in spec.columns]


def _stage(run: Run) -> sa.Table:
    columns = [
        sa.Column(column.target, column_type(column, "postgresql")) for column in run.spec.columns
    ]
    return sa.Table(
        STAGE,
        sa.MetaData(),
        *columns,
        sa.Column(STAGE_WATERMARK, sa.Text),
        sa.Column(STAGE_DELETED, sa.Boolean),
        sa.Column(STAGE_ORDER, sa.BigInteger, sa.Identity()),
        prefixes=["TEMPORARY"],
        postgresql_on_commit="DELETE ROWS",
    )


def incremental_batches(
    run: Run, conditions: list[sa.ColumnElement[bool]], delivered: list[Any]
) -> None:
    """Stage each batch by COPY and merge it with its watermark in one transaction."""
    spec, source = run.spec, run.source
    watermark = source.column(spec.watermark_column)
    flag = source.deleted_flag()
    extra = [
        # to_json gives ISO text for times and plain digits for ids: what coerce() reads back.
        sa.literal_column(f"to_json({_quote_column(watermark)}) #>> '{{}}'", sa.Text).label(
            STAGE_WATERMARK
        ),
        sa.cast(flag if flag is not None else sa.false(), sa.Boolean).label(STAGE_DELETED),
    ]
    stage = _stage(run)
    rows_wanted = run.batch_rows(0, 0)
    with run.source_rows() as source_db, dest.destination_errors(spec), run.dst.connect() as db:
        with db.begin():
            stage.create(db)
        names = [*_column_names(db, spec), STAGE_WATERMARK, STAGE_DELETED]
        into = f"{STAGE} ({', '.join(names)})"
        live_state = None
        while True:
            if run.should_stop():
                return
            where = list(conditions)
            if live_state is not None:
                value = source.watermark_value(live_state[0])
                key = source.key_values(live_state[1])
                after = sa.or_(
                    watermark > value,
                    sa.and_(watermark == value, key_after(source.key_columns(), key)),
                )
                where.append(after)
            query = (
                sa.select(*_cast_delivered(run), *extra)
                .where(*where)
                .order_by(watermark, *source.key_columns())
                .limit(rows_wanted)
            )
            select_sql = _sql(source_db, query)
            source_db.commit()
            with db.begin():
                rows, size = copy_pipe(run, source_db, db, select_sql, into)
                if not rows:
                    return
                live_state, counts = _merge(run, db, stage)
            run.progress.watermark = live_state[0]
            run.committed(rows, size, **counts)
            if rows < rows_wanted:
                return
            rows_wanted = run.batch_rows(rows, size)


def _quote_column(column: sa.Column[Any]) -> str:
    return sa.dialects.postgresql.dialect().identifier_preparer.quote(column.name)


def _merge(
    run: Run, db: sa.Connection, stage: sa.Table
) -> tuple[tuple[str, list[Any]], dict[str, int]]:
    spec = run.spec
    quote = db.dialect.identifier_preparer.quote
    table = _quoted(db, run.table())
    keys = [quote(column.target) for column in spec.key]
    columns = _column_names(db, spec)
    last = db.exec_driver_sql(
        f"SELECT {STAGE_WATERMARK}, {', '.join(keys)} FROM {STAGE} "
        f"ORDER BY {STAGE_ORDER} DESC LIMIT 1"
    ).one()
    if last[0] is None:
        raise SyncFailure(
            SyncError.SPEC_INVALID, _("A row without a watermark reached an incremental run.")
        )
    joined = " AND ".join(f"t.{key} = s.{key}" for key in keys)
    deleted = db.exec_driver_sql(
        f"DELETE FROM {table} AS t USING {STAGE} AS s WHERE s.{STAGE_DELETED} AND {joined}"
    ).rowcount
    others = [name for name, column in zip(columns, spec.columns, strict=True) if not column.is_key]
    action = (
        "DO UPDATE SET " + ", ".join(f"{name} = EXCLUDED.{name}" for name in others)
        if others
        else "DO NOTHING"
    )
    inserted, total = db.exec_driver_sql(
        f"WITH merged AS (INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(columns)} FROM {STAGE} WHERE NOT {STAGE_DELETED} "
        f"ON CONFLICT ({', '.join(keys)}) {action} RETURNING (xmax = 0) AS inserted) "
        "SELECT count(*) FILTER (WHERE inserted), count(*) FROM merged"
    ).one()
    position = list(last[1:])
    dest.write_state(
        db, run.state, spec, dest.LIVE, run.run_id, watermark=last[0], position=position
    )
    counts = {"inserted": inserted, "updated": total - inserted, "deleted": deleted}
    return (last[0], position), counts
