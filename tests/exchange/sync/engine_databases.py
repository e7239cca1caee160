"""Real databases for the sync engine's tests: a SQLite file in a temporary sources directory, a
database of its own in the local PostgreSQL or MariaDB (created for the test, dropped after;
skipped when the server does not answer), each behind an unsaved ``Connection``.

The people table carries what a subscription uses: a key, items to mask, a region to filter
by, an update time (watermark) and a soft-delete flag.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from govshare.catalog.choices import DataType, Masking
from govshare.core.crypto import sm4_encrypt
from govshare.exchange.models import Connection, ConnectionRole
from govshare.exchange.sync.spec import Column, SyncSpec

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MYSQL_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/"
PREFIX = "i13_engine_"
# These tests use databases of their own, never the platform's: make test's second pass (the
# platform on PostgreSQL) would only run them again.
ONCE = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="does not use the platform's database: run once, in the SQLite pass",
)
START = datetime(2026, 1, 1, 8, 0, 0)


@dataclass
class Endpoint:
    """One database: its engine kind, a SQLAlchemy engine for the test, and a Connection."""

    kind: str
    url: sa.URL
    connection: Connection

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        engine = self.engine()
        with engine.begin() as db:
            db.execute(sa.text(sql), params or {})
        engine.dispose()

    def rows(self, table: str) -> list[dict[str, Any]]:
        engine = self.engine()
        reflected = sa.Table(table, sa.MetaData(), autoload_with=engine)
        with engine.connect() as db:
            rows = [dict(row) for row in db.execute(sa.select(reflected)).mappings()]
        engine.dispose()
        return sorted(rows, key=lambda row: row["id"])

    def has_table(self, table: str) -> bool:
        engine = self.engine()
        found = sa.inspect(engine).has_table(table)
        engine.dispose()
        return found


def _reachable(url: str) -> bool:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _connection(kind: str, database: str, **fields: Any) -> Connection:
    return Connection(
        name=f"{kind} {database}",
        role=ConnectionRole.DESTINATION,
        engine=kind,
        database=database,
        **fields,
    )


def postgresql_endpoint() -> Iterator[Endpoint]:
    if not _reachable(PG_ADMIN):
        pytest.skip("PostgreSQL is not reachable")
    name = PREFIX + uuid.uuid4().hex[:10]
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as db:
        db.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(PG_ADMIN).set(database=name)
    fields = {"host": "127.0.0.1", "port": 5432, "username": "postgres"}
    try:
        yield Endpoint("postgresql", url, _connection("postgresql", name, **fields))
    finally:
        with admin.connect() as db:
            db.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def mysql_endpoint() -> Iterator[Endpoint]:
    if not _reachable(MYSQL_ADMIN):
        pytest.skip("MariaDB is not reachable")
    name = PREFIX + uuid.uuid4().hex[:10]
    admin = sa.create_engine(MYSQL_ADMIN, poolclass=sa.pool.NullPool)
    with admin.begin() as db:
        db.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    url = sa.make_url(MYSQL_ADMIN).set(database=name, query={"charset": "utf8mb4"})
    fields = {"host": "127.0.0.1", "port": 3306, "username": "root"}
    try:
        yield Endpoint("mysql", url, _connection("mysql", name, **fields))
    finally:
        with admin.begin() as db:
            db.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


def sqlite_endpoint(directory: Any) -> Endpoint:
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}.db"
    url = sa.URL.create("sqlite", database=str(directory / name))
    return Endpoint("sqlite", url, _connection("sqlite", name))


def with_password(endpoint: Endpoint, password: str) -> Connection:
    connection = endpoint.connection
    return Connection(
        name=connection.name,
        role=connection.role,
        engine=connection.engine,
        host=connection.host,
        port=connection.port,
        database=connection.database,
        username=connection.username,
        password_encrypted=sm4_encrypt(password),
    )


# --- the people table -----------------------------------------------------------------------


def person(number: int, **changes: Any) -> dict[str, Any]:
    row = {
        "id": number,
        "id_number": f"3707021990{number:04d}123X",
        "name": ["张三", "李四", "欧阳娜娜", "王五"][number % 4] + str(number),
        "income": Decimal(f"{number}.50"),
        "birth": (START - timedelta(days=number * 400)).date(),
        "region": "370702" if number % 5 else "370703",
        "updated": START + timedelta(minutes=number),
        "deleted": "0",
    }
    return row | changes


def create_people(endpoint: Endpoint, rows: list[dict[str, Any]], table: str = "people") -> None:
    metadata = sa.MetaData()
    people = sa.Table(
        table,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id_number", sa.String(18)),
        sa.Column("name", sa.String(50)),
        sa.Column("income", sa.Numeric(12, 2)),
        sa.Column("birth", sa.Date),
        sa.Column("region", sa.String(6)),
        sa.Column("updated", sa.DateTime, index=True),
        sa.Column("deleted", sa.String(1)),
    )
    engine = endpoint.engine()
    metadata.create_all(engine)
    with engine.begin() as db:
        if rows:
            db.execute(people.insert(), rows)
    engine.dispose()


def upsert_people(endpoint: Endpoint, rows: list[dict[str, Any]], table: str = "people") -> None:
    engine = endpoint.engine()
    people = sa.Table(table, sa.MetaData(), autoload_with=engine)
    with engine.begin() as db:
        for row in rows:
            db.execute(people.delete().where(people.c.id == row["id"]))
            db.execute(people.insert(), [row])
    engine.dispose()


COLUMNS = (
    Column("ID", "id", "id", data_type=DataType.I, is_key=True),
    Column("GMSFHM", "id_number", "gmsfhm", masking=Masking.ID_NUMBER, data_type=DataType.C),
    Column("XM", "name", "xm", masking=Masking.NAME, data_type=DataType.C, length=50),
    Column("SR", "income", "sr", data_type=DataType.N),
    Column("CSRQ", "birth", "csrq", data_type=DataType.D),
    Column("GXSJ", "updated", "gxsj", data_type=DataType.T),
)
UNMASKED = tuple(
    Column(c.item, c.source, c.target, data_type=c.data_type, length=c.length, is_key=c.is_key)
    for c in COLUMNS
)


def spec_of(source: Endpoint, target: Endpoint, *, masked: bool = True, **options: Any) -> SyncSpec:
    values: dict[str, Any] = {
        "subscription_id": 7,
        "source": source.connection,
        "source_table": "people",
        "destination": target.connection,
        "destination_table": "rk_people",
        "columns": COLUMNS if masked else UNMASKED,
        "row_filter": {"region": ["370702"]},
        "watermark_column": "updated",
        "soft_delete_column": "deleted",
        "soft_delete_value": "1",
        "batch_bytes": 400,
    }
    return SyncSpec(**(values | options))
