"""Database-table connector (库表挂接): exact lookups on a provider's table with SQLAlchemy Core.

Values and identifiers never enter SQL text: values are bound parameters, identifiers are the
reflected ``Table``'s columns, quoted by the dialect. Each key value is first converted to the
column's type, so a value that cannot be of that type (``1 OR 1=1`` for an integer key) matches
nothing instead of raising an error or being cast by the database.
"""

from __future__ import annotations

import base64
import re
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from django.conf import settings
from django.utils.translation import gettext as _

from govshare.core.crypto import sm4_decrypt
from govshare.exchange.connectors.base import (
    BadParameter,
    ConnectorError,
    NotConfigured,
    UpstreamFailure,
    UpstreamTimeout,
)
from govshare.exchange.connectors.pg_async import AsyncPool, await_only, in_greenlet
from govshare.exchange.models import Connection, Engine, TableMount

DRIVERS: dict[str, str] = {Engine.POSTGRESQL: "postgresql+psycopg", Engine.MYSQL: "mysql+pymysql"}
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_S = 10
# A data-source file name: one path segment, no separators, no leading dot.
SQLITE_NAME = re.compile(r"^[\w][\w.\-]*$")
ERROR_CHARS = 200
ASYNC_POOL_SIZE = 8  # connections to one PostgreSQL source from one gateway process's loop
MAX_STATEMENTS = 256  # cached SELECT shapes per mount (items asked × columns filtered)

INVALID = object()  # a submitted value that cannot be of the column's type


class TableNotFound(ConnectorError):
    """The table (or a mapped column) does not exist in the source."""


# --- where the sources are ----------------------------------------------------------------


def sources_dir() -> Path:
    """The node's data-source directory; SQLite files and file sets live only below it."""
    default = Path(settings.VAR_DIR) / "sources"
    return Path(getattr(settings, "GOVSHARE_SOURCES_DIR", default)).resolve()


def sqlite_path(name: str) -> Path:
    """The SQLite file ``name`` inside the sources directory; refuses anything else."""
    if not SQLITE_NAME.match(name) or ".." in name:
        raise NotConfigured(_("A SQLite database is a file name in the data-source directory."))
    root = sources_dir()
    path = (root / name).resolve()
    if path.parent != root:
        raise NotConfigured(_("A SQLite database is a file name in the data-source directory."))
    return path


# --- engines ------------------------------------------------------------------------------


def engine_url(connection: Connection, *, writable: bool = False) -> sa.URL:
    """Where the connection's database is. A SQLite file opens read-only (the exchange never
    writes to a provider's data) unless ``writable``: a consumer's front-end database (前置库)
    that a table subscription writes into."""
    if connection.engine == Engine.SQLITE:
        if writable:
            return sa.URL.create("sqlite", database=str(sqlite_path(connection.database)))
        uri = sqlite_path(connection.database).as_uri()
        return sa.URL.create("sqlite", database=uri, query={"mode": "ro", "uri": "true"})
    driver = DRIVERS.get(connection.engine)
    if driver is None:
        raise NotConfigured(_("Unknown database engine."))
    return sa.URL.create(
        driver,
        username=connection.username or None,
        password=password_of(connection) or None,
        host=connection.host or None,
        port=connection.port or None,
        database=connection.database,
    )


def password_of(connection: Connection) -> str:
    return sm4_decrypt(connection.password_encrypted) if connection.password_encrypted else ""


def connect_args(engine: str) -> dict[str, Any]:
    if engine == Engine.POSTGRESQL:
        timeout_ms = STATEMENT_TIMEOUT_S * 1000
        return {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": f"-c statement_timeout={timeout_ms}",
        }
    if engine == Engine.MYSQL:
        return {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "read_timeout": STATEMENT_TIMEOUT_S,
            "write_timeout": STATEMENT_TIMEOUT_S,
            "charset": "utf8mb4",
        }
    return {"check_same_thread": False, "timeout": CONNECT_TIMEOUT_S}


def build_engine(connection: Connection, *, pooled: bool = True) -> sa.Engine:
    # No pre-ping: it would cost a second round trip on every gateway call. A connection the
    # source has dropped fails one call (502) and is discarded; recycling keeps them fresh.
    options: dict[str, Any] = {"connect_args": connect_args(connection.engine)}
    if connection.engine != Engine.SQLITE:
        # Lookups are single statements: in autocommit no BEGIN goes before each, and no
        # ROLLBACK after it when the connection returns to the pool (two round trips a call).
        options["isolation_level"] = "AUTOCOMMIT"
    if pooled:
        options.update(
            pool_size=4, max_overflow=4, pool_timeout=CONNECT_TIMEOUT_S, pool_recycle=1800
        )
    else:
        options["poolclass"] = sa.pool.NullPool
    return sa.create_engine(engine_url(connection), **options)


_engines: dict[int, tuple[Any, sa.Engine]] = {}
_engines_lock = threading.Lock()


def engine_for(connection: Connection) -> sa.Engine:
    """The pooled engine of a saved connection, rebuilt when the connection was changed."""
    with _engines_lock:
        cached = _engines.get(connection.pk)
        if cached is not None and cached[0] == connection.updated:
            return cached[1]
        engine = build_engine(connection)
        _engines[connection.pk] = (connection.updated, engine)
    if cached is not None:
        cached[1].dispose()
    return engine


@contextmanager
def temporary_engine(connection: Connection) -> Iterator[sa.Engine]:
    """An unpooled engine for one check (a connection test, a mount being saved)."""
    engine = build_engine(connection, pooled=False)
    try:
        yield engine
    finally:
        engine.dispose()


def dispose_engines() -> None:
    with _engines_lock:
        engines = [engine for _, engine in _engines.values()]
        _engines.clear()
    for engine in engines:
        engine.dispose()


# --- errors -------------------------------------------------------------------------------


def source_error(error: Exception, secret: str = "") -> ConnectorError:
    """A driver error as a connector error whose message names no secret."""
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    text = (reason[0] if reason else type(error).__name__)[:ERROR_CHARS]
    if secret:
        text = text.replace(secret, "***")
    name = type(getattr(error, "orig", error)).__name__
    if name == "QueryCanceled" or "timed out" in text or "timeout" in text.lower():
        return UpstreamTimeout(
            _("The database did not answer in time: %(reason)s") % {"reason": text}
        )
    return UpstreamFailure(_("The database failed: %(reason)s") % {"reason": text})


def check_connection(connection: Connection) -> None:
    """Connect and run ``SELECT 1``; raise a ConnectorError naming what failed (the host, the
    login or the database) before the driver's own words, without the password."""
    try:
        with temporary_engine(connection) as engine, engine.connect() as db:
            db.execute(sa.select(sa.literal(1))).scalar_one()
    except (UnicodeError, ValueError) as error:
        # A host name the resolver refuses (a label past 63 characters): never reachable.
        raise UpstreamFailure(
            _("%(cause)s — %(reason)s")
            % {"cause": _("The host cannot be reached"), "reason": type(error).__name__}
        ) from None
    except sa.exc.SQLAlchemyError as error:
        failure = source_error(error, password_of(connection))
        cause = connection_cause(str(failure))
        if cause:
            raise type(failure)(
                _("%(cause)s — %(reason)s") % {"cause": cause, "reason": failure}
            ) from None
        raise failure from None


# Driver words (PostgreSQL, MySQL/MariaDB, SQLite) → what failed; the first match wins, so the
# database's "does not exist" is read before a role's.
CONNECTION_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r'database ".*" does not exist|unknown database|unable to open database', re.I),
        "database",
    ),
    (
        re.compile(
            r"password authentication failed|access denied|authentication failed|"
            r'role ".*" does not exist|no password supplied|pg_hba\.conf',
            re.I,
        ),
        "login",
    ),
    (
        re.compile(
            r"could not translate host name|connection refused|can't connect|"
            r"no route to host|name or service not known|timeout expired|network is unreachable|"
            r"could not connect|connection timed out|did not answer in time",
            re.I,
        ),
        "host",
    ),
)


def connection_cause(text: str) -> str:
    """What a failed connection test names first: the host unreachable, the login refused, or
    the database missing ("" when the driver's words say none of these)."""
    for pattern, cause in CONNECTION_CAUSES:
        if pattern.search(text):
            return {
                "database": _("The database does not exist"),
                "login": _("The login was refused"),
                "host": _("The host cannot be reached"),
            }[cause]
    return ""


# --- reflection ---------------------------------------------------------------------------


def split_table_name(name: str) -> tuple[str | None, str]:
    """``schema.table`` or ``table``."""
    parts = name.strip().split(".")
    if len(parts) > 2 or not all(parts) or "\x00" in name:
        raise TableNotFound(_("%(table)s is not a table name.") % {"table": name})
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def reflect_table(engine: sa.Engine, name: str) -> sa.Table:
    schema, table_name = split_table_name(name)
    try:
        return sa.Table(table_name, sa.MetaData(), autoload_with=engine, schema=schema)
    except sa.exc.NoSuchTableError:
        raise TableNotFound(_("The table %(table)s does not exist.") % {"table": name}) from None
    except sa.exc.SQLAlchemyError as error:
        raise source_error(error) from None


def table_names(engine: sa.Engine) -> list[str]:
    """Tables and views of the default schema (suggestions for the mount form)."""
    try:
        inspector = sa.inspect(engine)
        return sorted([*inspector.get_table_names(), *inspector.get_view_names()])
    except sa.exc.SQLAlchemyError as error:
        raise source_error(error) from None


# --- values -------------------------------------------------------------------------------


def json_ready(value: Any) -> Any:
    """A stored value as JSON can carry it: dates as ISO strings, decimals as strings."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value)


def python_type(column: sa.Column) -> type | None:
    try:
        return column.type.python_type
    except NotImplementedError:
        return None


def coerce(column: sa.Column, value: Any) -> Any:
    """``value`` as the column's Python type, or ``INVALID`` when it cannot be one."""
    kind = python_type(column)
    text = value if isinstance(value, str) else str(json_ready(value))
    try:
        if kind is bool:
            flag = {"1": True, "true": True, "t": True, "0": False, "false": False, "f": False}
            return flag.get(text.strip().lower(), INVALID)
        if kind is int:
            return int(text) if re.fullmatch(r"[+-]?\d{1,19}", text.strip()) else INVALID
        if kind is float or kind is Decimal:
            number = Decimal(text.strip())
            if not number.is_finite():
                return INVALID
            return number if kind is Decimal else float(number)
        if kind is datetime:
            return datetime.fromisoformat(text.strip())
        if kind is date:
            return date.fromisoformat(text.strip())
        if kind is time:
            return time.fromisoformat(text.strip())
    except (ValueError, InvalidOperation):
        return INVALID
    return text


def is_text(column: sa.Column) -> bool:
    return python_type(column) is str


def same_value(column: sa.Column, stored: Any, submitted: str) -> bool:
    """Whether a stored value equals a submitted one (CHAR padding aside; 12.50 equals 12.5)."""
    if stored is None:
        return False
    wanted = coerce(column, submitted)
    if wanted is INVALID:
        return False
    if isinstance(stored, str):
        return stored == wanted or stored.rstrip() == wanted
    return bool(stored == wanted)


# --- the connector ------------------------------------------------------------------------


class SqlConnector:
    """One table mount: item identifiers mapped to columns of one reflected table."""

    def __init__(
        self,
        engine: sa.Engine,
        table: sa.Table,
        *,
        columns: Mapping[str, str],
        key_items: list[str],
        fixed_filter: Mapping[str, Any],
    ) -> None:
        self.engine = engine
        self.table = table
        try:
            self.columns = {item: table.c[name] for item, name in columns.items()}
            fixed = {table.c[name]: values for name, values in fixed_filter.items()}
        except KeyError as error:
            raise TableNotFound(
                _("The column %(column)s does not exist.") % {"column": error.args[0]}
            ) from None
        self.key_items = list(key_items)
        self.fixed = {column: _as_list(values) for column, values in fixed.items()}
        self.order = list(table.primary_key.columns) or [self.columns[i] for i in self.key_items]
        self._statements: dict[tuple[Any, ...], _Statement] = {}
        self._held: Any = None
        self._held_lock = threading.Lock() if engine.dialect.name == "sqlite" else None
        self._async = _async_pool(engine)

    @classmethod
    def from_config(cls, config: TableMount) -> SqlConnector:
        engine = engine_for(config.connection)
        return cls(
            engine,
            reflect_table(engine, config.table),
            columns=config.columns,
            key_items=config.key_items,
            fixed_filter=config.row_filter or {},
        )

    def query(
        self,
        keys: dict[str, list[str]],
        items: list[str],
        row_filter: dict[str, list[str]],
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        self._check_items(items)
        unknown_keys = [item for item in keys if item not in self.key_items]
        if unknown_keys:
            raise BadParameter(
                _("%(items)s cannot be looked up by.") % {"items": ", ".join(sorted(unknown_keys))}
            )
        self._check_items(list(row_filter))
        rows = self._select(keys, items, row_filter, limit, offset)
        return [{item: json_ready(row[item]) for item in items} for row in rows]

    def verify(
        self,
        values: dict[str, str],
        key_items: list[str],
        row_filter: dict[str, list[str]] | None = None,
    ) -> dict[str, bool] | None:
        self._check_items([*values, *(row_filter or {})])
        used = [item for item in key_items if item in values]
        if not used or any(item not in self.key_items for item in used):
            raise BadParameter(_("Give a value for at least one key item."))
        keys = {item: [values[item]] for item in used}
        rows = self._select(keys, list(values), row_filter or {}, 1, 0)
        if not rows:
            return None
        row = rows[0]
        return {
            item: same_value(self.columns[item], row[item], submitted)
            for item, submitted in values.items()
        }

    def proxy(self, params: dict[str, str], items: list[str]) -> list[dict[str, Any]]:
        raise BadParameter(_("This resource is served from a table; query it instead."))

    # --- internals ------------------------------------------------------------------------

    def _check_items(self, items: list[str]) -> None:
        unknown = [item for item in items if item not in self.columns]
        if unknown:
            raise BadParameter(
                _("This mount does not serve %(items)s.") % {"items": ", ".join(sorted(unknown))}
            )

    def _select(
        self,
        keys: Mapping[str, list[str]],
        items: list[str],
        row_filter: Mapping[str, list[str]],
        limit: int,
        offset: int,
    ) -> list[dict[str, Any]]:
        """Rows as ``{item: raw value}``; text conditions are re-checked exactly in Python
        (MySQL's default collations compare case- and trailing-space-insensitively)."""
        conditions: dict[sa.Column, list[Any]] = {}
        for item, values in [*keys.items(), *row_filter.items()]:
            column = self.columns[item]
            allowed = typed_values(column, _as_list(values))
            conditions[column] = _intersect(conditions.get(column), allowed)
        for column, values in self.fixed.items():
            conditions[column] = _intersect(conditions.get(column), typed_values(column, values))
        if any(not values for values in conditions.values()):
            return []
        checked = {f"_c{n}": column for n, column in enumerate(conditions) if is_text(column)}
        counts = tuple(len(values) for values in conditions.values())
        statement = self._statement(tuple(items), tuple(conditions), counts, tuple(checked))
        params: list[Any] = []
        for column, values in conditions.items():
            bind = statement.binders[column]
            params += [bind(value) for value in values] if bind else values
        params += [max(limit, 0), max(offset, 0)]
        fetched, converters = self._fetch(statement, params)
        rows = [
            {
                label: convert(value) if convert else value
                for label, convert, value in zip(statement.labels, converters, row, strict=True)
            }
            for row in fetched
        ]
        return [
            row
            for row in rows
            if all(text_in(row[label], conditions[column]) for label, column in checked.items())
        ]

    def _fetch(self, statement: _Statement, params: list[Any]) -> tuple[list[Any], Any]:
        """Run a statement on a DB-API connection: the gateway's hot path, without the per-call
        compilation and result wrapping of SQLAlchemy's execution layer.

        A SQLite file is read through one connection the connector keeps (taking one from the
        pool and giving it back cost more than the lookup); a network database through a pooled
        connection per call, so lookups in several threads run side by side.
        """
        if self._async is not None and in_greenlet():
            return self._fetch_on_loop(self._async, statement, params)
        if self._held_lock is None:
            raw = self._checkout()
            try:
                return self._run(raw, statement, params)
            finally:
                raw.close()  # back to the pool, or discarded if invalidated
        with self._held_lock:
            if self._held is None:
                self._held = self._checkout()
            try:
                return self._run(self._held, statement, params)
            except ConnectorError:
                self._held.close()
                self._held = None
                raise

    @property
    def serves_from_loop(self) -> bool:
        """Whether lookups may run on the event loop (``greenlet_spawn``), without a thread."""
        return self._async is not None

    async def close_loop_connections(self) -> None:
        if self._async is not None:
            await self._async.close()

    def retire(self) -> None:
        """The connector is replaced or dropped: its connections on the loop are closed there."""
        if self._async is not None:
            self._async.retire()

    def _fetch_on_loop(
        self, pool: AsyncPool, statement: _Statement, params: list[Any]
    ) -> tuple[list[Any], Any]:
        def describe(description: Any) -> Any:
            return statement.converters or statement.set_converters(
                self.engine.dialect, description
            )

        try:
            return await_only(pool.fetch(statement.sql, params, describe))
        except psycopg.Error as error:
            raise source_error(error) from None

    def _checkout(self) -> Any:
        try:
            return self.engine.raw_connection()
        except sa.exc.SQLAlchemyError as error:
            raise source_error(error) from None

    def _run(self, raw: Any, statement: _Statement, params: list[Any]) -> tuple[list[Any], Any]:
        try:
            cursor = raw.cursor()
            cursor.execute(statement.sql, params)
            converters = statement.converters or statement.set_converters(
                self.engine.dialect, cursor.description
            )
            return list(cursor.fetchall()), converters
        except self.engine.dialect.loaded_dbapi.Error as error:
            raw.invalidate()  # whatever went wrong, this connection is not used again
            raise source_error(error) from None

    def _statement(
        self,
        items: tuple[str, ...],
        conditions: tuple[sa.Column, ...],
        counts: tuple[int, ...],
        checked: tuple[str, ...],
    ) -> _Statement:
        """The SELECT for one shape of call (items asked, columns filtered and how many values
        each), in the driver's own parameter style, built once.

        Values travel as bound parameters (= or IN on each column, so the source's index is
        used), converted by the column type's bind processor; results by its result processor,
        as SQLAlchemy would have done.
        """
        key = (items, tuple(column.name for column in conditions), counts, checked)
        statement = self._statements.get(key)
        if statement is not None:
            return statement
        dialect = self.engine.dialect
        quote = dialect.identifier_preparer.quote
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        labels = {item: self.columns[item] for item in items}
        labels.update({label: conditions[int(label[2:])] for label in checked})
        selected = ", ".join(f"{quote(c.name)} AS {quote(label)}" for label, c in labels.items())
        where = " AND ".join(
            f"{quote(column.name)} IN ({', '.join([marker] * count)})"
            for column, count in zip(conditions, counts, strict=True)
        )
        order = ", ".join(quote(column.name) for column in self.order)
        table = dialect.identifier_preparer.format_table(self.table)
        sql = f"SELECT {selected} FROM {table}"
        sql += f" WHERE {where}" if where else ""
        sql += f" ORDER BY {order} LIMIT {marker} OFFSET {marker}"
        statement = _Statement(
            sql=sql,
            labels=tuple(labels),
            types=tuple(c.type.dialect_impl(dialect) for c in labels.values()),
            binders={
                column: column.type.dialect_impl(dialect).bind_processor(dialect)
                for column in conditions
            },
        )
        if len(self._statements) < MAX_STATEMENTS:
            self._statements[key] = statement
        return statement


@dataclass
class _Statement:
    sql: str
    labels: tuple[str, ...]
    types: tuple[Any, ...]
    binders: dict[sa.Column, Any]
    # Result processors need the driver's type codes of the result columns: set on first use.
    converters: tuple[Any, ...] | None = None

    def set_converters(self, dialect: Any, description: Any) -> tuple[Any, ...]:
        self.converters = tuple(
            kind.result_processor(dialect, column[1])
            for kind, column in zip(self.types, description, strict=True)
        )
        return self.converters


def _async_pool(engine: sa.Engine) -> AsyncPool | None:
    """An asynchronous pool beside the engine of a PostgreSQL source (psycopg), else None."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return None
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    return AsyncPool({**kwargs, **connect_args(Engine.POSTGRESQL)}, ASYNC_POOL_SIZE)


def _as_list(values: Any) -> list[Any]:
    return list(values) if isinstance(values, list | tuple | set) else [values]


def typed_values(column: sa.Column, values: list[Any]) -> list[Any]:
    """Filter values as the column's type; a value that cannot be one matches no row."""
    return [typed for value in values if (typed := coerce(column, value)) is not INVALID]


def _intersect(current: list[Any] | None, allowed: list[Any]) -> list[Any]:
    return allowed if current is None else [value for value in current if value in allowed]


def text_in(stored: Any, values: list[Any]) -> bool:
    """Whether a stored text is exactly one of ``values``: the re-check of a text condition
    after the database (MySQL's collations ignore case and trailing spaces)."""
    # rstrip() on the stored side only: CHAR(n) columns come back padded.
    wanted = {str(value) for value in values}
    return isinstance(stored, str) and (stored in wanted or stored.rstrip() in wanted)


def connector_for_table(
    connection: Connection,
    table: str,
    *,
    columns: Mapping[str, str],
    key_items: list[str],
    row_filter: Mapping[str, Any] | None = None,
) -> SqlConnector:
    """A connector for a table of a saved connection without a mount (checks, tests)."""
    engine = engine_for(connection)
    return SqlConnector(
        engine,
        reflect_table(engine, table),
        columns=columns,
        key_items=key_items,
        fixed_filter=row_filter or {},
    )
