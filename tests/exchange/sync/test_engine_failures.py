"""A run that cannot go on fails with a clear error naming the cause, and leaves nothing
half-written visible (issue 13, Reliability): bad destination credentials, a destination table
altered by hand, a source column dropped, a destination that disappears mid-run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from govshare.exchange.models import ConnectionRole, RunKind
from govshare.exchange.sync.destination import APPLICATION_NAME
from govshare.exchange.sync.engine import Progress, destination_watermark, run_sync
from govshare.exchange.sync.errors import SyncError, SyncFailure
from tests.exchange.sync.engine_databases import (
    ONCE,
    PG_ADMIN,
    Endpoint,
    create_people,
    mysql_endpoint,
    person,
    postgresql_endpoint,
    spec_of,
    sqlite_endpoint,
    upsert_people,
    with_password,
)
from tests.exchange.sync.test_engine import expected, held, people

SECRET = "Wr0ng-s3cret-pw"

pytestmark = ONCE


@pytest.fixture
def sources_dir(settings, tmp_path):
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    return directory


@pytest.fixture
def postgresql() -> Iterator[Endpoint]:
    yield from postgresql_endpoint()


@pytest.fixture
def postgresql_target() -> Iterator[Endpoint]:
    yield from postgresql_endpoint()


@pytest.fixture
def mysql() -> Iterator[Endpoint]:
    yield from mysql_endpoint()


@pytest.fixture
def sqlite(sources_dir) -> Endpoint:
    return sqlite_endpoint(sources_dir)


def failure_of(spec, **options) -> SyncFailure:
    with pytest.raises(SyncFailure) as caught:
        run_sync(spec, run_id=9, **({"kind": RunKind.INCREMENTAL} | options))
    return caught.value


# --- bad destination credentials ------------------------------------------------------------


def test_a_refused_mysql_login_is_named_without_the_password(sqlite, mysql):
    # given a destination whose password is wrong
    create_people(sqlite, people())
    spec = spec_of(sqlite, mysql)
    spec = type(spec)(**(vars(spec) | {"destination": with_password(mysql, SECRET)}))

    # when a run starts
    failure = failure_of(spec, kind=RunKind.FULL)

    # then it fails as a refused login, naming the host and never the password
    assert failure.code == SyncError.DESTINATION_LOGIN
    assert "127.0.0.1" in failure.message and SECRET not in failure.message
    assert not mysql.has_table("rk_people")


def test_an_unknown_postgresql_user_is_a_refused_login(sqlite, postgresql):
    # given a destination login with a user the server does not know
    create_people(sqlite, people())
    connection = with_password(postgresql, SECRET)
    connection.username = "nobody_i13_engine"
    spec = spec_of(sqlite, postgresql)
    spec = type(spec)(**(vars(spec) | {"destination": connection}))

    # when a run starts, then it names the refused login
    failure = failure_of(spec, kind=RunKind.FULL)
    assert failure.code == SyncError.DESTINATION_LOGIN
    assert SECRET not in failure.message


def test_an_unreachable_destination_is_named(sqlite, postgresql):
    # given a destination on a port where nothing listens
    create_people(sqlite, people())
    connection = with_password(postgresql, SECRET)
    connection.port = 1
    spec = spec_of(sqlite, postgresql)
    spec = type(spec)(**(vars(spec) | {"destination": connection}))

    # then the run fails as unreachable
    assert failure_of(spec).code == SyncError.DESTINATION_UNREACHABLE


# --- a destination table altered by hand ----------------------------------------------------


@pytest.mark.parametrize(
    "alteration, column",
    [
        ("ALTER TABLE rk_people DROP COLUMN xm", "xm"),
        ("ALTER TABLE rk_people ALTER COLUMN sr TYPE text", "sr"),
    ],
    ids=["column dropped", "type changed"],
)
def test_a_destination_table_altered_by_hand_stops_the_run(sqlite, postgresql, alteration, column):
    # given a loaded destination table that someone altered, and new rows at the source
    create_people(sqlite, people())
    spec = spec_of(sqlite, postgresql)
    run_sync(spec, kind=RunKind.FULL, run_id=1)
    postgresql.execute(alteration)
    before = postgresql.rows("rk_people")
    upsert_people(sqlite, [person(1, name="赵六", updated=person(99)["updated"])])

    # when an incremental run starts
    failure = failure_of(spec)

    # then it names the table and the column, and wrote nothing
    assert failure.code == SyncError.DESTINATION_ALTERED
    assert "rk_people" in failure.message and column in failure.message
    assert postgresql.rows("rk_people") == before


def test_a_sqlite_destination_column_dropped_by_hand_stops_the_run(sources_dir, postgresql):
    # given a loaded SQLite destination whose masked name column was dropped
    create_people(postgresql, people())
    target = sqlite_endpoint(sources_dir)
    spec = spec_of(postgresql, target)
    run_sync(spec, kind=RunKind.FULL, run_id=1)
    target.execute("ALTER TABLE rk_people DROP COLUMN gmsfhm")

    # then an incremental run names it
    failure = failure_of(spec)
    assert failure.code == SyncError.DESTINATION_ALTERED and "gmsfhm" in failure.message


# --- a source column dropped ----------------------------------------------------------------


@pytest.mark.parametrize("kind", [RunKind.FULL, RunKind.INCREMENTAL])
def test_a_dropped_source_column_is_named(postgresql, sqlite, kind):
    # given a source table that lost a mapped column
    create_people(postgresql, people())
    postgresql.execute("ALTER TABLE people DROP COLUMN name")
    spec = spec_of(postgresql, sqlite)

    # when a run starts
    failure = failure_of(spec, kind=kind)

    # then the table and the column are named, and no destination table appeared
    assert failure.code == SyncError.SOURCE_COLUMN_MISSING
    assert "people" in failure.message and "name" in failure.message
    assert not sqlite.has_table("rk_people")


# --- a destination that disappears mid-run --------------------------------------------------


def _terminate_sync_sessions(target: Endpoint) -> None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as db:
        killed = db.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND application_name = :app"
            ),
            {"name": target.connection.database, "app": APPLICATION_NAME},
        ).scalar_one()
    admin.dispose()
    assert killed  # the run's destination session was there to kill


def test_a_destination_connection_killed_mid_load_leaves_no_half_table(
    postgresql, postgresql_target
):
    # given a PostgreSQL → PostgreSQL full load (binary COPY) whose destination session is
    # killed by the server after the second batch
    source, target = postgresql, postgresql_target
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, masked=False)

    def kill(progress: Progress) -> None:
        if progress.batches == 2:
            _terminate_sync_sessions(target)

    # when the run goes on
    with pytest.raises(SyncFailure) as caught:
        run_sync(spec, kind=RunKind.FULL, run_id=1, on_batch=kill)

    # then it fails as a lost destination, and the destination table is not there half-loaded
    assert caught.value.code == SyncError.DESTINATION_LOST
    assert not target.has_table("rk_people")

    # and run again, it completes from the committed batches with every row once
    run_sync(spec, kind=RunKind.FULL, run_id=2)
    assert held(target, spec) == expected(spec, rows)


def test_a_destination_connection_killed_mid_increment_keeps_rows_and_watermark_together(
    postgresql, postgresql_target
):
    # given a loaded destination and changes at the source, delivered by the COPY path
    source, target = postgresql, postgresql_target
    rows = people()
    create_people(source, rows)
    spec = spec_of(source, target, masked=False)
    run_sync(spec, kind=RunKind.FULL, run_id=1)
    run_sync(spec, kind=RunKind.INCREMENTAL, run_id=2)
    later = rows[-1]["updated"].replace(year=2027)
    changed = [person(n, name=f"改{n}", updated=later.replace(minute=n)) for n in range(1, 21)]
    upsert_people(source, changed)

    def kill(progress: Progress) -> None:
        if progress.batches == 1:
            _terminate_sync_sessions(target)

    # when the destination session is killed after the first batch
    with pytest.raises(SyncFailure) as caught:
        run_sync(spec, kind=RunKind.INCREMENTAL, run_id=3, on_batch=kill)
    assert caught.value.code == SyncError.DESTINATION_LOST

    # then the committed watermark is the last delivered row's: rows after it are not there
    watermark = destination_watermark(spec)
    delivered = {row["id"]: row["xm"] for row in target.rows("rk_people")}
    for row in changed:
        if row["region"] == "370702":
            arrived = delivered[row["id"]] == row["name"]
            assert arrived == (row["updated"].isoformat() <= watermark)

    # and the next run brings the destination up to date
    run_sync(spec, kind=RunKind.INCREMENTAL, run_id=4)
    now = {row["id"]: row for row in rows} | {row["id"]: row for row in changed}
    assert held(target, spec) == expected(spec, list(now.values()))


@pytest.mark.parametrize("target_kind", ["postgresql", "mysql"])
def test_a_destination_database_dropped_mid_run_is_named(sqlite, target_kind, request):
    # given a full load into a database that is dropped after its first batch
    target: Endpoint = request.getfixturevalue(target_kind)
    create_people(sqlite, people())
    spec = spec_of(sqlite, target)
    name = target.connection.database

    def drop(progress: Progress) -> None:
        if target_kind == "postgresql":
            admin = sa.create_engine(
                PG_ADMIN, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
            )
            with admin.connect() as db:
                db.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
            admin.dispose()
        else:
            target.execute(f"DROP DATABASE `{name}`")

    # when the run goes on, then it fails naming the lost destination
    with pytest.raises(SyncFailure) as caught:
        run_sync(spec, kind=RunKind.FULL, run_id=1, on_batch=drop)
    assert caught.value.code == SyncError.DESTINATION_LOST
    assert "127.0.0.1" in caught.value.message


def test_a_source_that_cannot_be_reached_is_named(postgresql, sqlite):
    # given a source on a port where nothing listens
    create_people(postgresql, people())
    connection = with_password(postgresql, SECRET)
    connection.port = 1
    spec = spec_of(postgresql, sqlite)
    spec = type(spec)(**(vars(spec) | {"source": connection}))

    # then the run fails naming the unreachable source, without the password
    failure = failure_of(spec, kind=RunKind.FULL)
    assert failure.code == SyncError.SOURCE_UNREACHABLE
    assert "127.0.0.1" in failure.message and SECRET not in failure.message


def test_a_provider_source_is_never_written_to(sqlite, sources_dir):
    # given a spec whose destination is a connection registered as a data source
    create_people(sqlite, people())
    target = sqlite_endpoint(sources_dir)
    target.connection.role = ConnectionRole.SOURCE
    spec = spec_of(sqlite, target)

    # then a run refuses it before writing anything
    failure = failure_of(spec, kind=RunKind.FULL)
    assert failure.code == SyncError.SPEC_INVALID
    assert not target.has_table("rk_people")


def test_a_source_column_dropped_mid_run_is_named(postgresql, postgresql_target):
    # given a PostgreSQL → PostgreSQL full load (its source reads commit between batches, so
    # the provider's ALTER TABLE does not wait for the run) that loses a column after a batch
    create_people(postgresql, people())
    spec = spec_of(postgresql, postgresql_target, masked=False)

    def drop_column(progress: Progress) -> None:
        if progress.batches == 1:
            postgresql.execute("ALTER TABLE people DROP COLUMN name")

    # when the run goes on, then it fails naming the table and the column
    with pytest.raises(SyncFailure) as caught:
        run_sync(spec, kind=RunKind.FULL, run_id=1, on_batch=drop_column)
    assert caught.value.code == SyncError.SOURCE_COLUMN_MISSING
    assert "people" in caught.value.message and "name" in caught.value.message
    # and the destination table never appeared half-loaded
    assert not postgresql_target.has_table("rk_people")
