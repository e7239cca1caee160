"""Real sources for the exchange tests: a SQLite file in a temporary sources directory, tables in
the local PostgreSQL and MariaDB (skipped when unreachable), and an HTTP upstream in a thread."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from govshare.catalog.services import resource_create, resource_review, resource_submit
from govshare.core.roles import Role
from govshare.exchange.connectors import clear_connectors
from govshare.exchange.models import Connection
from tests.catalog.conftest import catalog_reference_data  # noqa: F401  (autouse: the seed)
from tests.catalog.factories import items_data, resource_data
from tests.factories import DepartmentFactory, member
from tests.upstream import JsonHandler, serve

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MYSQL_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
UPSTREAM_KEY = "s3cret-upstream-key"

PEOPLE = [
    {
        "id": 1,
        "id_number": "370702199001011234",
        "name": "张三",
        "sex": "1",
        "birth": date(1990, 1, 1),
        "income": Decimal("1234.50"),
        "region": "370702",
        "code": 10,
    },
    {
        "id": 2,
        "id_number": "370702198505052345",
        "name": "李四",
        "sex": "2",
        "birth": date(1985, 5, 5),
        "income": Decimal("88.00"),
        "region": "370702",
        "code": 20,
    },
    {
        "id": 3,
        "id_number": "37070319700303345X",
        "name": "欧阳娜娜",
        "sex": "2",
        "birth": date(1970, 3, 3),
        "income": None,
        "region": "370703",
        "code": 30,
    },
    {
        "id": 4,
        "id_number": "ABCDEF",
        "name": "王五",
        "sex": "1",
        "birth": date(2000, 12, 31),
        "income": Decimal("0.10"),
        "region": "370702",
        "code": 40,
    },
]
# item identifier → column, as a table mount maps them.
COLUMNS = {"GMSFHM": "id_number", "XM": "name", "XBDM": "sex"}


def people_table(metadata: sa.MetaData, name: str) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id_number", sa.String(18), nullable=False, unique=True),
        sa.Column("name", sa.String(50)),
        sa.Column("sex", sa.String(1)),
        sa.Column("birth", sa.Date),
        sa.Column("income", sa.Numeric(12, 2)),
        sa.Column("region", sa.String(6)),
        sa.Column("code", sa.Integer, index=True),
    )


def fill(engine: sa.Engine, name: str) -> sa.MetaData:
    metadata = sa.MetaData()
    table = people_table(metadata, name)
    metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(table.insert(), PEOPLE)
    return metadata


@dataclass
class Source:
    """A filled table behind a saved connection."""

    connection: Connection
    table: str


@pytest.fixture(autouse=True)
def closed_connectors() -> Iterator[None]:
    yield
    clear_connectors()


@pytest.fixture
def sources_dir(settings, tmp_path) -> Path:
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    return directory


@pytest.fixture
def sqlite_source(sources_dir, dept_a) -> Source:
    engine = sa.create_engine(f"sqlite:///{sources_dir / 'people.db'}")
    fill(engine, "people")
    engine.dispose()
    connection = Connection.objects.create(
        department=dept_a, name="人口库", engine="sqlite", database="people.db"
    )
    return Source(connection, "people")


def _server_source(url: str, engine_name: str, dept, **fields) -> Iterator[Source]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError:
        engine.dispose()
        pytest.skip(f"{engine_name} is not reachable")
    name = f"gs_people_{uuid.uuid4().hex[:10]}"
    metadata = fill(engine, name)
    connection = Connection.objects.create(
        department=dept, name=f"{engine_name} 人口库", engine=engine_name, **fields
    )
    try:
        yield Source(connection, name)
    finally:
        clear_connectors()  # pooled connections would hold locks against the DROP
        metadata.drop_all(engine)
        engine.dispose()


@pytest.fixture
def postgresql_source(dept_a) -> Iterator[Source]:
    yield from _server_source(
        PG_URL,
        "postgresql",
        dept_a,
        host="127.0.0.1",
        port=5432,
        database="test",
        username="postgres",
    )


@pytest.fixture
def mysql_source(dept_a) -> Iterator[Source]:
    yield from _server_source(
        MYSQL_URL, "mysql", dept_a, host="127.0.0.1", port=3306, database="test", username="root"
    )


@pytest.fixture(params=["sqlite", "postgresql", "mysql"])
def source(request) -> Source:
    """The same table in each engine."""
    return request.getfixturevalue(f"{request.param}_source")


# --- an upstream interface ----------------------------------------------------------------


class UpstreamHandler(JsonHandler):
    """``/persons`` (needs the key; ``sfzh`` filters), ``/slow``, ``/boom`` (500), ``/html``."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.answer(url.path, {k: v[0] for k, v in parse_qs(url.query).items()})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.answer(urlsplit(self.path).path, json.loads(self.rfile.read(length) or b"{}"))

    def answer(self, path: str, params: dict) -> None:
        if path == "/slow":
            time.sleep(0.6)  # pacing: slower than the connector's timeout, on purpose
            return self.send(200, {"data": []})
        if path == "/boom":
            return self.send(500, {"error": "boom"})
        if path == "/html":
            return self.send(200, "<html>oops</html>", content_type="text/html")
        if self.headers.get("X-Api-Key") != UPSTREAM_KEY:
            return self.send(401, {"error": "unauthorized"})
        records = [
            {"sfzh": p["id_number"], "xm": p["name"], "detail": {"xb": p["sex"]}}
            for p in PEOPLE
            if not params.get("sfzh") or p["id_number"] == params["sfzh"]
        ]
        self.send(200, {"code": 0, "data": {"records": records}, "method": self.command})


@pytest.fixture
def upstream() -> Iterator[str]:
    """Base URL of a real HTTP server on 127.0.0.1."""
    with serve(UpstreamHandler) as url:
        yield url


# --- a published resource to mount --------------------------------------------------------


@pytest.fixture
def resource(officer_a, reviewer, dept_a):
    """户籍人口基本信息 of 公安局, published, with items GMSFHM, XM, XBDM."""
    resource = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )
    resource_submit(actor=officer_a, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    return resource


# --- a third department (民政局): neither consumer nor provider of the others' calls ----------


@pytest.fixture
def dept_c(db):
    return DepartmentFactory(name="民政局")


@pytest.fixture
def officer_c(dept_c):
    return member(dept_c, Role.DATA_OFFICER, username="officer_c")
