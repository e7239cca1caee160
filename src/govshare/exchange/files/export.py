"""The export of a 文件 grant's table (表导出): granted items only, masked as granted, the
provider's and the grant's row filters applied, written in chunks so memory stays flat.

Formats:
- CSV: UTF-8 with a byte-order mark (Excel opens it as UTF-8), a header row of item
  identifiers, values as text (dates ISO 8601, decimals exactly as stored).
- XLSX: xlsxwriter in constant-memory mode; a new sheet every 1,048,575 rows (Excel's limit);
  text is never taken for a formula.
- JSON: JSON Lines (one object per row, ``{"GMSFHM": ..., ...}``), chosen over one array so that
  a consumer can read it row by row with any tool and a partial file is still valid up to its last
  line.
- Parquet: polars, fed chunk by chunk through an IO source and sunk by its streaming engine;
  booleans, integers, floats and dates typed as in the source table; masked items, decimals and
  date-times as text (exact, whatever their scale or time zone).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa
import xlsxwriter
from django.utils.translation import gettext as _
from polars.io.plugins import register_io_source

from govshare.catalog.choices import Masking
from govshare.exchange.connectors.sql import (
    TableNotFound,
    json_ready,
    password_of,
    python_type,
    reflect_table,
    source_error,
    temporary_engine,
    text_in,
    typed_values,
)
from govshare.exchange.masking import mask
from govshare.exchange.models import PackageFormat
from govshare.exchange.sync.spec import SyncSpec

CHUNK_ROWS = 5_000
XLSX_MAX_ROWS = 1_048_575  # per sheet, below the header row
CSV_BOM = "\ufeff"
EXTENSIONS = {
    PackageFormat.CSV: "csv",
    PackageFormat.XLSX: "xlsx",
    PackageFormat.JSON: "jsonl",
    PackageFormat.PARQUET: "parquet",
}

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Export:
    """What was written: the file and how many rows it holds."""

    path: Path
    row_count: int


def export_table(spec: SyncSpec, format: str, directory: Path, stem: str) -> Export:
    """Write the spec's rows to ``directory/stem.<ext>`` in ``format``; ConnectorError (a
    TableNotFound naming the column, or the database's failure without secrets) if the source
    cannot be read."""
    path = directory / f"{stem}.{EXTENSIONS[PackageFormat(format)]}"
    with temporary_engine(spec.source) as engine:
        table = reflect_table(engine, spec.source_table)
        columns = _source_columns(table, spec)
        writer = WRITERS[PackageFormat(format)]
        rows = writer(path, spec, columns, _chunks(engine, table, spec, columns))
    return Export(path, rows)


def _source_columns(table: sa.Table, spec: SyncSpec) -> list[sa.Column]:
    try:
        return [table.c[column.source] for column in spec.columns]
    except KeyError as error:
        raise TableNotFound(
            _("The column %(column)s does not exist.") % {"column": error.args[0]}
        ) from None


def _chunks(
    engine: sa.Engine, table: sa.Table, spec: SyncSpec, columns: list[sa.Column]
) -> Iterator[list[Row]]:
    """The rows in chunks, filtered and masked; read through a server-side cursor."""
    conditions, text_checks = _conditions(table, spec)
    query = sa.select(*columns, *(column for column, _ in text_checks))
    query = query.where(*conditions).order_by(*_order(table, spec, columns))
    kinds = [column.masking for column in spec.columns]
    width = len(columns)
    try:
        with engine.connect() as db, _snapshot(db).begin():
            result = db.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(query)
            for partition in result.partitions():
                rows = [
                    tuple(mask(kind, value) for kind, value in zip(kinds, row[:width], strict=True))
                    for row in partition
                    if all(
                        text_in(row[width + n], allowed)
                        for n, (_, allowed) in enumerate(text_checks)
                    )
                ]
                if rows:
                    yield rows
    except sa.exc.SQLAlchemyError as error:
        raise source_error(error, password_of(spec.source)) from None


def _snapshot(db: sa.Connection) -> sa.Connection:
    """One read-only snapshot for the whole export: a server-side cursor needs a transaction
    (the source engines run in autocommit for the gateway's single lookups), and rows changed
    while the export runs must not make it half old, half new."""
    if db.dialect.name != "sqlite":  # a SQLite read transaction is a snapshot already
        db.execution_options(isolation_level="REPEATABLE READ")
    return db


def _conditions(
    table: sa.Table, spec: SyncSpec
) -> tuple[list[Any], list[tuple[sa.Column, list[Any]]]]:
    """The row filter as SQL conditions, and the text columns to re-check exactly in Python."""
    conditions: list[Any] = []
    text_checks: list[tuple[sa.Column, list[Any]]] = []
    for name, allowed in spec.row_filter.items():
        if name not in table.c:
            raise TableNotFound(_("The column %(column)s does not exist.") % {"column": name})
        column = table.c[name]
        values = typed_values(column, list(allowed))
        conditions.append(column.in_(values) if values else sa.false())
        if python_type(column) is str:
            text_checks.append((column, values))
    return conditions, text_checks


def _order(table: sa.Table, spec: SyncSpec, columns: list[sa.Column]) -> list[sa.Column]:
    """A stable order, so two exports of unchanged data are the same file: the table's primary
    key, else the key items."""
    primary = list(table.primary_key.columns)
    if primary:
        return primary
    return [
        column
        for column, spec_column in zip(columns, spec.columns, strict=True)
        if spec_column.is_key
    ]


def _headers(spec: SyncSpec) -> list[str]:
    return [column.item for column in spec.columns]


# --- writers ------------------------------------------------------------------------------

Writer = Callable[[Path, SyncSpec, list[sa.Column], Iterator[list[Row]]], int]


def write_csv(
    path: Path, spec: SyncSpec, columns: list[sa.Column], chunks: Iterator[list[Row]]
) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(CSV_BOM)
        writer = csv.writer(handle)
        writer.writerow(_headers(spec))
        for rows in chunks:
            writer.writerows([_text(value) for value in row] for row in rows)
            count += len(rows)
    return count


def _text(value: Any) -> Any:
    ready = json_ready(value)
    return "" if ready is None else ready


def write_json_lines(
    path: Path, spec: SyncSpec, columns: list[sa.Column], chunks: Iterator[list[Row]]
) -> int:
    count, headers = 0, _headers(spec)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for rows in chunks:
            handle.writelines(
                json.dumps(
                    {header: json_ready(value) for header, value in zip(headers, row, strict=True)},
                    ensure_ascii=False,
                )
                + "\n"
                for row in rows
            )
            count += len(rows)
    return count


def write_xlsx(
    path: Path, spec: SyncSpec, columns: list[sa.Column], chunks: Iterator[list[Row]]
) -> int:
    # strings_to_formulas off: a value "=1+1" in the data stays text (no formula injection).
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    headers, count, sheet, line = _headers(spec), 0, None, 0
    try:
        for rows in chunks:
            for row in rows:
                if sheet is None or line > XLSX_MAX_ROWS:
                    sheet, line = workbook.add_worksheet(), 1
                    sheet.write_row(0, 0, headers)
                sheet.write_row(line, 0, [_cell(value) for value in row])
                line += 1
            count += len(rows)
        if sheet is None:
            workbook.add_worksheet().write_row(0, 0, headers)
    finally:
        workbook.close()
    return count


def _cell(value: Any) -> Any:
    """A value xlsxwriter writes as itself: numbers as numbers (decimals as text, exactly),
    dates and times as ISO text, everything else as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(json_ready(value))


def write_parquet(
    path: Path, spec: SyncSpec, columns: list[sa.Column], chunks: Iterator[list[Row]]
) -> int:
    schema = {
        spec_column.item: _polars_type(column, spec_column.masking)
        for column, spec_column in zip(columns, spec.columns, strict=True)
    }
    counted = [0]

    def frames(*_: Any) -> Iterator[pl.DataFrame]:
        for rows in chunks:
            counted[0] += len(rows)
            yield pl.DataFrame(
                [[_parquet_value(value) for value in row] for row in rows],
                schema=schema,
                orient="row",
            )

    source = register_io_source(frames, schema=schema)
    source.sink_parquet(path, engine="streaming")
    return counted[0]


def _polars_type(column: sa.Column, masking: str) -> Any:
    if masking != Masking.NONE:
        return pl.String
    kind = python_type(column)
    if kind is None:
        return pl.String
    return {
        bool: pl.Boolean,
        int: pl.Int64,
        float: pl.Float64,
        dt.date: pl.Date,
    }.get(kind, pl.String)  # decimals and times as text: exact, whatever their scale or zone


def _parquet_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | dt.date):
        return value
    return json_ready(value)


WRITERS: dict[PackageFormat, Writer] = {
    PackageFormat.CSV: write_csv,
    PackageFormat.XLSX: write_xlsx,
    PackageFormat.JSON: write_json_lines,
    PackageFormat.PARQUET: write_parquet,
}
