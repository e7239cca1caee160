"""Scratch databases of the reconciliation and SQL-masking tests: one PostgreSQL and one MariaDB
database of their own per test module (``i13_reconcile_<random>``), dropped afterwards, and a
SQLite file; a test skips when its server does not answer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from govshare.exchange.models import Connection, ConnectionRole

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
MYSQL_SERVER = "mysql+pymysql://root@127.0.0.1:3306"
PREFIX = "i13_reconcile_"


@dataclass(frozen=True)
class Scratch:
    """A database of one engine: its SQLAlchemy URL, and where a ``Connection`` finds it."""

    engine_name: str  # exchange.models.Engine value: postgresql, mysql, sqlite
    url: str
    database: str  # database name, or the SQLite file name in the sources directory
    host: str = ""
    port: int | None = None
    username: str = ""

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url, poolclass=sa.pool.NullPool)

    def connection(self, role: str = ConnectionRole.SOURCE) -> Connection:
        """An unsaved ``Connection`` to this database, as a run or a check reads it."""
        return Connection(
            name=self.database,
            role=role,
            engine=self.engine_name,
            host=self.host,
            port=self.port,
            database=self.database,
            username=self.username,
        )


def _reachable(server_url: str, admin_db: str) -> bool:
    engine = sa.create_engine(f"{server_url}/{admin_db}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def _admin(server_url: str, admin_db: str, statement: str) -> None:
    engine = sa.create_engine(f"{server_url}/{admin_db}", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as db:
            db.execute(sa.text(statement))
    finally:
        engine.dispose()


@contextmanager
def postgresql_scratch() -> Iterator[Scratch]:
    if not _reachable(PG_SERVER, "postgres"):
        pytest.skip("PostgreSQL is not reachable")
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    _admin(
        PG_SERVER,
        "postgres",
        f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
    )
    try:
        yield Scratch(
            "postgresql",
            f"{PG_SERVER}/{name}",
            name,
            host="127.0.0.1",
            port=5432,
            username="postgres",
        )
    finally:
        _admin(PG_SERVER, "postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def mysql_scratch() -> Iterator[Scratch]:
    if not _reachable(MYSQL_SERVER, "mysql"):
        pytest.skip("MariaDB is not reachable")
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    # The server's default collation (utf8mb4_general_ci) on purpose: case-insensitive, so the
    # tests see what a provider's ordinary MariaDB table does.
    _admin(MYSQL_SERVER, "mysql", f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    try:
        yield Scratch(
            "mysql",
            f"{MYSQL_SERVER}/{name}?charset=utf8mb4",
            name,
            host="127.0.0.1",
            port=3306,
            username="root",
        )
    finally:
        _admin(MYSQL_SERVER, "mysql", f"DROP DATABASE IF EXISTS {name}")


@contextmanager
def sqlite_scratch(directory: Path, name: str = "scratch.db") -> Iterator[Scratch]:
    path = directory / name
    try:
        yield Scratch("sqlite", f"sqlite:///{path}", name)
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def scratch(engine_name: str, directory: Path, name: str = "scratch.db") -> Iterator[Scratch]:
    if engine_name == "postgresql":
        with postgresql_scratch() as database:
            yield database
    elif engine_name == "mysql":
        with mysql_scratch() as database:
            yield database
    else:
        with sqlite_scratch(directory, name) as database:
            yield database
