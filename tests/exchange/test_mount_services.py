"""Services of connections and mount slots: validation naming the field, secrets kept encrypted,
status of the catalog's mount, audit, the gateway stamp, and who may do what."""

from __future__ import annotations

import sqlite3

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govshare.catalog.models import Mount
from govshare.catalog.search.page import search
from govshare.core import stamps
from govshare.core.crypto import sm4_decrypt
from govshare.core.models import AuditEvent
from govshare.exchange.connectors.sql import sqlite_path
from govshare.exchange.models import ApiMount, Connection, FileSet, TableMount
from govshare.exchange.services import (
    api_mount_set,
    connection_create,
    connection_test,
    connection_update,
    fileset_list,
    fileset_set,
    mount_test,
    table_mount_set,
)
from tests.exchange.conftest import COLUMNS, UPSTREAM_KEY

pytestmark = pytest.mark.django_db

PG = {
    "name": "人口库",
    "engine": "postgresql",
    "host": "127.0.0.1",
    "port": 5432,
    "database": "test",
    "username": "postgres",
    "password": "s3cret-pw",
}


def fields_of(error: ValidationError) -> set[str]:
    return set(error.message_dict)


def table_data(source, **overrides) -> dict:
    data = {
        "connection": source.connection,
        "table": source.table,
        "key_items": ["GMSFHM"],
        "columns": dict(COLUMNS),
        "row_filter": {},
        "description": "人口库人口表",
    }
    data.update(overrides)
    return data


# --- connections ----------------------------------------------------------------------------


def test_a_connection_keeps_its_password_encrypted_and_out_of_the_audit(
    officer_a, dept_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        connection = connection_create(actor=officer_a, department=dept_a, data=PG)
    assert connection.password_encrypted.startswith("sm4cbc$")
    assert sm4_decrypt(connection.password_encrypted) == "s3cret-pw"
    event = AuditEvent.objects.get(action="exchange.connection.create")
    assert "s3cret" not in str(event.after) and event.after["has_password"] is True
    assert "password_encrypted" not in event.after
    assert stamps.current("gateway") == 1


def test_an_empty_password_on_update_keeps_the_stored_one(officer_a, dept_a):
    connection = connection_create(actor=officer_a, department=dept_a, data=PG)
    stored = connection.password_encrypted
    connection_update(actor=officer_a, connection=connection, data={**PG, "password": ""})
    assert Connection.objects.get().password_encrypted == stored
    connection_update(actor=officer_a, connection=connection, data={**PG, "password": "new"})
    assert sm4_decrypt(Connection.objects.get().password_encrypted) == "new"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"host": ""}, "host"),
        ({"engine": "oracle"}, "engine"),
        ({"engine": "sqlite", "database": "../etc/passwd"}, "database"),
        ({"engine": "sqlite", "database": "/var/db.sqlite"}, "database"),
    ],
)
def test_connection_errors_name_the_field(officer_a, dept_a, changes, field):
    with pytest.raises(ValidationError) as caught:
        connection_create(actor=officer_a, department=dept_a, data={**PG, **changes})
    assert field in fields_of(caught.value)
    assert not Connection.objects.exists()


def test_connection_names_are_unique_per_department(officer_a, dept_a):
    connection_create(actor=officer_a, department=dept_a, data=PG)
    with pytest.raises(ValidationError) as caught:
        connection_create(actor=officer_a, department=dept_a, data=PG)
    assert fields_of(caught.value) == {"name"}


@pytest.mark.parametrize("who", ["staff_a", "officer_b", "reviewer", "auditor"])
def test_only_the_departments_data_officer_manages_connections(request, who, dept_a, officer_a):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        connection_create(actor=user, department=dept_a, data=PG)
    connection = connection_create(actor=officer_a, department=dept_a, data=PG)
    with pytest.raises(PermissionDenied):
        connection_update(actor=user, connection=connection, data={**PG, "name": "x"})
    with pytest.raises(PermissionDenied):
        connection_test(actor=user, connection=connection)
    assert Connection.objects.get().name == PG["name"]


def test_connection_test_records_success_and_failure(officer_a, source):
    connection = source.connection
    updated = connection.updated
    result = connection_test(actor=officer_a, connection=connection)
    assert result.ok
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.last_tested is not None and stored.last_error == ""
    assert stored.updated == updated  # the cached engine stays valid
    if connection.engine == "sqlite":
        connection.database = "missing.db"
    else:
        connection.port = 1
    connection.save()
    result = connection_test(actor=officer_a, connection=connection)
    assert not result.ok and result.message
    assert Connection.objects.get(pk=connection.pk).last_error == result.message


# --- table mounts ---------------------------------------------------------------------------


def test_a_table_mount_is_saved_and_the_slot_marked_mounted(
    officer_a, resource, source, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        config = table_mount_set(actor=officer_a, resource=resource, data=table_data(source))
    mount = Mount.objects.get(resource=resource, kind="table")
    assert mount.status == "mounted" and mount.last_error == ""
    assert mount.description == "人口库人口表"
    assert config.columns == COLUMNS and config.key_items == ["GMSFHM"]
    assert AuditEvent.objects.filter(action="exchange.mount.table.set").count() == 1
    assert stamps.current("gateway") == 1
    result = mount_test(actor=officer_a, mount=mount)
    assert result.ok, result.message
    # and the catalog's search counts it under 已挂接
    counts = {f.value: f.count for f in search(officer_a, "").facets["mount_status"]}
    assert counts.get("mounted") == 1


def test_table_mount_errors_name_the_field_and_the_rule(officer_a, resource, sqlite_source):
    bad = table_data(
        sqlite_source,
        columns={"GMSFHM": "id_number", "NOPE": "x"},
        key_items=["XM"],
    )
    with pytest.raises(ValidationError) as caught:
        table_mount_set(actor=officer_a, resource=resource, data=bad)
    assert fields_of(caught.value) == {"columns.NOPE", "key_items"}
    with pytest.raises(ValidationError) as caught:
        table_mount_set(
            actor=officer_a, resource=resource, data=table_data(sqlite_source, table="")
        )
    assert fields_of(caught.value) == {"table"}
    assert not TableMount.objects.exists() and not Mount.objects.exists()


def test_a_missing_table_or_column_is_refused(officer_a, resource, sqlite_source):
    with pytest.raises(ValidationError) as caught:
        table_mount_set(
            actor=officer_a, resource=resource, data=table_data(sqlite_source, table="nope")
        )
    assert fields_of(caught.value) == {"table"}
    data = table_data(
        sqlite_source, columns={**COLUMNS, "XM": "full_name"}, row_filter={"province": "37"}
    )
    with pytest.raises(ValidationError) as caught:
        table_mount_set(actor=officer_a, resource=resource, data=data)
    assert fields_of(caught.value) == {"columns.XM", "row_filter"}
    assert not TableMount.objects.exists()


def test_a_table_name_is_data_not_sql(officer_a, resource, sqlite_source):
    data = table_data(sqlite_source, table="people; DROP TABLE people")
    with pytest.raises(ValidationError) as caught:
        table_mount_set(actor=officer_a, resource=resource, data=data)
    assert fields_of(caught.value) == {"table"}
    table_mount_set(actor=officer_a, resource=resource, data=table_data(sqlite_source))


def test_an_unreachable_source_is_saved_as_failing(officer_a, resource, sqlite_source):
    sqlite_source.connection.database = "gone.db"
    sqlite_source.connection.save()
    table_mount_set(actor=officer_a, resource=resource, data=table_data(sqlite_source))
    mount = Mount.objects.get(resource=resource, kind="table")
    assert mount.status == "failing" and mount.last_error


def test_another_departments_connection_cannot_be_used(officer_a, resource, dept_b, sources_dir):
    foreign = Connection.objects.create(
        department=dept_b, name="人社库", engine="sqlite", database="people.db"
    )
    data = {"connection": foreign, "table": "people", "columns": COLUMNS, "key_items": []}
    with pytest.raises(ValidationError) as caught:
        table_mount_set(actor=officer_a, resource=resource, data=data)
    assert fields_of(caught.value) == {"connection"}


@pytest.mark.parametrize("who", ["staff_a", "officer_b", "reviewer", "auditor"])
def test_only_the_providers_data_officer_configures_mounts(request, who, resource, sqlite_source):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        table_mount_set(actor=user, resource=resource, data=table_data(sqlite_source))
    with pytest.raises(PermissionDenied):
        api_mount_set(actor=user, resource=resource, data={"base_url": "http://x/"})
    with pytest.raises(PermissionDenied):
        fileset_set(actor=user, resource=resource, data={"location": "x"})
    with pytest.raises(PermissionDenied):
        mount_test(actor=user, mount=Mount.objects.create(resource=resource, kind="table"))
    assert not TableMount.objects.exists() and not ApiMount.objects.exists()


def test_mount_test_marks_a_broken_mount_failing(officer_a, resource, sqlite_source):
    table_mount_set(actor=officer_a, resource=resource, data=table_data(sqlite_source))
    mount = Mount.objects.get(kind="table")
    db = sqlite3.connect(sqlite_path(sqlite_source.connection.database))
    db.execute("ALTER TABLE people RENAME COLUMN name TO full_name")
    db.commit()
    db.close()
    result = mount_test(actor=officer_a, mount=mount)
    mount.refresh_from_db()
    assert not result.ok and mount.status == "failing" and mount.last_error == result.message
    assert AuditEvent.objects.filter(action="exchange.mount.test").exists()


# --- API mounts -----------------------------------------------------------------------------


def api_data(upstream: str, **overrides) -> dict:
    data = {
        "base_url": f"{upstream}/persons",
        "method": "GET",
        "auth_header": "X-Api-Key",
        "auth_value": UPSTREAM_KEY,
        "timeout_ms": 2000,
        "key_params": {"GMSFHM": "sfzh"},
        "records_path": "data.records",
        "fields": {"GMSFHM": "sfzh", "XM": "xm", "XBDM": "detail.xb"},
        "description": "公安人口接口",
    }
    data.update(overrides)
    return data


def test_an_api_mount_keeps_its_credential_encrypted(officer_a, resource, upstream):
    config = api_mount_set(actor=officer_a, resource=resource, data=api_data(upstream))
    assert sm4_decrypt(config.auth_value_encrypted) == UPSTREAM_KEY
    event = AuditEvent.objects.get(action="exchange.mount.api.set")
    assert UPSTREAM_KEY not in str(event.after) and event.after["has_auth_value"] is True
    api_mount_set(actor=officer_a, resource=resource, data=api_data(upstream, auth_value=""))
    assert sm4_decrypt(ApiMount.objects.get().auth_value_encrypted) == UPSTREAM_KEY
    mount = Mount.objects.get(kind="api")
    assert mount.status == "mounted"
    assert mount_test(actor=officer_a, mount=mount, params={"GMSFHM": "ABCDEF"}).ok


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"base_url": "ftp://example.com/x"}, "base_url"),
        ({"base_url": "file:///etc/passwd"}, "base_url"),
        ({"base_url": ""}, "base_url"),
        ({"base_url": "http://169.254.169.254/latest/meta-data"}, "base_url"),
        ({"base_url": "http://0.0.0.0:8000/x"}, "base_url"),
        ({"timeout_ms": 10}, "timeout_ms"),
        ({"auth_header": "Bad Header"}, "auth_header"),
        ({"records_path": "data[0]"}, "records_path"),
        ({"fields": {}}, "fields"),
        ({"fields": {"NOPE": "x"}}, "fields.NOPE"),
        ({"key_params": {"NOPE": "x"}}, "key_params.NOPE"),
    ],
)
def test_api_mount_errors_name_the_field(officer_a, resource, changes, field):
    with pytest.raises(ValidationError) as caught:
        api_mount_set(actor=officer_a, resource=resource, data=api_data("http://h", **changes))
    assert field in fields_of(caught.value)
    assert not ApiMount.objects.exists()


def test_mount_test_of_a_failing_upstream(officer_a, resource, upstream):
    api_mount_set(
        actor=officer_a, resource=resource, data=api_data(upstream, base_url=f"{upstream}/boom")
    )
    mount = Mount.objects.get(kind="api")
    result = mount_test(actor=officer_a, mount=mount)
    mount.refresh_from_db()
    assert not result.ok and "500" in result.message and mount.status == "failing"


# --- file sets ------------------------------------------------------------------------------


def test_a_file_set_lists_matching_files_inside_the_sources_directory(
    officer_a, resource, sources_dir
):
    (sources_dir / "exports").mkdir()
    for name in ("2025.csv", "2026.csv", "notes.txt"):
        (sources_dir / "exports" / name).write_text("x")
    fileset = fileset_set(
        actor=officer_a, resource=resource, data={"location": "exports", "pattern": "*.csv"}
    )
    assert fileset.files == ["2025.csv", "2026.csv"] and fileset.listed is not None
    (sources_dir / "exports" / "2027.csv").write_text("x")
    assert fileset_list(actor=officer_a, fileset=fileset) == ["2025.csv", "2026.csv", "2027.csv"]
    assert Mount.objects.get(kind="files").status == "mounted"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"location": "../"}, "location"),
        ({"location": "/etc"}, "location"),
        ({"location": "exports/../../x"}, "location"),
        ({"location": "missing"}, "location"),
        ({"location": ""}, "location"),
        ({"location": "exports", "pattern": "../*"}, "pattern"),
        ({"location": "exports", "pattern": "a/b"}, "pattern"),
    ],
)
def test_file_set_errors_name_the_field(officer_a, resource, sources_dir, data, field):
    (sources_dir / "exports").mkdir()
    with pytest.raises(ValidationError) as caught:
        fileset_set(actor=officer_a, resource=resource, data=data)
    assert fields_of(caught.value) == {field}
    assert not FileSet.objects.exists()


def test_a_link_out_of_the_sources_directory_is_not_listed(
    officer_a, resource, sources_dir, tmp_path
):
    (tmp_path / "secret.csv").write_text("x")
    (sources_dir / "exports").mkdir()
    (sources_dir / "exports" / "secret.csv").symlink_to(tmp_path / "secret.csv")
    (sources_dir / "exports" / "ok.csv").write_text("x")
    fileset = fileset_set(
        actor=officer_a, resource=resource, data={"location": "exports", "pattern": "*.csv"}
    )
    assert fileset.files == ["ok.csv"]
