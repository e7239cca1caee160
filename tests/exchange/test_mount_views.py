"""Connection and mount pages: the permission matrix (anonymous, other department, staff, data
officer), field-named errors on the forms, secrets never rendered, and the link from the
resource page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govshare.catalog.models import Mount
from govshare.core.crypto import sm4_decrypt
from govshare.exchange.models import ApiMount, Connection, TableMount
from tests.exchange.conftest import UPSTREAM_KEY

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
DENIED = ["staff_a", "officer_b"]


def connection_post(**overrides) -> dict:
    data = {
        "name": "人口库",
        "engine": "postgresql",
        "host": "127.0.0.1",
        "port": "5432",
        "database": "test",
        "username": "postgres",
        "password": "pw-secret-1",
    }
    data.update(overrides)
    return data


def table_post(source, **overrides) -> dict:
    data = {
        "connection": str(source.connection.pk),
        "table": source.table,
        "key_items": ["GMSFHM"],
        "row_filter": "",
        "description": "",
        "columns.GMSFHM": "id_number",
        "columns.XM": "name",
        "columns.XBDM": "sex",
    }
    data.update(overrides)
    return data


# --- connections ----------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(client, resource):
    for url in (
        reverse("exchange:connection_list"),
        reverse("exchange:connection_create"),
        reverse("exchange:mounts", args=[resource.pk]),
        reverse("exchange:mount_table", args=[resource.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_the_data_officer_registers_a_connection(client_for, officer_a, dept_a):
    client = client_for(officer_a)
    response = client.post(
        reverse("exchange:connection_create"), connection_post(department=str(dept_a.pk))
    )
    connection = Connection.objects.get()
    assert response.status_code == 302
    assert sm4_decrypt(connection.password_encrypted) == "pw-secret-1"
    page = client.get(reverse("exchange:connection_edit", args=[connection.pk]))
    assert "pw-secret-1" not in page.content.decode()
    assert "sm4cbc" not in page.content.decode()
    listing = client.get(reverse("exchange:connection_list")).content.decode()
    assert "人口库" in listing and "pw-secret-1" not in listing


def test_connection_form_errors_are_shown_on_the_field(client_for, officer_a, dept_a):
    response = client_for(officer_a).post(
        reverse("exchange:connection_create"),
        connection_post(department=str(dept_a.pk), host="", engine="postgresql"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["host"]
    assert not Connection.objects.exists()


@pytest.mark.parametrize("who", DENIED)
def test_others_cannot_register_or_change_a_connection(client_for, request, who, dept_a):
    connection = Connection.objects.create(
        department=dept_a, name="人口库", engine="sqlite", database="people.db"
    )
    client = client_for(request.getfixturevalue(who))
    response = client.post(
        reverse("exchange:connection_create"), connection_post(department=str(dept_a.pk))
    )
    assert response.status_code in (200, 403)  # staff: no department offered; others: 403
    edit = client.post(reverse("exchange:connection_edit", args=[connection.pk]), connection_post())
    assert edit.status_code in (403, 404)
    test = client.post(reverse("exchange:connection_test", args=[connection.pk]))
    assert test.status_code in (403, 404)
    assert Connection.objects.get().name == "人口库" and Connection.objects.count() == 1


def test_staff_read_their_departments_connections(client_for, staff_a, officer_b, dept_a):
    connection = Connection.objects.create(
        department=dept_a, name="人口库", engine="sqlite", database="people.db"
    )
    url = reverse("exchange:connection_detail", args=[connection.pk])
    page = client_for(staff_a).get(url)
    assert page.status_code == 200 and "gs-connection-edit" not in page.content.decode()
    assert client_for(officer_b).get(url).status_code == 404


def test_testing_a_connection_from_its_page(client_for, officer_a, sqlite_source):
    client = client_for(officer_a)
    url = reverse("exchange:connection_test", args=[sqlite_source.connection.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Connection.objects.get().last_tested is not None


# --- mount pages ----------------------------------------------------------------------------


def test_the_resource_page_links_to_the_mount_configuration(client_for, officer_a, resource):
    page = client_for(officer_a).get(reverse("catalog:resource_detail", args=[resource.pk]))
    assert reverse("exchange:mounts", args=[resource.pk]) in page.content.decode()


def test_the_data_officer_configures_and_tests_a_table_mount(
    client_for, officer_a, resource, sqlite_source
):
    client = client_for(officer_a)
    url = reverse("exchange:mount_table", args=[resource.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, table_post(sqlite_source, row_filter="region=370702"))
    assert response.status_code == 302
    config = TableMount.objects.get()
    assert config.row_filter == {"region": "370702"} and config.key_items == ["GMSFHM"]
    mount = Mount.objects.get(kind="table")
    assert mount.status == "mounted"
    test = client.post(reverse("exchange:mount_test", args=[resource.pk, "table"]), follow=True)
    assert test.status_code == 200
    overview = client.get(reverse("exchange:mounts", args=[resource.pk])).content.decode()
    assert 'data-mount-status="mounted"' in overview and sqlite_source.table in overview
    edit = client.get(url).content.decode()
    assert 'value="id_number"' in edit  # the mapping is shown again


def test_table_mount_errors_are_shown_on_the_mapping_row(
    client_for, officer_a, resource, sqlite_source
):
    response = client_for(officer_a).post(
        reverse("exchange:mount_table", args=[resource.pk]),
        table_post(sqlite_source, **{"columns.XM": "no_such_column", "row_filter": "oops"}),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["row_filter"]
    assert not TableMount.objects.exists()
    response = client_for(officer_a).post(
        reverse("exchange:mount_table", args=[resource.pk]),
        table_post(sqlite_source, **{"columns.XM": "no_such_column"}),
    )
    assert response.context["form"].errors["columns.XM"]
    assert 'data-error-for="columns.XM"' in response.content.decode()


def test_the_api_mount_page_never_shows_the_credential(client_for, officer_a, resource, upstream):
    client = client_for(officer_a)
    url = reverse("exchange:mount_api", args=[resource.pk])
    data = {
        "base_url": f"{upstream}/persons",
        "method": "GET",
        "auth_header": "X-Api-Key",
        "auth_value": UPSTREAM_KEY,
        "timeout_ms": "2000",
        "records_path": "data.records",
        "description": "",
        "key_params.GMSFHM": "sfzh",
        "fields.GMSFHM": "sfzh",
        "fields.XM": "xm",
    }
    assert client.post(url, data).status_code == 302
    assert sm4_decrypt(ApiMount.objects.get().auth_value_encrypted) == UPSTREAM_KEY
    for page in (url, reverse("exchange:mounts", args=[resource.pk])):
        assert UPSTREAM_KEY not in client.get(page).content.decode()
    bad = client.post(url, {**data, "base_url": "ftp://x/y"})
    assert bad.status_code == 200 and bad.context["form"].errors["base_url"]
    test = client.post(
        reverse("exchange:mount_test", args=[resource.pk, "api"]),
        {"params": "GMSFHM=ABCDEF"},
        follow=True,
    )
    assert test.status_code == 200 and Mount.objects.get(kind="api").status == "mounted"


def test_the_file_set_page(client_for, officer_a, resource, sources_dir):
    (sources_dir / "exports").mkdir()
    (sources_dir / "exports" / "a.csv").write_text("x")
    client = client_for(officer_a)
    url = reverse("exchange:mount_files", args=[resource.pk])
    bad = client.post(url, {"location": "../..", "pattern": "*"})
    assert bad.status_code == 200 and bad.context["form"].errors["location"]
    assert client.post(url, {"location": "exports", "pattern": "*.csv"}).status_code == 302
    assert Mount.objects.get(kind="files").fileset_config.files == ["a.csv"]


@pytest.mark.parametrize("who", DENIED)
def test_others_cannot_configure_a_mount(client_for, request, who, resource, sqlite_source):
    client = client_for(request.getfixturevalue(who))
    for kind in ("table", "api", "files"):
        url = reverse(f"exchange:mount_{kind}", args=[resource.pk])
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("exchange:mount_table", args=[resource.pk]), table_post(sqlite_source)
        ).status_code
        == 403
    )
    Mount.objects.create(resource=resource, kind="table")
    test = client.post(reverse("exchange:mount_test", args=[resource.pk, "table"]))
    assert test.status_code == 403
    assert not TableMount.objects.exists()
    assert Mount.objects.get(kind="table").status == "unmounted"


def test_staff_see_the_overview_without_the_buttons(client_for, staff_a, resource):
    page = client_for(staff_a).get(reverse("exchange:mounts", args=[resource.pk]))
    assert page.status_code == 200
    assert reverse("exchange:mount_table", args=[resource.pk]) not in page.content.decode()


def test_another_department_does_not_see_the_mounts(client_for, officer_b, resource):
    page = client_for(officer_b).get(reverse("exchange:mounts", args=[resource.pk]))
    assert page.status_code == 403
