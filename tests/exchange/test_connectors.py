"""Connectors against real sources: the same table in SQLite, PostgreSQL and MariaDB, and an HTTP
upstream on 127.0.0.1."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from govshare.core.crypto import sm4_encrypt
from govshare.exchange.connectors import (
    BadParameter,
    HttpConnector,
    NotConfigured,
    UpstreamFailure,
    UpstreamTimeout,
    connector_for,
    connector_for_table,
)
from govshare.exchange.connectors.pg_async import greenlet_spawn
from govshare.exchange.connectors.sql import sqlite_path
from govshare.exchange.models import Connection
from tests.exchange.conftest import COLUMNS, PG_URL, UPSTREAM_KEY
from tests.loops import run_coroutine

pytestmark = pytest.mark.django_db

ZHANG, LI, OUYANG = "370702199001011234", "370702198505052345", "37070319700303345X"


def table_connector(source, **options):
    options.setdefault("columns", COLUMNS)
    options.setdefault("key_items", ["GMSFHM"])
    return connector_for_table(source.connection, source.table, **options)


# --- query ----------------------------------------------------------------------------------


def test_a_key_lookup_returns_only_the_items_asked_for(source):
    connector = table_connector(source)
    rows = connector.query({"GMSFHM": [ZHANG]}, ["XM", "XBDM"], {}, 10, 0)
    assert rows == [{"XM": "张三", "XBDM": "1"}]


def test_values_of_one_key_are_ored_and_keys_are_anded(source):
    connector = table_connector(source, key_items=["GMSFHM", "XBDM"])
    both = connector.query({"GMSFHM": [ZHANG, LI]}, ["XM"], {}, 10, 0)
    assert [row["XM"] for row in both] == ["张三", "李四"]
    women = connector.query({"GMSFHM": [ZHANG, LI], "XBDM": ["2"]}, ["XM"], {}, 10, 0)
    assert women == [{"XM": "李四"}]


def test_the_grants_row_filter_is_anded_with_the_mounts_own(source):
    connector = table_connector(source, row_filter={"region": "370702"})
    everyone = [ZHANG, LI, OUYANG]
    assert len(connector.query({"GMSFHM": everyone}, ["XM"], {}, 10, 0)) == 2  # 370703 hidden
    women = connector.query({"GMSFHM": everyone}, ["XM"], {"XBDM": ["2"]}, 10, 0)
    assert women == [{"XM": "李四"}]
    assert connector.query({"GMSFHM": [OUYANG]}, ["XM"], {"XBDM": ["2"]}, 10, 0) == []


def test_limit_and_offset_page_through_the_rows(source):
    connector = table_connector(source, key_items=[])
    names = [row["XM"] for row in connector.query({}, ["XM"], {}, 10, 0)]
    assert names == ["张三", "李四", "欧阳娜娜", "王五"]
    assert connector.query({}, ["XM"], {}, 2, 1) == [{"XM": "李四"}, {"XM": "欧阳娜娜"}]


def test_values_come_back_json_ready(source):
    columns = {"GMSFHM": "id_number", "CSRQ": "birth", "SR": "income", "DM": "code"}
    connector = table_connector(source, columns=columns)
    rows = connector.query({"GMSFHM": [ZHANG, OUYANG]}, ["CSRQ", "SR", "DM"], {}, 10, 0)
    assert rows == [
        {"CSRQ": "1990-01-01", "SR": "1234.50", "DM": 10},
        {"CSRQ": "1970-03-03", "SR": None, "DM": 30},
    ]


@pytest.mark.parametrize(
    "value",
    [
        "' OR '1'='1",
        "370702199001011234' OR 1=1 --",
        "x'); DROP TABLE people; --",
        '" OR ""="',
        "%",
        "370702%",
    ],
)
def test_injection_in_a_key_value_is_only_data(source, value):
    connector = table_connector(source)
    assert connector.query({"GMSFHM": [value]}, ["XM"], {}, 10, 0) == []
    assert connector.query({"GMSFHM": [ZHANG]}, ["XM"], {}, 10, 0) == [{"XM": "张三"}]


@pytest.mark.parametrize("value", ["1 OR 1=1", "10; DROP TABLE x", "abc", "", "1e3", "0x0A"])
def test_a_value_that_cannot_be_of_an_integer_key_matches_nothing(source, value):
    connector = table_connector(source, columns={"DM": "code", "XM": "name"}, key_items=["DM"])
    assert connector.query({"DM": [value]}, ["XM"], {}, 10, 0) == []
    assert connector.query({"DM": ["10", value]}, ["XM"], {}, 10, 0) == [{"XM": "张三"}]


def test_text_keys_match_exactly_whatever_the_collation(source):
    """MariaDB's default collation compares case-insensitively; a key is an exact match."""
    connector = table_connector(source)
    assert connector.query({"GMSFHM": ["abcdef"]}, ["XM"], {}, 10, 0) == []
    assert connector.query({"GMSFHM": ["ABCDEF "]}, ["XM"], {}, 10, 0) == []
    assert connector.query({"GMSFHM": ["ABCDEF"]}, ["XM"], {}, 10, 0) == [{"XM": "王五"}]


def test_items_and_keys_the_mount_does_not_offer_are_refused(source):
    connector = table_connector(source)
    with pytest.raises(BadParameter):
        connector.query({"GMSFHM": [ZHANG]}, ["SR"], {}, 10, 0)
    with pytest.raises(BadParameter):
        connector.query({"XM": ["张三"]}, ["XM"], {}, 10, 0)  # not a key item
    with pytest.raises(BadParameter):
        connector.query({"GMSFHM": [ZHANG]}, ["XM"], {"SR": ["1"]}, 10, 0)
    with pytest.raises(BadParameter):
        connector.proxy({}, ["XM"])


def test_a_source_that_is_down_fails_with_a_message_naming_no_secret(sources_dir, dept_a):
    connection = Connection.objects.create(
        department=dept_a,
        name="down",
        engine="postgresql",
        host="127.0.0.1",
        port=1,
        database="test",
        username="postgres",
        password_encrypted=sm4_encrypt("hunter2-secret"),
    )
    with pytest.raises(UpstreamFailure) as caught:
        connector_for_table(connection, "people", columns=COLUMNS, key_items=["GMSFHM"])
    assert "hunter2" not in str(caught.value)


# --- verify ---------------------------------------------------------------------------------


def test_verify_says_per_item_whether_the_submitted_value_is_the_stored_one(source):
    connector = table_connector(source)
    result = connector.verify({"GMSFHM": ZHANG, "XM": "张三", "XBDM": "2"}, ["GMSFHM"])
    assert result == {"GMSFHM": True, "XM": True, "XBDM": False}
    assert connector.verify({"GMSFHM": "110101199901010000", "XM": "张三"}, ["GMSFHM"]) is None
    assert connector.verify({"GMSFHM": "' OR '1'='1", "XM": "张三"}, ["GMSFHM"]) is None
    with pytest.raises(BadParameter):
        connector.verify({"XM": "张三"}, ["GMSFHM"])


def test_verify_compares_numbers_and_dates_by_value(source):
    columns = {"GMSFHM": "id_number", "SR": "income", "CSRQ": "birth"}
    connector = table_connector(source, columns=columns)
    result = connector.verify({"GMSFHM": ZHANG, "SR": "1234.5", "CSRQ": "1990-01-01"}, ["GMSFHM"])
    assert result == {"GMSFHM": True, "SR": True, "CSRQ": True}
    wrong = connector.verify({"GMSFHM": ZHANG, "SR": "abc", "CSRQ": "1990-01-02"}, ["GMSFHM"])
    assert wrong == {"GMSFHM": True, "SR": False, "CSRQ": False}


# --- PostgreSQL on the event loop -------------------------------------------------------------


def on_the_loop(connector, method, *args):
    """``connector.method(*args)`` as the gateway runs it for PostgreSQL: inside greenlet_spawn
    on an event loop, its connections closed before the loop ends."""

    async def run():
        try:
            return await greenlet_spawn(getattr(connector, method), *args)
        finally:
            await connector.close_loop_connections()

    return run_coroutine(run())


def test_on_the_event_loop_a_postgresql_source_answers_as_from_a_thread(postgresql_source):
    columns = {"GMSFHM": "id_number", "XM": "name", "CSRQ": "birth", "SR": "income"}
    connector = table_connector(postgresql_source, columns=columns)
    assert connector.serves_from_loop
    query = ({"GMSFHM": [ZHANG, OUYANG]}, ["XM", "CSRQ", "SR"], {}, 10, 0)
    verify = ({"GMSFHM": ZHANG, "SR": "1234.5", "CSRQ": "1990-01-02"}, ["GMSFHM"])

    assert on_the_loop(connector, "query", *query) == connector.query(*query)
    assert on_the_loop(connector, "verify", *verify) == connector.verify(*verify)
    assert on_the_loop(connector, "verify", *verify) == {"GMSFHM": True, "SR": True, "CSRQ": False}


def test_on_the_event_loop_a_failing_statement_is_a_connector_failure(postgresql_source):
    connector = table_connector(postgresql_source)
    engine = sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)
    with engine.begin() as db:  # the provider drops the table under the mount
        db.execute(sa.text(f'DROP TABLE "{postgresql_source.table}"'))
    engine.dispose()
    with pytest.raises(UpstreamFailure):
        on_the_loop(connector, "query", {"GMSFHM": [ZHANG]}, ["XM"], {}, 10, 0)


def test_sqlite_and_mysql_sources_are_read_from_threads(sqlite_source, mysql_source):
    assert not table_connector(sqlite_source).serves_from_loop
    assert not table_connector(mysql_source).serves_from_loop


# --- SQLite file names ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../people.db", "/etc/passwd", "a/b.db", "..", ".hidden", ""])
def test_a_sqlite_database_is_only_a_file_in_the_sources_directory(sources_dir, name):
    with pytest.raises(NotConfigured):
        sqlite_path(name)


def test_the_sqlite_source_is_opened_read_only(sqlite_source):
    connector = table_connector(sqlite_source)
    with pytest.raises(sa.exc.OperationalError), connector.engine.begin() as db:
        db.execute(sa.text("DELETE FROM people"))


# --- connector_for --------------------------------------------------------------------------


def test_connector_for_reuses_the_connector_until_the_configuration_changes(
    sqlite_source, resource
):
    from govshare.catalog.models import Mount
    from govshare.exchange.models import TableMount

    mount = Mount.objects.create(resource=resource, kind="table", status="mounted")
    config = TableMount.objects.create(
        mount=mount,
        connection=sqlite_source.connection,
        table="people",
        key_items=["GMSFHM"],
        columns=COLUMNS,
    )
    first = connector_for(Mount.objects.get(pk=mount.pk))
    assert connector_for(Mount.objects.get(pk=mount.pk)) is first
    config.columns = {**COLUMNS, "XM": "region"}
    config.save()
    second = connector_for(Mount.objects.get(pk=mount.pk))
    assert second is not first
    assert second.query({"GMSFHM": [ZHANG]}, ["XM"], {}, 1, 0) == [{"XM": "370702"}]


def test_connector_for_an_empty_slot_says_it_is_not_configured(resource):
    from govshare.catalog.models import Mount

    for kind in ("table", "api", "files"):
        with pytest.raises(NotConfigured):
            connector_for(Mount.objects.create(resource=resource, kind=kind))


# --- HTTP -----------------------------------------------------------------------------------


def http_connector(base_url: str, **options) -> HttpConnector:
    options.setdefault("headers", {"X-Api-Key": UPSTREAM_KEY})
    options.setdefault("key_params", {"GMSFHM": "sfzh"})
    options.setdefault("records_path", "data.records")
    options.setdefault("fields", {"GMSFHM": "sfzh", "XM": "xm", "XBDM": "detail.xb"})
    return HttpConnector(base_url=base_url, **options)


@pytest.fixture
def api(upstream):
    connector = http_connector(f"{upstream}/persons")
    yield connector
    connector.close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_proxy_maps_parameters_and_fields(upstream, method):
    connector = http_connector(f"{upstream}/persons", method=method)
    try:
        assert connector.proxy({"GMSFHM": LI}, ["XM", "XBDM"]) == [{"XM": "李四", "XBDM": "2"}]
    finally:
        connector.close()


def test_proxy_refuses_parameters_and_items_the_mount_does_not_map(api):
    with pytest.raises(BadParameter):
        api.proxy({"XM": "张三"}, ["XM"])
    with pytest.raises(BadParameter):
        api.proxy({"GMSFHM": ZHANG}, ["SR"])


def test_query_and_verify_through_an_upstream(api):
    assert api.query({"GMSFHM": [ZHANG]}, ["XM"], {}, 10, 0) == [{"XM": "张三"}]
    assert len(api.query({}, ["XM"], {"XBDM": ["2"]}, 10, 0)) == 2
    assert api.query({}, ["XM"], {}, 1, 1) == [{"XM": "李四"}]
    assert api.verify({"GMSFHM": ZHANG, "XM": "李四"}, ["GMSFHM"]) == {
        "GMSFHM": True,
        "XM": False,
    }
    assert api.verify({"GMSFHM": "nobody"}, ["GMSFHM"]) is None
    with pytest.raises(BadParameter):
        api.query({"GMSFHM": [ZHANG, LI]}, ["XM"], {}, 10, 0)


def test_a_slow_upstream_times_out(upstream):
    connector = http_connector(f"{upstream}/slow", timeout_s=0.2)
    try:
        with pytest.raises(UpstreamTimeout):
            connector.proxy({}, ["XM"])
    finally:
        connector.close()


@pytest.mark.parametrize("path", ["/boom", "/html"])
def test_an_error_status_or_an_answer_that_is_not_json_is_a_failure(upstream, path):
    connector = http_connector(f"{upstream}{path}")
    try:
        with pytest.raises(UpstreamFailure):
            connector.proxy({}, ["XM"])
    finally:
        connector.close()


def test_without_the_providers_credential_the_upstream_refuses(upstream):
    connector = http_connector(f"{upstream}/persons", headers={})
    try:
        with pytest.raises(UpstreamFailure, match="401"):
            connector.proxy({}, ["XM"])
    finally:
        connector.close()


def test_an_unreachable_upstream_is_a_failure():
    connector = http_connector("http://127.0.0.1:9/persons")
    try:
        with pytest.raises(UpstreamFailure):
            connector.proxy({}, ["XM"])
    finally:
        connector.close()


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://h/", "http:///nohost", "x"]
)
def test_only_http_and_https_upstreams(url):
    with pytest.raises(NotConfigured):
        http_connector(url)
