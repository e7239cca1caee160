"""A consumer's front-end databases (前置库) and destination folders: registered by the data
officer on the same connection pages and services as sources, told apart by role; a connection
test names what failed (host, login, database) against real servers and never shows the
password; the permission matrix of pages and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from govshare.core.crypto import sm4_encrypt
from govshare.exchange.models import Connection, ConnectionRole, DropFolder
from govshare.exchange.services import connection_test, table_mount_set
from tests.api_client import api_client, assert_error_body, send
from tests.exchange.bulk_fixtures import destination
from tests.exchange.conftest import COLUMNS
from tests.sharing.factories import published_resource

pytestmark = pytest.mark.django_db

API = "/api/v1/exchange"
LOGIN_URL = reverse("identity:login")


def connection_post(**overrides) -> dict:
    data = {
        "name": "人社前置库",
        "engine": "postgresql",
        "host": "127.0.0.1",
        "port": "5432",
        "database": "test",
        "username": "postgres",
        "password": "pw-secret-9",
    }
    data.update(overrides)
    return data


# --- pages ------------------------------------------------------------------------------------


def test_the_data_officer_registers_a_front_end_database(client_for, officer_b, dept_b):
    client = client_for(officer_b)
    response = client.post(
        reverse("exchange:destination_create"), connection_post(department=str(dept_b.pk))
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert connection.role == ConnectionRole.DESTINATION
    destinations = client.get(reverse("exchange:destination_list")).content.decode()
    sources = client.get(reverse("exchange:connection_list")).content.decode()
    assert f'data-connection="{connection.pk}"' in destinations
    assert f'data-connection="{connection.pk}"' not in sources
    assert "pw-secret-9" not in destinations


def test_anonymous_and_other_departments_are_kept_out(client, client_for, officer_a, dept_b):
    front = destination(dept_b)
    for url in (reverse("exchange:destination_list"), reverse("exchange:folder_create")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    other = client_for(officer_a)
    listing = other.get(reverse("exchange:destination_list")).content.decode()
    assert f'data-connection="{front.pk}"' not in listing
    assert other.get(reverse("exchange:connection_detail", args=[front.pk])).status_code == 404
    assert other.post(reverse("exchange:connection_test", args=[front.pk])).status_code == 404


def test_a_front_end_database_is_not_offered_as_a_source(
    client_for, officer_a, reviewer, dept_a, sqlite_source
):
    # given the provider also has a front-end database
    front = destination(dept_a, database="people.db")
    resource = published_resource(officer_a, reviewer, dept_a)

    # then the table mount form offers only its source
    page = client_for(officer_a).get(reverse("exchange:mount_table", args=[resource.pk]))
    choices = [c.pk for c in page.context["form"].fields["connection"].queryset]
    assert choices == [sqlite_source.connection.pk]

    # and the service refuses the front-end database, naming the field
    with pytest.raises(ValidationError) as raised:
        table_mount_set(
            actor=officer_a,
            resource=resource,
            data={"connection": front, "table": "people", "columns": COLUMNS},
        )
    assert "connection" in raised.value.message_dict


def test_the_data_officer_adds_a_destination_folder(
    client_for, officer_b, dept_b, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    client = client_for(officer_b)
    bad = client.post(
        reverse("exchange:folder_create"),
        {"department": str(dept_b.pk), "name": "落地", "directory": "../etc"},
    )
    assert bad.status_code == 200 and bad.context["form"].errors["directory"]
    response = client.post(
        reverse("exchange:folder_create"),
        {"department": str(dept_b.pk), "name": "落地", "directory": "renshe_in"},
    )
    assert response.status_code == 302
    folder = DropFolder.objects.get()
    assert (tmp_path / "destinations" / "renshe_in").is_dir()
    listing = client.get(reverse("exchange:destination_list")).content.decode()
    assert f'data-folder="{folder.pk}"' in listing


def test_staff_cannot_add_a_folder(client_for, staff_a):
    assert client_for(staff_a).get(reverse("exchange:folder_create")).status_code == 403


# --- the connection test names what failed ----------------------------------------------------


def _tested(officer, connection) -> str:
    result = connection_test(actor=officer, connection=connection)
    assert not result.ok
    return result.message


def _pg(dept, **fields) -> Connection:
    values = {"host": "127.0.0.1", "port": 5432, "database": "test", "username": "postgres"}
    values.update(fields)
    name = ",".join(sorted(fields))  # short: a name is at most 100 characters
    return Connection.objects.create(
        department=dept, name=name, role="destination", engine="postgresql", **values
    )


def test_an_unreachable_host_is_named(officer_b, dept_b):
    message = _tested(officer_b, _pg(dept_b, port=1))
    assert "无法连接到主机" in message


def test_a_missing_database_is_named(officer_b, dept_b, postgresql_source):
    message = _tested(officer_b, _pg(dept_b, database="i13_ui_no_such_db"))
    assert "数据库不存在" in message


def test_a_refused_login_is_named_without_the_password(officer_b, dept_b, postgresql_source):
    connection = _pg(dept_b, username="i13_ui_nobody", password_encrypted=sm4_encrypt("pw-x1"))
    message = _tested(officer_b, connection)
    assert "登录被拒绝" in message and "pw-x1" not in message


def test_a_missing_sqlite_file_is_named(officer_b, dept_b, sources_dir):
    message = _tested(officer_b, destination(dept_b, database="missing.db"))
    assert "数据库不存在" in message


def test_a_mysql_login_refused_is_named(officer_b, dept_b, mysql_source):
    connection = Connection.objects.create(
        department=dept_b,
        name="mysql",
        role="destination",
        engine="mysql",
        host="127.0.0.1",
        port=3306,
        database="test",
        username="root",
        password_encrypted=sm4_encrypt("wrong-pw-7"),
    )
    message = _tested(officer_b, connection)
    assert "登录被拒绝" in message and "wrong-pw-7" not in message


# --- API --------------------------------------------------------------------------------------


def test_the_api_registers_lists_and_tests_front_end_databases(officer_b, dept_b, officer_a):
    client = api_client(officer_b)
    body = {
        "department_id": dept_b.pk,
        "name": "前置库",
        "engine": "postgresql",
        "host": "127.0.0.1",
        "port": 1,
        "database": "test",
        "username": "postgres",
        "password": "pw-secret-3",
    }
    created = send(client, "POST", f"{API}/destinations", body)
    assert created.status_code == 201, created.content
    assert "pw-secret-3" not in created.content.decode() and created.json()["has_password"]
    pk = created.json()["id"]
    assert [item["id"] for item in client.get(f"{API}/destinations").json()["items"]] == [pk]
    tested = send(client, "POST", f"{API}/destinations/{pk}/test", {})
    assert tested.status_code == 200 and not tested.json()["ok"]
    assert "无法连接到主机" in tested.json()["message"]
    # the provider's officer neither sees nor tests it
    other = api_client(officer_a)
    assert other.get(f"{API}/destinations").json()["items"] == []
    assert_error_body(send(other, "POST", f"{API}/destinations/{pk}/test", {}), 404)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"engine": "oracle"}, "engine"),
        ({"port": 70000}, "port"),
        ({"name": " "}, "name"),
        ({"host": ""}, "host"),
        ({"department_id": 999999}, "department_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_malformed_destinations_are_4xx_naming_the_field(officer_b, dept_b, change, field):
    body = {"department_id": dept_b.pk, "name": "库", "engine": "postgresql", "host": "h"}
    body.update({"database": "d", **change})
    response = send(api_client(officer_b), "POST", f"{API}/destinations", body)
    assert field in assert_error_body(response)["fields"]
    assert not Connection.objects.exists()


def test_another_departments_officer_cannot_register_for_it(officer_a, dept_b):
    body = {"department_id": dept_b.pk, "name": "库", "engine": "sqlite", "database": "x.db"}
    assert_error_body(send(api_client(officer_a), "POST", f"{API}/destinations", body), 403)
    assert_error_body(send(api_client(None), "POST", f"{API}/destinations", body), 401)
    assert not Connection.objects.exists()


def test_the_api_adds_folders(officer_b, dept_b, officer_a, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = api_client(officer_b)
    body = {"department_id": dept_b.pk, "name": "落地", "directory": "in_b"}
    assert send(client, "POST", f"{API}/folders", body).status_code == 201
    bad = send(client, "POST", f"{API}/folders", {**body, "name": "二", "directory": "a/b"})
    assert "directory" in assert_error_body(bad, 422)["fields"]
    assert api_client(officer_a).get(f"{API}/folders").json()["items"] == []
