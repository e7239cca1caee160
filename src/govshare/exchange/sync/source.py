"""Reading the provider's table for a run (源端读取): one SELECT shape for every path.

Only granted items are read, masked where the source's SQL can mask them
(``sqlmask.masked_expression``), the provider's row filter always in the WHERE clause, rows in
key order (or watermark, key order for an incremental run) so that a batch's last row is a
position to resume from. Identifiers come from the reflected table and values are bound
parameters, as in ``connectors.sql``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from django.utils.translation import gettext as _

from govshare.catalog.choices import Masking
from govshare.exchange.connectors.base import NotConfigured
from govshare.exchange.connectors.sql import (
    TableNotFound,
    coerce,
    connect_args,
    engine_url,
    password_of,
    split_table_name,
)
from govshare.exchange.models import Engine
from govshare.exchange.sync.destination import RUN_POOL
from govshare.exchange.sync.errors import SyncError, SyncFailure, driver_text, is_login_error
from govshare.exchange.sync.spec import Column, SyncSpec
from govshare.exchange.sync.sqlmask import masked_expression

# Labels of the extra columns a run reads beside the granted items.
WATERMARK_LABEL = "gs_watermark"
DELETED_LABEL = "gs_deleted"


@contextmanager
def source_engine(spec: SyncSpec) -> Iterator[sa.Engine]:
    """An unpooled engine on the provider's database; read only, and without the gateway's
    statement timeout (a full load's single SELECT may run for minutes)."""
    connection = spec.source
    options = connect_args(connection.engine)
    if connection.engine == Engine.POSTGRESQL:
        options["options"] = "-c statement_timeout=0 -c default_transaction_read_only=on"
    elif connection.engine == Engine.MYSQL:
        options.update(read_timeout=3600, write_timeout=3600)
    try:
        engine = sa.create_engine(engine_url(connection), connect_args=options, **RUN_POOL)
    except NotConfigured as error:
        raise SyncFailure(SyncError.SPEC_INVALID, str(error)) from None
    try:
        yield engine
    finally:
        engine.dispose()


def source_failure(error: BaseException, spec: SyncSpec) -> SyncFailure:
    text = driver_text(error, password_of(spec.source))
    host = spec.source.host or spec.source.database
    lowered = text.lower()
    if "column" in lowered and any(
        phrase in lowered for phrase in ("does not exist", "no such column", "unknown column")
    ):  # dropped while the run was reading
        return SyncFailure(
            SyncError.SOURCE_COLUMN_MISSING,
            _("The source table %(table)s lost a column: %(reason)s")
            % {"table": spec.source_table, "reason": text},
        )
    if isinstance(error, sa.exc.OperationalError) or is_login_error(text):
        return SyncFailure(
            SyncError.SOURCE_UNREACHABLE,
            _("The source database %(host)s cannot be reached: %(reason)s")
            % {"host": host, "reason": text},
        )
    return SyncFailure(
        SyncError.SOURCE_FAILED,
        _("The source table %(table)s could not be read: %(reason)s")
        % {"table": spec.source_table, "reason": text},
    )


@dataclass
class SourceTable:
    """The provider's table, reflected, with every column the spec names checked to exist."""

    table: sa.Table
    dialect: str
    spec: SyncSpec
    python_masked: dict[str, str] = field(default_factory=dict)  # target → masking kind

    def column(self, name: str) -> sa.Column[Any]:
        return self.table.c[name]

    def delivered(self) -> list[sa.ColumnElement[Any]]:
        """The granted items, labelled by their destination column, masked in SQL where the
        dialect can; the rest are masked in Python (``python_masked``)."""
        expressions: list[sa.ColumnElement[Any]] = []
        self.python_masked = {}
        for column in self.spec.columns:
            raw = self.table.c[column.source]
            expression = raw if column.masking == Masking.NONE else self._masked(column, raw)
            expressions.append(expression.label(column.target))
        return expressions

    def _masked(self, column: Column, raw: sa.Column[Any]) -> sa.ColumnElement[Any]:
        expression = masked_expression(self.dialect, column.masking, raw)
        if expression is None:
            self.python_masked[column.target] = column.masking
            return raw
        return expression

    @property
    def masks_in_sql(self) -> bool:
        """Whether every masked item has an SQL form here (after ``delivered()``)."""
        return not self.python_masked

    def key_columns(self) -> list[sa.Column[Any]]:
        return [self.table.c[column.source] for column in self.spec.key]

    def key_values(self, values: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
        """A stored position (JSON values) as the key columns' Python types."""
        typed = []
        for column, value in zip(self.key_columns(), values, strict=True):
            converted = coerce(column, value) if value is not None else None
            if not _valid(converted):
                raise SyncFailure(
                    SyncError.SPEC_INVALID,
                    _("The stored position %(value)s is not a key of %(table)s.")
                    % {"value": value, "table": self.spec.source_table},
                )
            typed.append(converted)
        return tuple(typed)

    def watermark_value(self, text: str) -> Any:
        column = self.table.c[self.spec.watermark_column]
        value = coerce(column, text)
        if not _valid(value):
            raise SyncFailure(
                SyncError.SPEC_INVALID,
                _("The stored watermark %(value)s does not fit the column %(column)s.")
                % {"value": text, "column": column.name},
            )
        return value

    def filters(self) -> list[sa.ColumnElement[bool]]:
        """The provider's row filter and, where deletions are flagged, only live rows."""
        conditions: list[sa.ColumnElement[bool]] = []
        for name, values in self.spec.row_filter.items():
            column = self.table.c[name]
            typed = [v for v in (coerce(column, value) for value in values) if _valid(v)]
            conditions.append(column.in_(typed) if typed else sa.false())
        return conditions

    def deleted_flag(self) -> sa.ColumnElement[bool] | None:
        """True for a row the source marks deleted (soft-delete flag), else None."""
        if not self.spec.soft_delete_column:
            return None
        column = self.table.c[self.spec.soft_delete_column]
        value = coerce(column, self.spec.soft_delete_value)
        if not _valid(value):
            raise SyncFailure(
                SyncError.SPEC_INVALID,
                _("The soft-delete value %(value)s does not fit the column %(column)s.")
                % {"value": self.spec.soft_delete_value, "column": column.name},
            )
        return sa.and_(column.is_not(None), column == value)

    def live_only(self) -> list[sa.ColumnElement[bool]]:
        flag = self.deleted_flag()
        return [] if flag is None else [sa.not_(flag)]


def _valid(value: Any) -> bool:
    # connectors.sql.coerce answers a bare ``object()`` for a value the column cannot hold.
    return type(value) is not object


def reflect_source(engine: sa.Engine, spec: SyncSpec) -> SourceTable:
    """The source table with every named column checked; a missing one is named."""
    schema, name = _table_name(spec.source_table)
    try:
        table = sa.Table(name, sa.MetaData(), autoload_with=engine, schema=schema)
    except sa.exc.NoSuchTableError:
        raise SyncFailure(
            SyncError.SOURCE_COLUMN_MISSING,
            _("The source table %(table)s does not exist.") % {"table": spec.source_table},
        ) from None
    except sa.exc.SQLAlchemyError as error:
        raise source_failure(error, spec) from None
    needed = [column.source for column in spec.columns]
    needed += [c for c in (spec.watermark_column, spec.soft_delete_column) if c]
    needed += list(spec.row_filter)
    for column in needed:
        if column not in table.c:
            raise SyncFailure(
                SyncError.SOURCE_COLUMN_MISSING,
                _("The source table %(table)s has no column %(column)s.")
                % {"table": spec.source_table, "column": column},
            )
    source = SourceTable(table=table, dialect=engine.dialect.name, spec=spec)
    source.delivered()  # decides which items are masked in Python (``python_masked``)
    return source


def _table_name(name: str) -> tuple[str | None, str]:
    try:
        return split_table_name(name)
    except TableNotFound as error:
        raise SyncFailure(SyncError.SPEC_INVALID, str(error)) from None


def key_after(columns: list[sa.Column[Any]], values: tuple[Any, ...]) -> sa.ColumnElement[bool]:
    """(k1, k2, …) > (v1, v2, …), written out so that every engine uses the key's index."""
    if len(columns) == 1:
        return columns[0] > values[0]
    head, rest = columns[0], columns[1:]
    return sa.or_(head > values[0], sa.and_(head == values[0], key_after(rest, values[1:])))


def key_at_or_after(
    columns: list[sa.Column[Any]], values: tuple[Any, ...]
) -> sa.ColumnElement[bool]:
    equal = sa.and_(*(column == value for column, value in zip(columns, values, strict=True)))
    return sa.or_(key_after(columns, values), equal)
