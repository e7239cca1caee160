"""Reconciliation (对账): is the destination table what the grant delivers from the source?

The source side is what a run delivers: granted items only, the spec's row filter applied
(re-checked exactly in Python, as the gateway does, since MariaDB's default collations match
case-insensitively), rows carrying the soft-delete flag left out, each item masked as granted
(in SQL where ``sqlmask`` has an exact form, else by ``masking.mask``). The destination side is
``spec.destination_table``, columns named by ``Column.target``. Rows with a NULL key cannot be
delivered (the key is the destination's primary key) and are not compared.

Both sides are read once, in key order, through server-side cursors, and merged as they stream:
memory stays flat whatever the table size. Each key range (键区间, ``ranges`` of about equal
numbers of source rows) gets a row count and an SM3 digest per side; every key missing from the
destination, extra in it, or with different values is listed (up to ``MAX_DIFFERING_KEYS``).

Canonical text (one form for every engine, so that PostgreSQL, MariaDB and SQLite compare):

- NULL is ``-``; any other value is ``<length>:<text>``; a row is its key values then its other
  columns in the spec's order, joined by ``,`` and ended by a newline; a range's digest is the
  SM3 of its rows in key order.
- Each column is read as the type of its source column, or of the destination's where the
  source's is text (a masked item is always text). Numbers: decimals without exponent or
  trailing fractional zeros (``12.50``, ``12.5`` and the text ``'12.5'`` agree; ``1`` and
  ``'1'`` agree; ``True`` is ``1``). Date-times: ``YYYY-MM-DD HH:MM:SS[.ffffff]``, aware ones
  converted to UTC and naive ones taken as they are (a destination without time zones holds
  UTC). Dates and times: ISO. Bytes: hex. Text: as it is, except that trailing spaces are
  dropped where either side is ``CHAR(n)`` (padded).
- Keys: where both sides' key columns are numbers, rows are ordered and matched by value;
  otherwise by their text in SQL (``CAST(… AS TEXT)``), in code-point order on every engine
  (``COLLATE "C"``, ``CAST(… AS BINARY)`` of utf8mb4, SQLite's BINARY), which is Python's own
  string order, so the merge sees both sides in the same order.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any, NamedTuple

import sqlalchemy as sa
from django.utils import timezone
from django.utils.translation import gettext as _
from sqlalchemy.dialects import mysql as mysql_types

from govshare.catalog.choices import Masking
from govshare.core.crypto import Sm3
from govshare.exchange.connectors.base import ConnectorError
from govshare.exchange.connectors.sql import (
    TableNotFound,
    connect_args,
    engine_url,
    is_text,
    python_type,
    reflect_table,
    source_error,
    typed_values,
)
from govshare.exchange.masking import mask
from govshare.exchange.models import Connection, Engine
from govshare.exchange.sync.spec import Column, SpecError, SyncSpec
from govshare.exchange.sync.sqlmask import masked_expression

MAX_DIFFERING_KEYS = 1000
FETCH_ROWS = 2000  # rows per round trip of a server-side cursor
# A reconciliation reads whole tables in key order: the gateway's 10-second statement limit
# (connectors.sql) would stop the sort of a large one.
READ_TIMEOUT_S = 3600
NUMBER_TYPES = (int, Decimal, float)
SOURCE, DESTINATION = "source", "destination"  # the sides, as errors name them
MISSING, EXTRA, CHANGED = "missing", "extra", "changed"  # how a key differs


@dataclass(frozen=True)
class RangeDigest:
    """One key range: its first and last key (either side), each side's row count and digest."""

    low: tuple[Any, ...] | None
    high: tuple[Any, ...] | None
    source_rows: int
    destination_rows: int
    source_digest: str  # SM3 of the source rows' canonical text, in key order
    destination_digest: str

    @property
    def consistent(self) -> bool:
        return (
            self.source_rows == self.destination_rows
            and self.source_digest == self.destination_digest
        )


@dataclass
class ReconcileResult:
    """The outcome of ``reconcile``; ``as_json()`` is what a run's record keeps."""

    consistent: bool
    source_rows: int
    destination_rows: int
    ranges: list[RangeDigest]
    differing_keys: list[tuple[Any, ...]]  # in key order; at most MAX_DIFFERING_KEYS
    checked_at: datetime
    missing_rows: int = 0  # in the source, not in the destination
    extra_rows: int = 0  # in the destination, not in the source
    changed_rows: int = 0  # in both, with different values
    differing_keys_capped: bool = False  # more keys differ than are listed

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["checked_at"] = self.checked_at.isoformat()
        data["ranges"] = [
            {**asdict(r), "low": _json_key(r.low), "high": _json_key(r.high)} for r in self.ranges
        ]
        data["differing_keys"] = [_json_key(key) for key in self.differing_keys]
        return data


def reconcile(spec: SyncSpec, *, ranges: int = 16) -> ReconcileResult:
    """Compare the delivered source with the destination table (see the module's docstring).

    Raises ``SpecError`` when the subscription has no destination, ``TableNotFound`` when a
    table or column is missing, and another ``ConnectorError`` when a database fails; each
    message names the side.
    """
    checked_at = timezone.now()
    with _opened(spec) as (plan, source_db, destination_db):
        expected = _count(source_db, plan, SOURCE)
        per_range = math.ceil(expected / max(ranges, 1)) if expected else 0
        tally = _merge(_walk(plan, source_db, destination_db), per_range)
    return tally.result(checked_at)


class KeyDifference(NamedTuple):
    """A key whose row is ``missing`` from the destination, ``extra`` in it, or ``changed``."""

    how: str
    key: tuple[Any, ...]


def key_differences(spec: SyncSpec) -> Iterator[KeyDifference]:
    """Every differing key, in key order, as the two sides stream past (no cap, no ranges):
    what an incremental run by key comparison upserts (missing, changed) or deletes (extra).
    Close the iterator (or read it to the end) to release the connections."""
    with _opened(spec) as (plan, source_db, destination_db):
        for left, right in _walk(plan, source_db, destination_db):
            how = _how(left, right)
            if how:
                yield KeyDifference(how, (left or right).key)  # type: ignore[union-attr]


@contextmanager
def _opened(spec: SyncSpec) -> Iterator[tuple[_Plan, sa.Connection, sa.Connection]]:
    """Both sides reflected and connected, with the plan of what each side reads."""
    if spec.destination is None:
        raise SpecError(_("The subscription has no destination database to reconcile."))
    with (
        _reading_engine(spec.source, SOURCE) as source_engine,
        _reading_engine(spec.destination, DESTINATION) as destination_engine,
    ):
        source = _reflect(source_engine, spec.source_table, SOURCE)
        destination = _reflect(destination_engine, spec.destination_table, DESTINATION)
        plan = _Plan.build(
            spec, source, destination, _dialect(source_engine), _dialect(destination_engine)
        )
        with (
            _connected(source_engine, SOURCE) as source_db,
            _connected(destination_engine, DESTINATION) as destination_db,
        ):
            yield plan, source_db, destination_db


# --- reading ------------------------------------------------------------------------------


@contextmanager
def _reading_engine(connection: Connection, side: str) -> Iterator[sa.Engine]:
    """An unpooled engine for one long read, in one snapshot where the engine has them."""
    options: dict[str, Any] = {"poolclass": sa.pool.NullPool}
    arguments = connect_args(connection.engine)
    if connection.engine == Engine.POSTGRESQL:
        arguments["options"] = f"-c statement_timeout={READ_TIMEOUT_S * 1000}"
        options["isolation_level"] = "REPEATABLE READ"
    elif connection.engine == Engine.MYSQL:
        arguments["read_timeout"] = READ_TIMEOUT_S
        options["isolation_level"] = "REPEATABLE READ"
    try:
        engine = sa.create_engine(engine_url(connection), connect_args=arguments, **options)
    except ConnectorError as error:
        raise type(error)(_side_message(side, str(error))) from None
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _connected(engine: sa.Engine, side: str) -> Iterator[sa.Connection]:
    try:
        db = engine.connect()
    except sa.exc.SQLAlchemyError as error:
        raise _failure(error, side, engine) from None
    try:
        yield db
    finally:
        db.close()


def _reflect(engine: sa.Engine, name: str, side: str) -> sa.Table:
    try:
        return reflect_table(engine, name)
    except ConnectorError as error:
        raise type(error)(_side_message(side, str(error))) from None


def _count(db: sa.Connection, plan: _Plan, side: str) -> int:
    try:
        return int(db.execute(plan.source_count()).scalar_one())
    except sa.exc.SQLAlchemyError as error:
        raise _failure(error, side, db.engine) from None


def _stream(
    db: sa.Connection, statement: sa.Select[Any], convert: Callable[[Any], _Row | None], side: str
) -> Generator[_Row, None, None]:
    try:
        result = db.execution_options(stream_results=True, yield_per=FETCH_ROWS).execute(statement)
        try:
            for raw in result:
                row = convert(raw)
                if row is not None:
                    yield row
        finally:
            result.close()  # also when the reader stops early: the server-side cursor goes
    except sa.exc.SQLAlchemyError as error:
        raise _failure(error, side, db.engine) from None


def _failure(error: sa.exc.SQLAlchemyError, side: str, engine: sa.Engine) -> ConnectorError:
    failure = source_error(error, engine.url.password or "")
    return type(failure)(_side_message(side, str(failure)))


def _side_message(side: str, message: str) -> str:
    if side == SOURCE:
        return _("Source database: %(message)s") % {"message": message}
    return _("Destination database: %(message)s") % {"message": message}


# --- what each side's rows become ---------------------------------------------------------


class _Row(NamedTuple):
    order: tuple[Any, ...]  # what the merge compares: numbers, or text in code-point order
    key: tuple[Any, ...]  # as reported
    text: str  # canonical text of the whole row


@dataclass
class _KeyColumn:
    source: sa.Column[Any]
    destination: sa.Column[Any]
    numeric: bool

    def sort_expression(self, column: sa.Column[Any], dialect: str) -> sa.ColumnElement[Any]:
        if self.numeric:
            return column
        if dialect == "postgresql":
            return sa.cast(column, sa.Text).collate("C")
        if dialect == "mysql":
            return sa.cast(sa.cast(column, mysql_types.CHAR(charset="utf8mb4")), sa.LargeBinary)
        return sa.cast(column, sa.Text).collate("BINARY")

    def order_value(self, value: Any) -> Any:
        """Integers as they are (they compare with decimals exactly), other numbers as
        decimals; text as ``str`` (MariaDB's ``CAST(… AS BINARY)`` gives bytes)."""
        if self.numeric:
            return value if type(value) is int else _number(value)
        if isinstance(value, bytes | memoryview):
            return bytes(value).decode("utf-8")
        return value if type(value) is str else str(value)

    def text(self, value: Any) -> str:
        if not self.numeric:
            return value  # type: ignore[no-any-return]
        return str(value) if type(value) is int else _decimal_text(value)


@dataclass
class _ValueColumn:
    source: sa.Column[Any]
    destination: sa.Column[Any]
    masking: str
    in_sql: bool  # masked (or not masked) by the source query itself
    canonical: Callable[[Any], str | None]


@dataclass
class _Plan:
    spec: SyncSpec
    source: sa.Table
    destination: sa.Table
    source_dialect: str
    destination_dialect: str
    keys: list[_KeyColumn]
    values: list[_ValueColumn]
    filters: list[tuple[sa.Column[Any], list[Any]]] = field(default_factory=list)
    deleted: sa.Column[Any] | None = None

    @classmethod
    def build(
        cls,
        spec: SyncSpec,
        source: sa.Table,
        destination: sa.Table,
        source_dialect: str,
        destination_dialect: str,
    ) -> _Plan:
        keys = [
            _KeyColumn(
                _column(source, c.source, SOURCE),
                _column(destination, c.target, DESTINATION),
                numeric=False,
            )
            for c in spec.key
        ]
        for key in keys:
            key.numeric = all(
                python_type(column) in NUMBER_TYPES for column in (key.source, key.destination)
            )
        values = [_value_column(source_dialect, c, source, destination) for c in spec.columns]
        plan = cls(
            spec,
            source,
            destination,
            source_dialect,
            destination_dialect,
            keys,
            [v for v in values if v is not None],
        )
        for name, allowed in spec.row_filter.items():
            column = _column(source, name, SOURCE)
            plan.filters.append((column, typed_values(column, list(allowed))))
        if spec.soft_delete_column:
            plan.deleted = _column(source, spec.soft_delete_column, SOURCE)
        return plan

    # --- the source ---

    def _source_conditions(self) -> list[sa.ColumnElement[bool]]:
        conditions: list[sa.ColumnElement[bool]] = [k.source.is_not(None) for k in self.keys]
        for column, allowed in self.filters:
            conditions.append(column.in_(allowed) if allowed else sa.false())
        return conditions

    def source_count(self) -> sa.Select[Any]:
        return sa.select(sa.func.count()).select_from(self.source).where(*self._source_conditions())

    def source_select(self) -> sa.Select[Any]:
        dialect = self.source_dialect
        order = [
            k.sort_expression(k.source, dialect).label(f"k{n}") for n, k in enumerate(self.keys)
        ]
        selected: list[sa.ColumnElement[Any]] = [*order]
        for n, value in enumerate(self.values):
            expression = masked_expression(dialect, value.masking, value.source)
            selected.append((value.source if expression is None else expression).label(f"v{n}"))
        selected += [column.label(f"f{n}") for n, (column, _) in enumerate(self.filters)]
        if self.deleted is not None:
            selected.append(self.deleted.label("deleted"))
        return sa.select(*selected).where(*self._source_conditions()).order_by(*order)

    def source_row(self, raw: Sequence[Any]) -> _Row | None:
        """A source row as compared, or None when it is not delivered: outside the row filter
        (the SQL ``IN`` may match case- or padding-insensitively on MariaDB: exact here, as
        the gateway checks) or flagged deleted."""
        start = len(self.keys) + len(self.values)
        for offset, wanted in self._text_filters:
            if not _text_in(raw[start + offset], wanted):
                return None
        if self.deleted is not None and _is_deleted(raw[-1], self._deleted_value):
            return None
        keys = raw[: len(self.keys)]
        fields = [
            value.canonical(stored if value.in_sql else mask(value.masking, stored))
            for value, stored in zip(self.values, raw[len(self.keys) : start], strict=True)
        ]
        return self._row(keys, fields)

    @cached_property
    def _text_filters(self) -> list[tuple[int, frozenset[str]]]:
        return [
            (offset, frozenset(str(value) for value in allowed))
            for offset, (column, allowed) in enumerate(self.filters)
            if is_text(column)
        ]

    @cached_property
    def _deleted_value(self) -> Any:
        """The soft-delete value as the flag column's type (``_NEVER`` if it cannot be one)."""
        assert self.deleted is not None
        typed = typed_values(self.deleted, [self.spec.soft_delete_value])
        return typed[0] if typed else _NEVER

    # --- the destination ---

    def destination_select(self) -> sa.Select[Any]:
        dialect = self.destination_dialect
        order = [
            k.sort_expression(k.destination, dialect).label(f"k{n}")
            for n, k in enumerate(self.keys)
        ]
        values = [v.destination.label(f"v{n}") for n, v in enumerate(self.values)]
        conditions = [k.destination.is_not(None) for k in self.keys]
        return sa.select(*order, *values).where(*conditions).order_by(*order)

    def destination_row(self, raw: Sequence[Any]) -> _Row:
        count = len(self.keys)
        fields = [v.canonical(stored) for v, stored in zip(self.values, raw[count:], strict=True)]
        return self._row(raw[:count], fields)

    def _row(self, keys: Sequence[Any], fields: list[str | None]) -> _Row:
        order = tuple([k.order_value(v) for k, v in zip(self.keys, keys, strict=True)])
        texts = [k.text(v) for k, v in zip(self.keys, order, strict=True)] + fields
        text = ",".join(["-" if v is None else f"{len(v)}:{v}" for v in texts]) + "\n"
        return _Row(order, tuple([_reported(v) for v in order]), text)


def _dialect(engine: sa.Engine) -> str:
    return "mysql" if engine.dialect.name == "mariadb" else engine.dialect.name


def _column(table: sa.Table, name: str, side: str) -> sa.Column[Any]:
    try:
        return table.c[name]
    except KeyError:
        message = _("The column %(column)s of %(table)s does not exist.") % {
            "column": name,
            "table": table.fullname,
        }
        raise TableNotFound(_side_message(side, message)) from None


def _value_column(
    dialect: str, column: Column, source: sa.Table, destination: sa.Table
) -> _ValueColumn | None:
    if column.is_key:
        return None
    source_column = _column(source, column.source, SOURCE)
    destination_column = _column(destination, column.target, DESTINATION)
    in_sql = masked_expression(dialect, column.masking, source_column) is not None
    canonical: Callable[[Any], str | None]
    if column.masking != Masking.NONE:
        canonical = _canonical_text
    else:
        padded = any(isinstance(c.type, sa.CHAR) for c in (source_column, destination_column))
        kind = _kind(source_column, destination_column)
        canonical = _canonical_for(kind, padded=padded)
    return _ValueColumn(source_column, destination_column, column.masking, in_sql, canonical)


# --- canonical text -----------------------------------------------------------------------


def _kind(source: sa.Column[Any], destination: sa.Column[Any]) -> type | None:
    """The type both sides are read as: the source's, unless it is text and the destination's
    is not (a SQLite source keeps numbers and dates as text; their destination types them)."""
    kinds = [python_type(source), python_type(destination)]
    typed = [kind for kind in kinds if kind not in (str, None)]
    return typed[0] if typed else kinds[0]


def _canonical_for(kind: type | None, *, padded: bool) -> Callable[[Any], str | None]:
    if kind is bool:
        return _canonical_bool
    if kind in NUMBER_TYPES:
        return _canonical_number
    if kind is datetime:
        return _canonical_datetime
    if kind is date:
        return _canonical_date
    if kind is time:
        return _canonical_time
    return _canonical_padded if padded else _canonical_text


def _canonical_text(value: Any) -> str | None:
    """Any value as text, whatever its type (the fallback of every kind)."""
    kind = type(value)
    if kind is str or value is None:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if kind is Decimal:
        return _decimal_text(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return _decimal_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def _canonical_padded(value: Any) -> str | None:
    text = _canonical_text(value)
    return text.rstrip(" ") if text is not None else None


def _canonical_number(value: Any) -> str | None:
    if isinstance(value, str):
        try:
            return _decimal_text(Decimal(value.strip()))
        except InvalidOperation:
            return value
    return _canonical_text(value)


def _canonical_bool(value: Any) -> str | None:
    if isinstance(value, str):
        flags = {"1": "1", "true": "1", "t": "1", "0": "0", "false": "0", "f": "0"}
        return flags.get(value.strip().lower(), value)
    return _canonical_text(value)


def _canonical_datetime(value: Any) -> str | None:
    return _canonical_text(_parsed(value, datetime.fromisoformat))


def _canonical_date(value: Any) -> str | None:
    if isinstance(value, datetime) and value.time() == time() and value.tzinfo is None:
        value = value.date()  # a DATETIME at midnight holding a date (Oracle-style types)
    return _canonical_text(_parsed(value, date.fromisoformat))


def _canonical_time(value: Any) -> str | None:
    return _canonical_text(_parsed(value, time.fromisoformat))


def _parsed(value: Any, parse: Callable[[str], Any]) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return parse(value.strip())
    except ValueError:
        return value


def _decimal_text(value: Decimal | float | int) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        return str(number)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _number(value: Any) -> Decimal:
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ConnectorError(
            _("The key value %(value)s is not a number.") % {"value": str(value)[:40]}
        ) from None


def _reported(value: Any) -> Any:
    if type(value) is Decimal and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return value


_NEVER = object()  # a soft-delete value no stored flag can equal


def _is_deleted(stored: Any, deleted: Any) -> bool:
    # CHAR(n) flags come back padded (connectors.sql.same_value does the same).
    return stored == deleted or (isinstance(stored, str) and stored.rstrip() == deleted)


def _text_in(stored: Any, wanted: frozenset[str]) -> bool:
    return isinstance(stored, str) and (stored in wanted or stored.rstrip() in wanted)


def _json_key(key: Sequence[Any] | None) -> list[Any] | None:
    if key is None:
        return None
    return [v if isinstance(v, int | str) else _canonical_text(v) for v in key]


# --- the merge ----------------------------------------------------------------------------


class _Range:
    def __init__(self) -> None:
        self.low: tuple[Any, ...] | None = None
        self.high: tuple[Any, ...] | None = None
        self.source_rows = 0
        self.destination_rows = 0
        self.source_digest = Sm3()
        self.destination_digest = Sm3()

    def add(self, key: tuple[Any, ...], source: str | None, destination: str | None) -> None:
        if self.low is None:
            self.low = key
        self.high = key
        if source is not None:
            self.source_rows += 1
            self.source_digest.update(source.encode("utf-8"))
        if destination is not None:
            self.destination_rows += 1
            self.destination_digest.update(destination.encode("utf-8"))

    def digest(self) -> RangeDigest:
        return RangeDigest(
            low=self.low,
            high=self.high,
            source_rows=self.source_rows,
            destination_rows=self.destination_rows,
            source_digest=self.source_digest.hexdigest(),
            destination_digest=self.destination_digest.hexdigest(),
        )


@dataclass
class _Tally:
    ranges: list[RangeDigest] = field(default_factory=list)
    differing_keys: list[tuple[Any, ...]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"missing": 0, "extra": 0, "changed": 0})

    def differ(self, key: tuple[Any, ...], how: str) -> None:
        self.counts[how] += 1
        if len(self.differing_keys) < MAX_DIFFERING_KEYS:
            self.differing_keys.append(key)

    def result(self, checked_at: datetime) -> ReconcileResult:
        differing = sum(self.counts.values())
        return ReconcileResult(
            consistent=differing == 0,
            source_rows=sum(r.source_rows for r in self.ranges),
            destination_rows=sum(r.destination_rows for r in self.ranges),
            ranges=self.ranges,
            differing_keys=self.differing_keys,
            checked_at=checked_at,
            missing_rows=self.counts[MISSING],
            extra_rows=self.counts[EXTRA],
            changed_rows=self.counts[CHANGED],
            differing_keys_capped=differing > len(self.differing_keys),
        )


def _walk(
    plan: _Plan, source_db: sa.Connection, destination_db: sa.Connection
) -> Iterator[tuple[_Row | None, _Row | None]]:
    """Both sides in key order at once: (source row, destination row) where the keys match,
    else the one with the lower key beside None."""
    source = _stream(source_db, plan.source_select(), plan.source_row, SOURCE)
    destination = _stream(
        destination_db, plan.destination_select(), plan.destination_row, DESTINATION
    )
    try:
        left, right = next(source, None), next(destination, None)
        while left is not None or right is not None:
            if right is None or (left is not None and left.order < right.order):
                yield left, None
                left = next(source, None)
            elif left is None or right.order < left.order:
                yield None, right
                right = next(destination, None)
            else:
                yield left, right
                left, right = next(source, None), next(destination, None)
    finally:
        source.close()
        destination.close()


def _how(left: _Row | None, right: _Row | None) -> str:
    if right is None:
        return MISSING
    if left is None:
        return EXTRA
    return CHANGED if left.text != right.text else ""


def _merge(pairs: Iterator[tuple[_Row | None, _Row | None]], per_range: int) -> _Tally:
    """Digest and count the pairs by range. A range closes when it holds ``per_range`` source
    rows and the next source row comes; destination rows past the last source row stay in the
    last range."""
    tally, current = _Tally(), _Range()
    for left, right in pairs:
        if left is not None and per_range and current.source_rows >= per_range:
            tally.ranges.append(current.digest())
            current = _Range()
        row = left or right
        assert row is not None
        current.add(row.key, left.text if left else None, right.text if right else None)
        how = _how(left, right)
        if how:
            tally.differ(row.key, how)
    if current.low is not None:
        tally.ranges.append(current.digest())
    return tally
