"""Reconciliation (对账) of a source table with a destination table, on real PostgreSQL, MariaDB
and SQLite databases in several pairs: counts and digests per key range, the differing keys,
masking, the row filter and soft deletes, and values compared across engines."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govshare.catalog.choices import Masking
from govshare.exchange.connectors.base import ConnectorError
from govshare.exchange.connectors.sql import TableNotFound
from govshare.exchange.masking import mask
from govshare.exchange.models import ConnectionRole, Subscription, TableMount
from govshare.exchange.sync import reconcile as reconcile_module
from govshare.exchange.sync.reconcile import (
    KeyDifference,
    ReconcileResult,
    key_differences,
    reconcile,
)
from govshare.exchange.sync.spec import Column, SpecError, SyncSpec, spec_for
from tests.exchange.gateway.factories import ITEMS, PEOPLE, build_world, grant
from tests.exchange.sync.scratch_databases import Scratch, scratch

NAMES = ["张三", "李四", "欧阳娜娜", "王五", "司马相如", "赵六", "钱七", "孙八"]
COLUMNS = (
    Column(item="ID", source="id", target="id", data_type="N", is_key=True),
    Column(item="XM", source="name", target="xm", masking=Masking.NAME, data_type="C"),
    Column(item="GMSFHM", source="id_number", target="gmsfhm", data_type="C"),
    Column(item="SJHM", source="phone", target="sjhm", masking=Masking.PHONE, data_type="C"),
    Column(item="SR", source="income", target="sr", data_type="N"),
    Column(item="CSRQ", source="birth", target="csrq", data_type="D"),
    Column(item="XZQH", source="region", target="xzqh", data_type="C"),
)
# Each pair reads both ways somewhere, and PostgreSQL → SQLite is the demo's own.
PAIRS = [
    ("postgresql", "sqlite"),
    ("mysql", "postgresql"),
    ("sqlite", "mysql"),
    ("postgresql", "postgresql"),
]


def people(count: int = 40) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "name": NAMES[n % len(NAMES)],
            "id_number": f"370702{19800101 + n:08d}{n % 10:03d}X",
            "phone": f"138{n:08d}",
            "income": Decimal(f"{n * 100}.50") if n % 5 else None,
            "birth": date(1980 + n % 30, 1 + n % 12, 1 + n % 28),
            "region": "370702" if n % 4 else "370703",
            "deleted": "1" if n % 13 == 0 else "0",
        }
        for n in range(1, count + 1)
    ]


def delivered(row: dict[str, Any]) -> dict[str, Any]:
    """A source row as a sync writes it: the granted items under their target names, masked."""
    return {c.target: mask(c.masking, row[c.source]) for c in COLUMNS}


# --- tables -------------------------------------------------------------------------------


def source_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "people",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(50)),
        sa.Column("id_number", sa.String(18)),
        sa.Column("phone", sa.String(20)),
        sa.Column("income", sa.Numeric(12, 2)),
        sa.Column("birth", sa.Date),
        sa.Column("region", sa.CHAR(8)),  # padded by PostgreSQL: '370702  '
        sa.Column("deleted", sa.String(1)),
    )


def destination_table(metadata: sa.MetaData, engine_name: str) -> sa.Table:
    # As a destination created from the data items would be, except that SQLite keeps the
    # amount as text (it has no decimal type) and the region as text without padding.
    money = sa.Text if engine_name == "sqlite" else sa.Numeric(14, 2)
    return sa.Table(
        "dest_people",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("xm", sa.String(50)),
        sa.Column("gmsfhm", sa.String(18)),
        sa.Column("sjhm", sa.String(20)),
        sa.Column("sr", money),
        sa.Column("csrq", sa.Date),
        sa.Column("xzqh", sa.String(8)),
    )


@dataclass
class Pair:
    source: Scratch
    destination: Scratch
    rows: list[dict[str, Any]]

    def spec(self, **changes: Any) -> SyncSpec:
        spec = SyncSpec(
            subscription_id=1,
            source=self.source.connection(),
            source_table="people",
            destination=self.destination.connection(ConnectionRole.DESTINATION),
            destination_table="dest_people",
            columns=COLUMNS,
        )
        return replace(spec, **changes)

    def fill_destination(self, rows: list[dict[str, Any]]) -> None:
        engine = self.destination.engine()
        try:
            metadata = sa.MetaData()
            table = destination_table(metadata, self.destination.engine_name)
            metadata.create_all(engine)
            with engine.begin() as db:
                db.execute(table.delete())
                if rows:
                    db.execute(table.insert(), [self._stored(row) for row in rows])
        finally:
            engine.dispose()

    def _stored(self, row: dict[str, Any]) -> dict[str, Any]:
        if self.destination.engine_name == "sqlite" and row["sr"] is not None:
            return {**row, "sr": str(row["sr"])}  # text, as "1234.50"
        return row

    def table_spec(self, table: str, *columns: Column) -> SyncSpec:
        """The spec of another table of the same name on both sides."""
        return self.spec(source_table=table, destination_table=table, columns=columns)

    def execute(self, side: str, statement: str, **params: Any) -> None:
        database = self.source if side == "source" else self.destination
        engine = database.engine()
        try:
            with engine.begin() as db:
                db.execute(sa.text(statement), params)
        finally:
            engine.dispose()


def _fill_source(database: Scratch, rows: list[dict[str, Any]]) -> None:
    engine = database.engine()
    try:
        metadata = sa.MetaData()
        table = source_table(metadata)
        metadata.create_all(engine)
        with engine.begin() as db:
            db.execute(table.insert(), rows)
    finally:
        engine.dispose()


@pytest.fixture
def pair_of(sources_dir) -> Iterator[Any]:
    """``pair_of(source engine, destination engine)``: a filled source table, and an empty
    destination database; both dropped after the test."""
    with ExitStack() as stack:

        def make(source_engine: str, destination_engine: str) -> Pair:
            source = stack.enter_context(scratch(source_engine, sources_dir, "source.db"))
            destination = stack.enter_context(
                scratch(destination_engine, sources_dir, "destination.db")
            )
            rows = people()
            _fill_source(source, rows)
            return Pair(source, destination, rows)

        yield make


@pytest.fixture(params=PAIRS, ids=["-".join(p) for p in PAIRS])
def pair(request, pair_of) -> Pair:
    return pair_of(*request.param)


def synced(pair: Pair) -> list[dict[str, Any]]:
    """What a correct sync delivers with no filter: every row, masked."""
    return [delivered(row) for row in pair.rows]


def assert_consistent(result: ReconcileResult) -> None:
    assert result.differing_keys == []
    assert result.consistent
    assert all(r.consistent for r in result.ranges)


# --- equal --------------------------------------------------------------------------------


def test_a_destination_equal_to_the_source_is_consistent(pair):
    # given a destination holding exactly the delivered rows
    pair.fill_destination(synced(pair))
    # when reconciled
    result = reconcile(pair.spec(), ranges=4)
    # then it is consistent, with equal counts and digests in every range
    assert_consistent(result)
    assert (result.source_rows, result.destination_rows) == (40, 40)
    assert [(r.low, r.high, r.source_rows) for r in result.ranges] == [
        ((1,), (10,), 10),
        ((11,), (20,), 10),
        ((21,), (30,), 10),
        ((31,), (40,), 10),
    ]
    assert all(r.source_digest == r.destination_digest for r in result.ranges)


def test_a_changed_a_missing_and_an_extra_row_are_exactly_the_differing_keys(pair):
    # given a destination where row 7 was changed, row 23 is missing and row 99 was added
    rows = [row for row in synced(pair) if row["id"] != 23]
    next(row for row in rows if row["id"] == 7)["gmsfhm"] = "370702000000000000"
    rows.append({**rows[0], "id": 99})
    pair.fill_destination(rows)
    # when reconciled
    result = reconcile(pair.spec(), ranges=4)
    # then exactly those keys are listed, in key order, each counted by how it differs
    assert not result.consistent
    assert result.differing_keys == [(7,), (23,), (99,)]
    assert (result.changed_rows, result.missing_rows, result.extra_rows) == (1, 1, 1)
    assert (result.source_rows, result.destination_rows) == (40, 40)
    assert not result.differing_keys_capped
    # and only the ranges holding them differ (99 is past the last source key: the last range)
    assert [r.consistent for r in result.ranges] == [False, True, False, False]
    assert [r.high for r in result.ranges][-1] == (99,)
    # and a key comparison streams the same keys, each with how it differs
    assert list(key_differences(pair.spec())) == [
        KeyDifference("changed", (7,)),
        KeyDifference("missing", (23,)),
        KeyDifference("extra", (99,)),
    ]


def test_an_empty_destination_misses_every_row(pair):
    pair.fill_destination([])
    result = reconcile(pair.spec(), ranges=4)
    assert result.missing_rows == 40
    assert result.destination_rows == 0
    assert result.differing_keys == [(n,) for n in range(1, 41)]


# --- what the source delivers -------------------------------------------------------------


def test_masked_items_are_compared_masked(pair):
    # given a destination that holds one person's name unmasked
    rows = synced(pair)
    rows[4]["xm"] = pair.rows[4]["name"]
    pair.fill_destination(rows)
    # then that row differs: the source side was masked as granted (in SQL or in Python)
    result = reconcile(pair.spec())
    assert result.differing_keys == [(5,)]
    assert result.changed_rows == 1


def test_the_row_filter_and_soft_deletes_decide_which_rows_belong(pair):
    # given a grant of region 370702 only, and rows flagged deleted="1" gone from the source
    kept = [
        delivered(row) for row in pair.rows if row["region"] == "370702" and row["deleted"] == "0"
    ]
    pair.fill_destination(kept)
    spec = pair.spec(
        row_filter={"region": ["370702"]}, soft_delete_column="deleted", soft_delete_value="1"
    )
    # then the destination is consistent
    result = reconcile(spec)
    assert_consistent(result)
    assert result.source_rows == len(kept) == 27
    # when a filtered-out row and a deleted row are also in the destination
    outside = next(r for r in pair.rows if r["region"] != "370702" and r["deleted"] == "0")
    deleted = next(r for r in pair.rows if r["deleted"] == "1" and r["region"] == "370702")
    pair.fill_destination([*kept, delivered(outside), delivered(deleted)])
    # then both are extra
    result = reconcile(spec)
    assert result.differing_keys == sorted([(outside["id"],), (deleted["id"],)])
    assert result.extra_rows == 2


def test_a_row_filter_matches_text_exactly_whatever_the_collation(pair_of):
    """MariaDB's default collation finds 'ab' for 'AB': such a row is not the grant's."""
    pair = pair_of("mysql", "sqlite")
    pair.execute("source", "UPDATE people SET region = 'abc' WHERE id = 1")
    pair.execute("source", "UPDATE people SET region = 'ABC' WHERE id = 2")
    pair.fill_destination([delivered({**pair.rows[0], "region": "abc"})])
    result = reconcile(pair.spec(row_filter={"region": ["abc"]}))
    assert_consistent(result)
    assert result.source_rows == 1


def test_a_grant_filter_value_that_cannot_be_of_the_column_type_matches_nothing(pair_of):
    pair = pair_of("postgresql", "sqlite")
    pair.fill_destination([])
    result = reconcile(pair.spec(row_filter={"id": ["1 OR 1=1"]}))
    assert_consistent(result)
    assert result.source_rows == 0


# --- canonical values across engines ------------------------------------------------------


def test_text_keys_are_ordered_alike_on_every_engine(pair_of):
    """MariaDB orders 'a' beside 'A', PostgreSQL by its locale, SQLite by bytes: a merge in
    key order needs one order, so keys are compared by code point on every side."""
    keys = ["a", "B", "张", "Z1", "ab", "a b", "10", "9", "é", "x-1", "x1"]
    for source_engine, destination_engine in [("mysql", "postgresql"), ("postgresql", "mysql")]:
        pair = pair_of(source_engine, destination_engine)
        for side, database in (("source", pair.source), ("destination", pair.destination)):
            engine = database.engine()
            metadata = sa.MetaData()
            table = sa.Table(
                "codes",
                metadata,
                sa.Column("code", sa.String(20, collation=_linguistic(database)), primary_key=True),
                sa.Column("label", sa.String(20)),
            )
            metadata.create_all(engine)
            with engine.begin() as db:
                db.execute(table.insert(), [{"code": k, "label": f"{side}{k}"} for k in keys])
            engine.dispose()
        spec = pair.table_spec(
            "codes",
            Column(item="DM", source="code", target="code", is_key=True),
            Column(item="MC", source="label", target="label"),
        )
        result = reconcile(spec, ranges=3)
        # every key is matched with its twin (labels differ by design), none missing or extra
        assert result.changed_rows == len(keys)
        assert (result.missing_rows, result.extra_rows) == (0, 0)
        assert [key for (key,) in result.differing_keys] == sorted(keys)


def _linguistic(database: Scratch) -> str | None:
    """A collation that orders as people read (MariaDB's default utf8mb4_general_ci is one)."""
    return "und-x-icu" if database.engine_name == "postgresql" else None


def test_numbers_dates_and_padded_text_compare_by_value_across_engines(pair_of):
    # given PostgreSQL's CHAR(8) and NUMERIC(12,2) against SQLite's text
    pair = pair_of("postgresql", "sqlite")
    rows = synced(pair)
    for row in rows:
        if row["sr"] is not None:
            row["sr"] = str(row["sr"].normalize())  # "150.5" for 150.50, "200" for 200.00…
    pair.fill_destination(rows)
    # then the values are equal: 150.50 is 150.5, '370702  ' is '370702'
    assert_consistent(reconcile(pair.spec()))
    # but a different amount is a difference
    pair.execute("destination", "UPDATE dest_people SET sr = '150.51' WHERE id = 1")
    assert reconcile(pair.spec()).differing_keys == [(1,)]


def test_a_null_is_not_an_empty_string(pair_of):
    pair = pair_of("sqlite", "postgresql")
    rows = synced(pair)
    rows[2]["gmsfhm"] = None
    rows[3]["xzqh"] = ""
    pair.execute("source", "UPDATE people SET region = '' WHERE id = 4")
    pair.fill_destination(rows)
    assert reconcile(pair.spec()).differing_keys == [(3,)]


# --- limits and failures ------------------------------------------------------------------


def test_the_differing_keys_are_capped_and_say_so(pair_of, monkeypatch):
    pair = pair_of("sqlite", "sqlite")
    pair.fill_destination([])
    monkeypatch.setattr(reconcile_module, "MAX_DIFFERING_KEYS", 5)
    result = reconcile(pair.spec())
    assert result.differing_keys == [(n,) for n in range(1, 6)]
    assert result.differing_keys_capped
    assert result.missing_rows == 40


def test_the_result_is_json_ready(pair_of):
    pair = pair_of("sqlite", "sqlite")
    pair.fill_destination(synced(pair)[:-1])
    data = reconcile(pair.spec(), ranges=2).as_json()
    assert data["consistent"] is False
    assert data["differing_keys"] == [[40]]
    assert [r["low"] for r in data["ranges"]] == [[1], [21]]
    assert isinstance(data["checked_at"], str)


def test_a_missing_destination_table_names_the_destination(pair_of):
    pair = pair_of("sqlite", "postgresql")
    with pytest.raises(TableNotFound) as raised:
        reconcile(pair.spec())
    assert "dest_people" in str(raised.value)


def test_a_missing_destination_column_is_named(pair_of):
    pair = pair_of("postgresql", "sqlite")
    pair.fill_destination([])
    pair.execute("destination", "ALTER TABLE dest_people DROP COLUMN sjhm")
    with pytest.raises(TableNotFound) as raised:
        reconcile(pair.spec())
    assert "sjhm" in str(raised.value)


def test_an_unreachable_destination_is_a_connector_error(pair_of):
    pair = pair_of("sqlite", "postgresql")
    unreachable = replace(pair.destination, port=1)
    with pytest.raises(ConnectorError):
        reconcile(pair.spec(destination=unreachable.connection(ConnectionRole.DESTINATION)))


def test_a_subscription_without_a_destination_cannot_be_reconciled(pair_of):
    pair = pair_of("sqlite", "sqlite")
    with pytest.raises(SpecError):
        reconcile(pair.spec(destination=None))


# --- from a subscription ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_subscriptions_spec_is_reconciled_with_its_grant_masking_and_filters(sources_dir):
    """The whole path from a grant: spec_for(subscription) → reconcile, with the mount's
    two-item key (GMSFHM, XM), a masked item and the grant's row filter (区划 370702)."""
    # given the provider's SQLite table, a 库表 grant of four items, one of them masked
    world = build_world(sources_dir)
    granted = grant(
        world,
        {"GMSFHM": "none", "XM": "none", "CSRQ": "none", "LXDH": "phone"},
        mode="table",
        row_filter={"XZQH": ["370702"]},
    )
    TableMount.objects.filter(mount=world.mount).update(columns={**ITEMS, "XZQH": "qh"})
    with scratch("sqlite", sources_dir, "consumer.db") as destination:
        connection = destination.connection(ConnectionRole.DESTINATION)
        connection.department = world.consumer
        connection.save()
        subscription = Subscription.objects.create(
            grant=granted, destination=connection, table="person_copy"
        )
        # and a destination holding what a sync delivers: the two people of 370702
        engine = destination.engine()
        with engine.begin() as db:
            db.execute(
                sa.text(
                    "CREATE TABLE person_copy (gmsfhm TEXT, xm TEXT, csrq TEXT, lxdh TEXT, "
                    "PRIMARY KEY (gmsfhm, xm))"
                )
            )
            for person in PEOPLE[:2]:
                db.execute(
                    sa.text("INSERT INTO person_copy VALUES (:id, :name, :birth, :phone)"),
                    {
                        "id": person[0],
                        "name": person[1],
                        "birth": person[3],
                        "phone": mask(Masking.PHONE, person[4]),
                    },
                )
        # when reconciled from the subscription's spec
        spec = spec_for(subscription)
        result = reconcile(spec)
        # then it is consistent: 欧阳娜娜 of 370703 is outside the grant's filter
        assert_consistent(result)
        assert result.source_rows == 2
        # when one phone number arrived unmasked
        with engine.begin() as db:
            db.execute(
                sa.text("UPDATE person_copy SET lxdh = :phone WHERE xm = :name"),
                {"phone": PEOPLE[1][4], "name": PEOPLE[1][1]},
            )
        engine.dispose()
        # then that person's composite key is listed
        assert reconcile(spec).differing_keys == [(PEOPLE[1][0], PEOPLE[1][1])]


def test_a_sqlite_sources_text_is_read_as_the_destinations_type(pair_of):
    """SQLite keeps numbers and dates as text; the destination types them (NUMERIC, DATE)."""
    pair = pair_of("sqlite", "postgresql")
    pair.execute("source", "CREATE TABLE loose (id INTEGER PRIMARY KEY, amount TEXT, day TEXT)")
    pair.execute("source", "INSERT INTO loose VALUES (1, '12.50', '2024-02-29'), (2, '7', NULL)")
    pair.execute(
        "destination", "CREATE TABLE loose (id INT PRIMARY KEY, amount NUMERIC(10, 3), day DATE)"
    )
    pair.execute(
        "destination", "INSERT INTO loose VALUES (1, 12.5, '2024-02-29'), (2, 7.000, NULL)"
    )
    spec = pair.table_spec(
        "loose",
        Column(item="ID", source="id", target="id", is_key=True),
        Column(item="JE", source="amount", target="amount"),
        Column(item="RQ", source="day", target="day"),
    )
    assert_consistent(reconcile(spec))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    changes=st.dictionaries(
        st.integers(1, 40), st.sampled_from(["changed", "missing"]), max_size=12
    ),
    extra=st.sets(st.integers(41, 60), max_size=5),
    ranges=st.integers(1, 9),
)
def test_exactly_the_keys_that_differ_are_listed_and_their_ranges_differ(
    sqlite_pair, changes, extra, ranges
):
    # given a destination with some rows changed, some missing and some added
    rows = [row for row in synced(sqlite_pair) if changes.get(row["id"]) != "missing"]
    for row in rows:
        if changes.get(row["id"]) == "changed":
            row["sjhm"] = "changed"
    rows += [{**rows[0], "id": key} for key in extra]
    sqlite_pair.fill_destination(rows)
    # when reconciled in any number of ranges
    result = reconcile(sqlite_pair.spec(), ranges=ranges)
    # then exactly those keys are listed, and a range differs exactly when it holds one
    differing = sorted([*changes, *extra])
    assert result.differing_keys == [(key,) for key in differing]
    assert result.consistent == (not differing)
    assert result.source_rows == 40
    assert result.destination_rows == len(rows)
    # ranges of ceil(40 / ranges) source rows each
    assert len(result.ranges) == math.ceil(40 / math.ceil(40 / ranges))
    for part in result.ranges:
        holds_one = any(part.low <= (key,) <= part.high for key in differing)
        assert part.consistent == (not holds_one)


@pytest.fixture
def sqlite_pair(pair_of) -> Pair:
    return pair_of("sqlite", "sqlite")


def test_the_source_is_read_through_a_server_side_cursor(pair_of):
    """Never the whole table at once: PostgreSQL sees FETCH after FETCH of a declared cursor."""
    pair = pair_of("postgresql", "sqlite")
    pair.fill_destination([])
    differences = key_differences(pair.spec())
    try:
        # when the comparison has begun
        assert next(differences) == KeyDifference("missing", (1,))
        # then the source session is fetching from a cursor, not holding a whole result
        engine = pair.source.engine()
        with engine.connect() as db:
            queries = db.execute(
                sa.text(
                    "SELECT query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalars()
            assert any(query.startswith("FETCH FORWARD") for query in queries)
        engine.dispose()
    finally:
        differences.close()


def test_aware_date_times_compare_in_utc_with_a_destination_without_time_zones(pair_of):
    # given PostgreSQL timestamptz values written at +08:00, and SQLite text holding UTC
    pair = pair_of("postgresql", "sqlite")
    pair.execute("source", "CREATE TABLE events (id INT PRIMARY KEY, at TIMESTAMPTZ)")
    pair.execute(
        "source",
        "INSERT INTO events VALUES (1, '2024-01-01 08:00:00+08'), "
        "(2, '2024-03-01 07:30:00.5+08'), (3, NULL)",
    )
    pair.execute("destination", "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT)")
    pair.execute(
        "destination",
        "INSERT INTO events VALUES (1, '2024-01-01 00:00:00'), "
        "(2, '2024-02-29T23:30:00.500000'), (3, NULL)",
    )
    spec = pair.table_spec(
        "events",
        Column(item="ID", source="id", target="id", is_key=True),
        Column(item="SJ", source="at", target="at"),
    )
    # then they are the same instants
    assert_consistent(reconcile(spec))
