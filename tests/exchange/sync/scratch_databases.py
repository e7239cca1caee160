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


@dataclass(frozen=True)
class Server:
    """A database server the tests create their scratch databases on."""

    engine_name: str
    url: str
    admin_database: str
    port: int
    username: str
    create: str  # CREATE DATABASE …, with {name}
    drop: str
    query: str = ""  # appended to a scratch database's URL


SERVERS = {
    "postgresql": Server(
        "postgresql",
        PG_SERVER,
        "postgres",
        5432,
        "postgres",
        "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)",
    ),
    # The server's default collation (utf8mb4_general_ci) on purpose: case-insensitive, so the
    # tests see what a provider's ordinary MariaDB table does.
    "mysql": Server(
        "mysql",
        MYSQL_SERVER,
        "mysql",
        3306,
        "root",
        "CREATE DATABASE {name} CHARACTER SET utf8mb4",
        "DROP DATABASE IF EXISTS {name}",
        query="?charset=utf8mb4",
    ),
}


@contextmanager
def server_scratch(server: Server) -> Iterator[Scratch]:
    if not _reachable(server.url, server.admin_database):
        pytest.skip(f"{server.engine_name} is not reachable")
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    _admin(server.url, server.admin_database, server.create.format(name=name))
    try:
        yield Scratch(
            server.engine_name,
            f"{server.url}/{name}{server.query}",
            name,
            host="127.0.0.1",
            port=server.port,
            username=server.username,
        )
    finally:
        _admin(server.url, server.admin_database, server.drop.format(name=name))


@contextmanager
def sqlite_scratch(directory: Path, name: str = "scratch.db") -> Iterator[Scratch]:
    path = directory / name
    try:
        yield Scratch("sqlite", f"sqlite:///{path}", name)
    finally:
        path.unlink(missing_ok=True)


@contextmanager
def scratch(engine_name: str, directory: Path, name: str = "scratch.db") -> Iterator[Scratch]:
    """A new database of ``engine_name`` (SQLite: the file ``name`` in ``directory``)."""
    if engine_name in SERVERS:
        with server_scratch(SERVERS[engine_name]) as database:
            yield database
    else:
        with sqlite_scratch(directory, name) as database:
            yield database
