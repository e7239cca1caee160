"""The sync engine against real databases (issue 13 items 2–4): full loads through a shadow
table, incremental runs by watermark and by key comparison, soft and reconciled deletes,
masking and the provider's row filter, and exactly-once resumption after a run dies between
batches, for SQLite, PostgreSQL and MariaDB pairs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from govshare.catalog.choices import DataType
from govshare.exchange.masking import mask
from govshare.exchange.models import RunKind
from govshare.exchange.sync.engine import (
    KeyRange,
    Progress,
    destination_watermark,
    key_ranges,
    prepare_destination,
    run_sync,
)
from govshare.exchange.sync.engine import canonical as canonical_value
from govshare.exchange.sync.spec import Column, SyncSpec
from tests.exchange.sync.engine_databases import (
    ONCE,
    START,
    Endpoint,
    create_people,
    mysql_endpoint,
    person,
    postgresql_endpoint,
    spec_of,
    sqlite_endpoint,
    upsert_people,
)

PAIRS = [
    ("sqlite", "sqlite"),
    ("postgresql", "postgresql"),
    ("sqlite", "postgresql"),
    ("postgresql", "sqlite"),
    ("postgresql", "mysql"),
    ("mysql", "postgresql"),
]
PEOPLE = 40

pytestmark = ONCE


@pytest.fixture
def sources_dir(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    return directory


def _endpoint(kind: str, sources_dir) -> Iterator[Endpoint]:
    if kind == "sqlite":
        yield sqlite_endpoint(sources_dir)
    elif kind == "postgresql":
        yield from postgresql_endpoint()
    else:
        yield from mysql_endpoint()


@pytest.fixture
def pair(request, sources_dir) -> Iterator[tuple[Endpoint, Endpoint]]:
    source_kind, target_kind = request.param
    source_gen = _endpoint(source_kind, sources_dir)
    target_gen = _endpoint(target_kind, sources_dir)
    source = next(source_gen)
    target = next(target_gen)
    try:
        yield source, target
    finally:
        for generator in (target_gen, source_gen):
            generator.close()


def expected(spec: SyncSpec, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """What the destination must hold: filtered, live, granted items only, masked."""
    kept = [
        row for row in rows if row["region"] in spec.row_filter["region"] and row["deleted"] != "1"
    ]
    return [
        {c.target: canonical_value(mask(c.masking, row[c.source])) for c in spec.columns}
        for row in sorted(kept, key=lambda row: row["id"])
    ]


def held(target: Endpoint, spec: SyncSpec) -> list[dict[str, str]]:
    return [
        {name: canonical_value(value) for name, value in row.items()}
        for row in target.rows(spec.destination_table)
    ]


def people(count: int = PEOPLE) -> list[dict[str, Any]]:
    rows = [person(number) for number in range(1, count + 1)]
    rows[2]["deleted"] = "1"  # flagged deleted at the source: never delivered
    return rows


# --- full load ------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", PAIRS, indirect=True, ids="→".join)
def test_a_full_load_delivers_the_granted_filtered_masked_rows(pair):
    # given a source table and a spec with two masked items, a region filter and a soft-delete
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target)

    # when a full load runs in small batches
    reports: list[Progress] = []
    progress = run_sync(spec, kind=RunKind.FULL, run_id=1, on_batch=reports.append)

    # then the destination holds exactly the granted columns of the kept rows, masked
    assert held(target, spec) == expected(spec, rows)
    assert set(target.rows(spec.destination_table)[0]) == {c.target for c in spec.columns}
    assert progress.rows_inserted == len(expected(spec, rows)) == progress.rows_read
    assert progress.batches > 1 and len(reports) == progress.batches
    assert reports[-1].rows_inserted == progress.rows_inserted
    # and no shadow is left behind, and the committed watermark is the source's highest
    assert not target.has_table("rk_people__gs_shadow")
    assert (
        destination_watermark(spec)
        == max(r["updated"] for r in rows if r["region"] == "370702").isoformat()
    )


@pytest.mark.parametrize(
    "pair",
    [("postgresql", "postgresql"), ("sqlite", "sqlite"), ("sqlite", "mysql")],
    indirect=True,
    ids="→".join,
)
def test_a_second_full_load_replaces_the_table_whole(pair):
    # given a destination filled by a full load
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, masked=False)
    run_sync(spec, kind=RunKind.FULL, run_id=1)

    # when rows change at the source (one removed) and a full load runs again
    source.execute("DELETE FROM people WHERE id = 1")
    source.execute("UPDATE people SET name = 'changed' WHERE id = 2")
    run_sync(spec, kind=RunKind.FULL, run_id=2)

    # then the destination equals the source again
    now = [row | ({"name": "changed"} if row["id"] == 2 else {}) for row in rows[1:]]
    assert held(target, spec) == expected(spec, now)


# --- incremental ----------------------------------------------------------------------------


@pytest.mark.parametrize("pair", PAIRS, indirect=True, ids="→".join)
@pytest.mark.parametrize("masked", [True, False], ids=["masked", "unmasked"])
def test_an_incremental_run_delivers_changed_rows_after_the_watermark(pair, masked):
    # given a destination loaded in full
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, masked=masked)
    run_sync(spec, kind=RunKind.FULL, run_id=1)
    before = destination_watermark(spec)

    # when the source changes two rows, adds one, flags one deleted and one outside the filter
    later = rows[-1]["updated"].replace(year=2027)
    changed = [
        person(1, name="赵六", updated=later),
        person(2, income=99, updated=later),
        person(PEOPLE + 1, updated=later),
        person(4, deleted="1", updated=later),
        person(PEOPLE + 5, updated=later),  # region 370703: filtered out
    ]
    upsert_people(source, changed)
    progress = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2)

    # then exactly those arrive: 1 new, 2 updated, 1 deleted, and the watermark moved on
    now = {row["id"]: row for row in rows} | {row["id"]: row for row in changed}
    assert held(target, spec) == expected(spec, list(now.values()))
    # A full load's watermark is re-read from (>=), so rows at it may come again as updates.
    assert (progress.rows_inserted, progress.rows_deleted) == (1, 1)
    assert progress.rows_updated >= 2
    assert destination_watermark(spec) == later.isoformat() != before

    # and a run with nothing new changes nothing
    again = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=3)
    assert (again.rows_inserted, again.rows_updated, again.rows_deleted) == (0, 0, 0)


@pytest.mark.parametrize(
    "pair",
    [("sqlite", "sqlite"), ("postgresql", "mysql"), ("postgresql", "postgresql")],
    indirect=True,
    ids="→".join,
)
def test_key_comparison_upserts_what_differs_and_reconciles_deleted_keys(pair):
    # given a source without a watermark column, loaded in full, deletes reconciled by key
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, watermark_column="", delete_missing=True)
    run_sync(spec, kind=RunKind.FULL, run_id=1)

    # when two rows change, one is added, one is removed and one is flagged deleted
    upsert_people(source, [person(1, name="赵六"), person(2, income=7), person(PEOPLE + 1)])
    upsert_people(source, [person(6, deleted="1")])
    source.execute("DELETE FROM people WHERE id = 7")
    progress = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2)

    # then only those are written, and both deletions reach the destination
    now = {row["id"]: row for row in rows if row["id"] != 7}
    now |= {1: person(1, name="赵六"), 2: person(2, income=7), PEOPLE + 1: person(PEOPLE + 1)}
    now[6] = person(6, deleted="1")
    assert held(target, spec) == expected(spec, list(now.values()))
    counts = (progress.rows_inserted, progress.rows_updated, progress.rows_deleted)
    assert counts == (1, 2, 2)


def test_prepare_destination_creates_the_table_with_the_key_and_typed_columns(sources_dir):
    # given a spec into an empty PostgreSQL database
    source = sqlite_endpoint(sources_dir)
    create_people(source, [])
    target_gen = postgresql_endpoint()
    target = next(target_gen)
    try:
        spec = spec_of(source, target)

        # when the destination is prepared
        prepare_destination(spec)

        # then the table has the granted items, the key as primary key, masked items as text
        inspector = sa.inspect(target.engine())
        columns = {c["name"]: c["type"] for c in inspector.get_columns("rk_people")}
        assert list(columns) == ["id", "gmsfhm", "xm", "sr", "csrq", "gxsj"]
        assert inspector.get_pk_constraint("rk_people")["constrained_columns"] == ["id"]
        assert isinstance(columns["id"], sa.BigInteger)
        assert isinstance(columns["gmsfhm"], sa.Text)
        assert isinstance(columns["csrq"], sa.Date) and isinstance(columns["sr"], sa.Numeric)
        assert destination_watermark(spec) == ""
    finally:
        target_gen.close()


# --- exactly once after a crash -------------------------------------------------------------


class Crash(Exception):
    """The worker dies right after a batch committed."""


def crash_after(batches: int):
    def on_batch(progress: Progress) -> None:
        if progress.batches == batches:
            raise Crash

    return on_batch


@pytest.mark.parametrize(
    "pair",
    [("postgresql", "postgresql"), ("sqlite", "sqlite"), ("postgresql", "mysql")],
    indirect=True,
    ids="→".join,
)
@pytest.mark.parametrize("masked", [True, False], ids=["masked", "unmasked"])
def test_a_full_load_killed_between_batches_resumes_exactly_once(pair, masked):
    # given a full load that dies after its third batch
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, masked=masked)
    with pytest.raises(Crash):
        run_sync(spec, kind=RunKind.FULL, run_id=1, on_batch=crash_after(3))

    # then nothing half-loaded is visible in the destination table
    assert not target.has_table("rk_people")

    # when it runs again
    progress = run_sync(spec, kind=RunKind.FULL, run_id=2)

    # then it loads only what the first run had not committed, and the table is complete
    wanted = expected(spec, rows)
    assert held(target, spec) == wanted
    assert 0 < progress.rows_inserted < len(wanted)


@pytest.mark.parametrize(
    "pair",
    [("postgresql", "postgresql"), ("sqlite", "postgresql"), ("postgresql", "mysql")],
    indirect=True,
    ids="→".join,
)
def test_an_incremental_run_killed_between_batches_resumes_exactly_once(pair):
    # given a loaded destination and 20 rows changed at the source
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, masked=False)
    run_sync(spec, kind=RunKind.FULL, run_id=1)
    # (the first incremental run re-reads the rows at the full load's watermark: from >=)
    run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2)
    later = rows[-1]["updated"].replace(year=2027)
    changed = [person(n, name=f"改{n}", updated=later.replace(minute=n)) for n in range(1, 21)]
    upsert_people(source, changed)

    # when the incremental run dies after its first batch and runs again
    first: list[Progress] = []

    def record_then_crash(progress: Progress) -> None:
        first.append(progress)
        raise Crash

    with pytest.raises(Crash):
        run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2, on_batch=record_then_crash)
    second = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=3)

    # then together they delivered each changed row once, and the destination is current
    now = {row["id"]: row for row in rows} | {row["id"]: row for row in changed}
    assert held(target, spec) == expected(spec, list(now.values()))
    kept = [row for row in changed if row["region"] == "370702"]
    delivered = first[0].rows_read + second.rows_read
    assert delivered == len(kept)


@pytest.mark.parametrize(
    "pair", [("postgresql", "postgresql"), ("sqlite", "sqlite")], indirect=True, ids="→".join
)
def test_key_ranges_load_in_parallel_parts_and_the_last_part_swaps(pair):
    # given a source split into three key ranges
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target)
    ranges = key_ranges(spec, 3)
    assert [r.part for r in ranges] == [0, 1, 2] and {r.parts for r in ranges} == {3}
    assert ranges[0].low is None and ranges[-1].high is None

    # when two parts finish, the destination table does not exist yet
    run_sync(spec, kind=RunKind.FULL, run_id=1, part=ranges[2])
    run_sync(spec, kind=RunKind.FULL, run_id=1, part=ranges[0])
    assert not target.has_table("rk_people")

    # and when the last part finishes, it swaps the whole table in
    run_sync(spec, kind=RunKind.FULL, run_id=1, part=ranges[1])
    assert held(target, spec) == expected(spec, rows)
    assert not target.has_table("rk_people__gs_shadow")


@pytest.mark.parametrize("pair", [("sqlite", "sqlite")], indirect=True, ids="→".join)
def test_a_run_told_to_stop_writes_no_further_batch(pair):
    # given a running full load whose grant is suspended after its first batch
    source, target = pair
    create_people(source, people())
    spec = spec_of(source, target)
    stop = {"now": False}

    def suspend(progress: Progress) -> None:
        stop["now"] = True

    # when it runs
    progress = run_sync(
        spec, kind=RunKind.FULL, run_id=1, on_batch=suspend, should_stop=lambda: stop["now"]
    )

    # then it returned after that batch, with no table swapped in
    assert progress.batches == 1
    assert not target.has_table("rk_people")


def test_a_key_range_is_a_plain_value():
    # given a range as the runner passes it in a task's arguments
    part = KeyRange(part=1, low=(10,), high=(20,), parts=3)

    # then it compares and prints by value
    assert part == KeyRange(1, (10,), (20,), 3)
    assert "parts=3" in repr(part)


@pytest.mark.parametrize("pair", [("sqlite", "sqlite")], indirect=True, ids="→".join)
def test_an_incremental_run_reconciles_keys_gone_from_the_source(pair):
    # given a destination kept by watermark, with deletes reconciled by key
    source, target = pair
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, delete_missing=True)
    run_sync(spec, kind=RunKind.FULL, run_id=1)

    # when two rows are deleted outright at the source (no flag, no new watermark)
    source.execute("DELETE FROM people WHERE id IN (1, 2)")
    progress = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2)

    # then the incremental run deletes them at the destination too
    assert progress.rows_deleted == 2
    assert held(target, spec) == expected(spec, [row for row in rows if row["id"] > 2])


# --- a key of two columns -------------------------------------------------------------------


def _visits(endpoint: Endpoint, rows: list[dict[str, Any]]) -> None:
    metadata = sa.MetaData()
    visits = sa.Table(
        "visits",
        metadata,
        sa.Column("region", sa.String(6), primary_key=True),
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("note", sa.String(40)),
        sa.Column("updated", sa.DateTime),
    )
    engine = endpoint.engine()
    metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(visits.delete())
        db.execute(visits.insert(), rows)
    engine.dispose()


def _visit(region: str, number: int, note: str = "", minute: int = 0) -> dict[str, Any]:
    return {
        "region": region,
        "id": number,
        "note": note or f"{region}-{number}",
        "updated": START.replace(minute=minute or number % 60),
    }


@pytest.mark.parametrize(
    "pair",
    [("postgresql", "postgresql"), ("sqlite", "postgresql"), ("postgresql", "mysql")],
    indirect=True,
    ids="→".join,
)
def test_a_two_column_key_loads_resumes_and_increments_exactly_once(pair):
    # given a table keyed by (region, id), with rows of equal ids in two regions
    source, target = pair
    rows = [_visit(region, n) for region in ("370702", "370703") for n in range(1, 16)]
    _visits(source, rows)
    spec = SyncSpec(
        subscription_id=11,
        source=source.connection,
        source_table="visits",
        destination=target.connection,
        destination_table="visits_copy",
        columns=(
            Column("QH", "region", "qh", data_type=DataType.C, length=6, is_key=True),
            Column("ID", "id", "id", data_type=DataType.I, is_key=True),
            Column("BZ", "note", "bz", data_type=DataType.C),
            Column("GXSJ", "updated", "gxsj", data_type=DataType.T),
        ),
        watermark_column="updated",
        batch_bytes=150,
    )

    # when a full load dies after two batches and runs again
    with pytest.raises(Crash):
        run_sync(spec, kind=RunKind.FULL, run_id=1, on_batch=crash_after(2))
    run_sync(spec, kind=RunKind.FULL, run_id=2)
    run_sync(spec, kind=RunKind.INCREMENTAL, run_id=3)

    # and rows change with equal watermarks across both key columns
    changed = [_visit("370703", 2, "changed", 59), _visit("370702", 9, "changed", 59)]
    _visits(source, [row for row in rows if (row["region"], row["id"]) not in
                     {("370703", 2), ("370702", 9)}] + changed)  # fmt: skip
    progress = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=4)

    # then the destination holds every row once, the changed ones changed
    engine = target.engine()
    with engine.connect() as db:
        held_rows = sorted(tuple(row) for row in db.exec_driver_sql(
            "SELECT qh, id, bz FROM visits_copy"
        ))  # fmt: skip
    engine.dispose()
    wanted = sorted(
        (row["region"], row["id"], row["note"])
        for row in rows
        if (row["region"], row["id"]) not in {("370703", 2), ("370702", 9)}
    )
    assert held_rows == sorted([*wanted, ("370703", 2, "changed"), ("370702", 9, "changed")])
    assert (progress.rows_updated, progress.rows_inserted) == (2, 0)


# --- every data type, on every engine -------------------------------------------------------

EVERY_TYPE = {
    DataType.C: ("c_text", sa.String(20), "文字"),
    DataType.M: ("m_memo", sa.Text, "长文本"),
    DataType.G: ("g_general", sa.Text, "其他"),
    DataType.N: ("n_number", sa.Numeric(12, 3), Decimal("12.345")),
    DataType.Y: ("y_money", sa.Numeric(12, 2), Decimal("99.90")),
    DataType.D: ("d_date", sa.Date, date(2026, 3, 1)),
    DataType.T: ("t_time", sa.DateTime, datetime(2026, 3, 1, 12, 30, 15)),
    DataType.L: ("l_flag", sa.Boolean, True),
    DataType.B: ("b_double", sa.Float, 2.5),
    DataType.I: ("i_integer", sa.BigInteger, 9007199254740993),
    DataType.F: ("f_float", sa.Float, 0.25),
}


@pytest.mark.parametrize(
    "pair",
    [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("sqlite", "mysql"), ("postgresql",) * 2],
    indirect=True,
    ids="→".join,
)
def test_every_data_type_round_trips_and_is_not_taken_for_an_alteration(pair):
    # given a source with a column of each catalog data type
    source, target = pair
    metadata = sa.MetaData()
    table = sa.Table(
        "typed",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(name, kind) for name, kind, _ in EVERY_TYPE.values()),
    )
    engine = source.engine()
    metadata.create_all(engine)
    with engine.begin() as db:
        db.execute(table.insert(), [{"id": 1} | {n: v for n, _, v in EVERY_TYPE.values()}])
    engine.dispose()
    columns = (Column("ID", "id", "id", data_type=DataType.I, is_key=True),) + tuple(
        Column(code.upper(), name, name, data_type=code) for code, (name, _, _) in
        EVERY_TYPE.items()
    )  # fmt: skip
    spec = SyncSpec(
        subscription_id=12,
        source=source.connection,
        source_table="typed",
        destination=target.connection,
        destination_table="typed_copy",
        columns=columns,
    )

    # when it is loaded in full and compared by key (which checks the table's columns first)
    run_sync(spec, kind=RunKind.FULL, run_id=1)
    progress = run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2)

    # then every value arrived as it was, and nothing counted as changed or altered
    (row,) = target.rows("typed_copy")
    for name, _, value in EVERY_TYPE.values():
        assert canonical_value(row[name]) == canonical_value(value), name
    assert (progress.rows_inserted, progress.rows_updated) == (0, 0)
