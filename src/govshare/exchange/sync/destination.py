"""The consumer's front-end database (前置库) as a run writes it: the destination table the
platform creates, its shadow for full loads, and the state table holding committed positions.

``govshare_sync_state`` has one row per (subscription, part):

- part ``LIVE`` (-1): the destination table's committed watermark and, for rows that share the
  watermark, the last key delivered (``position``), so the next batch starts right after it;
- parts 0…n-1: a full load in progress (``parts`` of them): how far each key range has been
  loaded into the shadow table (``position``), whether it is ``done``, the source's watermark
  when it started, and the ``layout`` (a digest of the spec) the shadow was created for.

Every batch writes its rows and its state row in one destination transaction (issue 13 item 3):
whatever is committed is consistent, so a run killed at any point resumes from the state row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from django.utils.translation import gettext as _
from sqlalchemy.dialects import mysql, postgresql, sqlite

from govshare.exchange.connectors.base import NotConfigured
from govshare.exchange.connectors.sql import (
    CONNECT_TIMEOUT_S,
    TableNotFound,
    engine_url,
    json_ready,
    password_of,
    split_table_name,
)
from govshare.exchange.models import Connection, ConnectionRole, Engine
from govshare.exchange.sync.errors import (
    SyncError,
    SyncFailure,
    driver_text,
    is_login_error,
    is_lost_error,
)
from govshare.exchange.sync.spec import SyncSpec
from govshare.exchange.sync.types import column_type, family_of, reflected_family

STATE_TABLE = "govshare_sync_state"
LIVE = -1
SHADOW_SUFFIX = "__gs_shadow"
OLD_SUFFIX = "__gs_old"
APPLICATION_NAME = "govshare-sync"
# A run's engines keep a few connections for its own batches (a connection costs ~40 ms here,
# more than a small batch) and check each one before use (a killed session is replaced, or the
# run fails naming the lost destination). Disposed when the run ends.
RUN_POOL: dict[str, Any] = {"pool_size": 2, "max_overflow": 4, "pool_pre_ping": True}
IDENTIFIER_LIMIT = 60  # PostgreSQL cuts names at 63 bytes, MySQL refuses past 64


def state_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        STATE_TABLE,
        metadata,
        sa.Column("subscription_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("part", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("watermark", sa.String(200)),
        sa.Column("position", sa.Text),
        sa.Column("parts", sa.Integer),
        sa.Column("done", sa.Boolean, nullable=False, default=False),
        sa.Column("layout", sa.String(64)),
        sa.Column("run_id", sa.BigInteger),
        sa.Column("updated", sa.DateTime),
    )


# --- connecting -----------------------------------------------------------------------------


def destination_url(connection: Connection) -> sa.URL:
    return engine_url(connection, writable=True)


def _connect_args(engine: str) -> dict[str, Any]:
    if engine == Engine.POSTGRESQL:
        # application_name lets an operator (and the tests) see the sync's sessions.
        # synchronous_commit off: a batch and its state row are one transaction, so a server
        # crash can lose the last batches only together with their positions (they are read
        # again); it never makes them disagree.
        return {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": APPLICATION_NAME,
            "options": "-c synchronous_commit=off",
        }
    if engine == Engine.MYSQL:
        return {"connect_timeout": CONNECT_TIMEOUT_S, "charset": "utf8mb4"}
    return {"timeout": 30}


@contextmanager
def destination_engine(spec: SyncSpec) -> Iterator[sa.Engine]:
    """An unpooled engine on the destination; on SQLite every transaction is BEGIN IMMEDIATE
    and DDL is transactional, so a swap commits with its state row or not at all."""
    connection = _destination(spec)
    try:
        engine = sa.create_engine(
            destination_url(connection),
            connect_args=_connect_args(connection.engine),
            **RUN_POOL,
        )
    except NotConfigured as error:
        raise SyncFailure(SyncError.SPEC_INVALID, str(error)) from None
    if connection.engine == Engine.SQLITE:
        _transactional_sqlite(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _transactional_sqlite(engine: sa.Engine) -> None:
    # pysqlite's own transaction handling skips DDL; SQLAlchemy's documented recipe.
    @sa.event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin_immediate(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _destination(spec: SyncSpec) -> Connection:
    if spec.destination is None:
        raise SyncFailure(
            SyncError.SPEC_INVALID, _("The subscription has no destination database yet.")
        )
    if spec.destination.role != ConnectionRole.DESTINATION:
        # A provider's source is only ever read (connectors.sql opens SQLite sources read-only).
        raise SyncFailure(
            SyncError.SPEC_INVALID,
            _("%(name)s is a data source, not a front-end database: a sync never writes to it.")
            % {"name": spec.destination.name},
        )
    return spec.destination


def destination_failure(error: BaseException, spec: SyncSpec, *, connected: bool) -> SyncFailure:
    """A driver error on the destination as a failure naming its cause (never the password)."""
    connection = _destination(spec)
    text = driver_text(error, password_of(connection))
    host = connection.host or connection.database
    if not connected and is_login_error(text):
        return SyncFailure(
            SyncError.DESTINATION_LOGIN,
            _("The front-end database %(host)s refused the login: %(reason)s")
            % {"host": host, "reason": text},
        )
    if not connected:
        return SyncFailure(
            SyncError.DESTINATION_UNREACHABLE,
            _("The front-end database %(host)s cannot be reached: %(reason)s")
            % {"host": host, "reason": text},
        )
    if is_lost_error(text) or isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return SyncFailure(
            SyncError.DESTINATION_LOST,
            _("The front-end database %(host)s went away during the run: %(reason)s")
            % {"host": host, "reason": text},
        )
    return SyncFailure(
        SyncError.DESTINATION_FAILED,
        _("The table %(table)s did not accept the rows: %(reason)s")
        % {"table": spec.destination_table, "reason": text},
    )


@contextmanager
def destination_errors(spec: SyncSpec, *, connected: bool = True) -> Iterator[None]:
    try:
        yield
    except SyncFailure:
        raise
    except (sa.exc.SQLAlchemyError, OSError) as error:
        raise destination_failure(error, spec, connected=connected) from None
    except Exception as error:  # a driver error raised outside SQLAlchemy (psycopg's COPY)
        if type(error).__module__.split(".")[0] in {"psycopg", "pymysql", "sqlite3"}:
            raise destination_failure(error, spec, connected=connected) from None
        raise


# --- names and tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """The destination table, its shadow and (MySQL's swap) its previous version."""

    schema: str | None
    table: str
    shadow: str
    old: str


def names_of(spec: SyncSpec) -> Names:
    try:
        schema, table = split_table_name(spec.destination_table)
    except TableNotFound as error:
        raise SyncFailure(SyncError.SPEC_INVALID, str(error)) from None
    base = table
    if len(base) + len(SHADOW_SUFFIX) > IDENTIFIER_LIMIT:
        digest = hashlib.sha1(table.encode(), usedforsecurity=False).hexdigest()[:8]
        base = f"{table[: IDENTIFIER_LIMIT - len(SHADOW_SUFFIX) - 9]}_{digest}"
    return Names(schema, table, base + SHADOW_SUFFIX, base + OLD_SUFFIX)


def table_for(spec: SyncSpec, dialect: str, name: str, *, keyed: bool = True) -> sa.Table:
    """The destination table's definition: granted items only, key items as PRIMARY KEY."""
    schema = names_of(spec).schema
    columns = [
        sa.Column(
            column.target,
            column_type(column, dialect),
            primary_key=keyed and column.is_key,
            nullable=not column.is_key,
            autoincrement=False,
        )
        for column in spec.columns
    ]
    return sa.Table(name, sa.MetaData(), *columns, schema=schema)


def layout_of(spec: SyncSpec) -> str:
    """A digest of what a full load produces: a changed spec restarts an unfinished load."""
    described = {
        "source": [spec.source.pk, spec.source_table],
        "columns": [
            [c.source, c.target, c.masking, c.data_type, c.length, c.is_key] for c in spec.columns
        ],
        "filter": {k: [str(v) for v in values] for k, values in spec.row_filter.items()},
        "deleted": [spec.soft_delete_column, spec.soft_delete_value],
    }
    text = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def ensure_state_table(engine: sa.Engine) -> sa.Table:
    metadata = sa.MetaData()
    table = state_table(metadata)
    metadata.create_all(engine, checkfirst=True)
    return table


def table_exists(db: sa.Connection, name: str, schema: str | None) -> bool:
    return sa.inspect(db).has_table(name, schema=schema)


def check_destination_table(db: sa.Connection, spec: SyncSpec) -> None:
    """The destination table still has the columns the platform created, of the same kinds;
    a table altered by hand is named with what changed, and nothing is written to it."""
    names = names_of(spec)
    reflected = {
        column["name"].lower(): column
        for column in sa.inspect(db).get_columns(names.table, schema=names.schema)
    }
    for column in spec.columns:
        found = reflected.get(column.target)
        if found is None:
            raise SyncFailure(
                SyncError.DESTINATION_ALTERED,
                _("The destination table %(table)s has no column %(column)s any more.")
                % {"table": spec.destination_table, "column": column.target},
            )
        expected, actual = family_of(column), reflected_family(found["type"])
        if expected != actual:
            raise SyncFailure(
                SyncError.DESTINATION_ALTERED,
                _(
                    "The column %(column)s of the destination table %(table)s was changed to "
                    "%(actual)s; the platform created it as %(expected)s."
                )
                % {
                    "column": column.target,
                    "table": spec.destination_table,
                    "actual": found["type"],
                    "expected": expected,
                },
            )


# --- state rows -----------------------------------------------------------------------------


@dataclass
class State:
    part: int
    watermark: str | None
    position: list[Any] | None
    parts: int | None
    done: bool
    layout: str | None


def read_states(db: sa.Connection, state: sa.Table, spec: SyncSpec) -> dict[int, State]:
    rows = db.execute(
        sa.select(state).where(state.c.subscription_id == spec.subscription_id)
    ).mappings()
    return {
        row["part"]: State(
            part=row["part"],
            watermark=row["watermark"],
            position=json.loads(row["position"]) if row["position"] else None,
            parts=row["parts"],
            done=bool(row["done"]),
            layout=row["layout"],
        )
        for row in rows
    }


def write_state(
    db: sa.Connection, state: sa.Table, spec: SyncSpec, part: int, run_id: int, **values: Any
) -> None:
    """Update (or create) one state row, inside the caller's transaction."""
    if "position" in values:
        position = values["position"]
        values["position"] = (
            json.dumps([json_ready(v) for v in position]) if position is not None else None
        )
    values.update(run_id=run_id, updated=datetime.now(UTC).replace(tzinfo=None))
    where = sa.and_(state.c.subscription_id == spec.subscription_id, state.c.part == part)
    changed = db.execute(sa.update(state).where(where).values(**values)).rowcount
    if not changed:
        values.setdefault("done", False)
        db.execute(
            sa.insert(state).values(subscription_id=spec.subscription_id, part=part, **values)
        )


def lock_subscription(db: sa.Connection, state: sa.Table, spec: SyncSpec) -> None:
    """Serialise the parts of one full load while they look at and change the plan.
    SQLite's BEGIN IMMEDIATE already holds the write lock."""
    dialect = db.dialect.name
    if dialect == "postgresql":
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(0x6773, spec.subscription_id)))
    elif dialect == "mysql":
        db.execute(
            sa.select(state.c.part)
            .where(state.c.subscription_id == spec.subscription_id)
            .with_for_update()
        )


# --- writing rows ---------------------------------------------------------------------------


def upsert(db: sa.Connection, table: sa.Table, spec: SyncSpec, rows: list[dict[str, Any]]) -> int:
    """Insert or update ``rows`` by key (one executemany); returns how many keys were new."""
    if not rows:
        return 0
    existing = len(existing_keys(db, table, spec, [key_of(spec, row) for row in rows]))
    keys = [column.target for column in spec.key]
    others = [column.target for column in spec.columns if not column.is_key]
    dialect = db.dialect.name
    statement: Any
    if dialect == "mysql":
        statement = mysql.insert(table)
        updates = {name: statement.inserted[name] for name in others} or {keys[0]: table.c[keys[0]]}
        statement = statement.on_duplicate_key_update(updates)
    else:
        statement = (postgresql if dialect == "postgresql" else sqlite).insert(table)
        if others:
            statement = statement.on_conflict_do_update(
                index_elements=keys, set_={name: statement.excluded[name] for name in others}
            )
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
    db.execute(statement, rows)
    return len(rows) - existing


def key_of(spec: SyncSpec, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column.target] for column in spec.key)


IN_CHUNK = 500


def existing_keys(
    db: sa.Connection, table: sa.Table, spec: SyncSpec, keys: Sequence[tuple[Any, ...]]
) -> set[tuple[Any, ...]]:
    """Which of ``keys`` the destination table holds."""
    found: set[tuple[Any, ...]] = set()
    key_columns = [table.c[column.target] for column in spec.key]
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        query = sa.select(*key_columns).where(keys_in(key_columns, chunk))
        found.update(tuple(row) for row in db.execute(query))
    return found


def keys_in(
    columns: list[sa.Column[Any]], keys: Sequence[tuple[Any, ...]]
) -> sa.ColumnElement[bool]:
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return sa.or_(*(sa.and_(*(c == v for c, v in zip(columns, key, strict=True))) for key in keys))


def delete_keys(
    db: sa.Connection, table: sa.Table, spec: SyncSpec, keys: Sequence[tuple[Any, ...]]
) -> int:
    deleted = 0
    key_columns = [table.c[column.target] for column in spec.key]
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        deleted += db.execute(sa.delete(table).where(keys_in(key_columns, chunk))).rowcount
    return deleted


def insert_rows(db: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Append rows to a table no one else writes (a full load's shadow), as fast as the
    driver goes: COPY on PostgreSQL, else one executemany of plain tuples with the column
    types' own conversions (SQLAlchemy's per-row parameter handling cost more than the
    database here)."""
    if not rows:
        return
    names = list(rows[0])
    dialect = db.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    target = f"{dialect.identifier_preparer.format_table(table)} ({columns})"
    if dialect.name == "postgresql":
        cursor = db.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row.values()))
        return
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {target} VALUES ({', '.join([marker] * len(names))})"
    converted = [(index, convert) for index, convert in enumerate(processors) if convert]
    values = []
    for row in rows:
        record = list(row.values())
        for index, convert in converted:
            if record[index] is not None:
                record[index] = convert(record[index])
        values.append(tuple(record))
    db.exec_driver_sql(sql, values)  # type: ignore[arg-type]
