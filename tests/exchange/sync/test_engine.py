"""The sync engine against real databases (issue 13 items 2–4): full loads through a shadow
table, incremental runs by watermark and by key comparison, soft and reconciled deletes,
masking and the provider's row filter, and exactly-once resumption after a run dies between
batches, for SQLite, PostgreSQL and MariaDB pairs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

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
from govshare.exchange.sync.spec import SyncSpec
from tests.exchange.sync.engine_databases import (
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
]
PEOPLE = 40


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
    "pair", [("postgresql", "postgresql"), ("sqlite", "sqlite")], indirect=True, ids="→".join
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
