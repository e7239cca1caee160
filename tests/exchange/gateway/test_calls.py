"""Gateway calls: query returns exactly the granted items, masked; verify answers match or no
match and never stored data; proxy filters an upstream's records; refusals carry codes."""

from __future__ import annotations

import sqlite3
import time
import uuid

import pytest
import sqlalchemy as sa
from django.utils import timezone

from govshare.catalog.models import Mount
from govshare.catalog.services import resource_withdraw
from govshare.core.roles import Role
from govshare.exchange.connectors import built_connector, clear_connectors
from govshare.exchange.gateway.endpoints import time_ordered_id
from govshare.exchange.models import Connection, DeliveryRecord, TableMount
from tests.exchange.conftest import PG_URL
from tests.exchange.gateway.factories import PEOPLE, api_mount, grant
from tests.factories import member

ZHANG, LI, OUYANG = PEOPLE[0][0], PEOPLE[1][0], PEOPLE[2][0]


@pytest.fixture
def token(world, gw):
    """A query grant on ID number (masked), name (masked) and sex, and a token."""
    grant(world, ["GMSFHM", "XM", "XBDM"])
    gw.refresh()
    return gw.token(world)


def path(world, mode: str = "query") -> str:
    return f"/gw/resources/{world.ref}/{mode}"


# --- query ----------------------------------------------------------------------------------


def test_query_returns_exactly_the_granted_items_masked_as_granted(world, gw, token):
    response = gw.call("GET", path(world), token, params={"GMSFHM": [ZHANG, OUYANG]})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == ["GMSFHM", "XM", "XBDM"]
    assert body["masked"] == ["GMSFHM", "XM"]
    assert body["rows"] == [
        {"GMSFHM": "370702********1234", "XM": "张*", "XBDM": "1"},
        {"GMSFHM": "370703********345X", "XM": "欧阳**", "XBDM": "2"},
    ]
    for secret in ("13812345678", "和平路", "1990-01-01", "张三", ZHANG):
        assert secret not in response.text


def test_query_by_post_json_and_by_the_resource_id_gives_the_same_rows(world, gw, token):
    by_get = gw.call("GET", path(world), token, params={"XM": "李四"})
    by_post = gw.call(
        "POST", f"/gw/resources/{world.resource.pk}/query", token, json={"XM": ["李四"]}
    )
    assert by_get.status_code == by_post.status_code == 200
    assert (
        by_get.json()["rows"]
        == by_post.json()["rows"]
        == [{"GMSFHM": "370702********2345", "XM": "李*", "XBDM": "2"}]
    )


def test_items_chooses_among_the_granted_items(world, gw, token):
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG, "items": "XBDM"})
    assert response.json()["rows"] == [{"XBDM": "1"}]


def test_asking_for_an_item_not_granted_is_403_naming_it(world, gw, token):
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG, "items": "XM,LXDH"})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "item_not_granted" and list(body["fields"]) == ["LXDH"]
    assert "LXDH" in body["message"] and "1381234" not in response.text


def test_the_grants_row_filter_hides_other_rows(world, gw):
    grant(world, ["GMSFHM", "XM"], row_filter={"XBDM": ["2"]})
    gw.refresh()
    token = gw.token(world)
    response = gw.call("GET", path(world), token, params={"GMSFHM": [ZHANG, LI, OUYANG]})
    assert [row["XM"] for row in response.json()["rows"]] == ["李*", "欧阳**"]


def test_limit_and_offset_page_through_rows(world, gw, token):
    people = [ZHANG, LI, OUYANG]
    page = gw.call("GET", path(world), token, params={"GMSFHM": people, "limit": 1, "offset": 1})
    assert page.json()["rows"] == [{"GMSFHM": "370702********2345", "XM": "李*", "XBDM": "2"}]
    too_many = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG, "limit": 101})
    assert too_many.status_code == 422 and list(too_many.json()["fields"]) == ["limit"]


@pytest.mark.parametrize(
    "params, status, code, field",
    [
        ({}, 422, "missing_key", "GMSFHM"),
        ({"GMSFHM": ZHANG, "color": "red"}, 422, "unknown_parameter", "color"),
        ({"XBDM": "1"}, 422, "unknown_parameter", "XBDM"),  # not a key item
        ({"GMSFHM": ZHANG, "items": "NOPE"}, 422, "invalid", "NOPE"),
        ({"GMSFHM": ZHANG, "offset": "-1"}, 422, "invalid", "offset"),
        ({"GMSFHM": ZHANG, "limit": "ten"}, 422, "invalid", "limit"),
        ({"GMSFHM": ZHANG, "limit": ["1", "2"]}, 422, "invalid", "limit"),
        ({"GMSFHM": "3" * 19}, 422, "invalid", "GMSFHM"),  # longer than the item
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(world, gw, token, params, status, code, field):
    response = gw.call("GET", path(world), token, params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == code and field in body["fields"], body


def test_an_unknown_resource_is_404(world, gw, token):
    for ref in ("999999", "no/such/code"):
        response = gw.call("GET", f"/gw/resources/{ref}/query", token, params={"GMSFHM": ZHANG})
        assert response.status_code == 404 and response.json()["code"] == "resource_not_found"


def test_an_unmounted_resource_is_404(world, gw, token):
    Mount.objects.filter(pk=world.mount.pk).update(status="failing")
    gw.refresh()
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "change, code",
    [
        ({"state": "suspended"}, "grant_suspended"),
        ({"state": "revoked"}, "grant_revoked"),
        ({"state": "expired"}, "grant_expired"),
        ({"valid_until": "2020-01-01"}, "grant_expired"),
        ({"valid_from": "2999-01-01"}, "grant_not_yet_valid"),
    ],
)
def test_a_grant_that_is_not_in_force_is_403(world, gw, change, code):
    state = change.pop("state", "active")
    grant(world, ["XM"], state=state, **change)
    gw.refresh()
    response = gw.call("GET", path(world), gw.token(world), params={"GMSFHM": ZHANG})
    assert response.status_code == 403 and response.json()["code"] == code


def test_no_grant_and_another_mode_are_403(world, gw):
    gw.refresh()
    token = gw.token(world)
    none = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG})
    assert none.status_code == 403 and none.json()["code"] == "no_grant"
    grant(world, ["XM"], mode="verify")
    gw.refresh()
    other = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG})
    assert other.status_code == 403 and other.json()["code"] == "mode_not_granted"


def test_a_body_over_64_kib_is_413(world, gw, token):
    response = gw.call("POST", path(world), token, content=b"{" + b" " * 70_000 + b"}")
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"


def test_messages_are_chinese_by_default_and_english_on_request(world, gw, token):
    chinese = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG, "items": "LXDH"})
    english = gw.call(
        "GET",
        path(world),
        token,
        params={"GMSFHM": ZHANG, "items": "LXDH"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    assert "未授权" in chinese.json()["message"]
    assert english.json()["message"].startswith("An item asked for is not granted")
    assert english.headers["content-language"] == "en"


# --- rate and quota -------------------------------------------------------------------------


def test_calls_over_the_rate_are_429_with_retry_after(world, gw):
    grant(world, ["GMSFHM", "XM"], rate_per_minute=2)
    gw.refresh()
    token = gw.token(world)
    answers = [gw.call("GET", path(world), token, params={"GMSFHM": ZHANG}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["retry-after"]) <= 60


def test_calls_over_the_daily_quota_are_429_until_tomorrow(world, gw):
    grant(world, ["GMSFHM", "XM"], daily_quota=1)
    gw.refresh()
    token = gw.token(world)
    answers = [gw.call("GET", path(world), token, params={"GMSFHM": ZHANG}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 429]
    assert answers[1].json()["code"] == "quota_exceeded"
    assert 1 <= int(answers[1].headers["retry-after"]) <= 86400


# --- verify ---------------------------------------------------------------------------------


def test_verify_answers_match_per_item_and_never_stored_values(world, gw):
    grant(world, ["GMSFHM", "XM", "CSRQ"], mode="verify")
    gw.refresh()
    token = gw.token(world)

    right = gw.call("POST", path(world, "verify"), token, json={"GMSFHM": ZHANG, "XM": "张三"})
    wrong = gw.call(
        "POST",
        path(world, "verify"),
        token,
        json={"GMSFHM": ZHANG, "XM": "张四", "CSRQ": "1990-01-01"},
    )
    nobody = gw.call(
        "POST", path(world, "verify"), token, json={"GMSFHM": "370702200001010000", "XM": "张三"}
    )

    assert right.json() == {"found": True, "match": True, "results": {"GMSFHM": True, "XM": True}}
    assert wrong.json() == {
        "found": True,
        "match": False,
        "results": {"GMSFHM": True, "XM": False, "CSRQ": True},
    }
    assert nobody.json() == {
        "found": False,
        "match": False,
        "results": {"GMSFHM": False, "XM": False},
    }
    for response in (right, wrong, nobody):
        assert "张三" not in response.text and "13812345678" not in response.text


def test_verify_refuses_items_not_granted_and_needs_a_key(world, gw):
    grant(world, ["GMSFHM", "XM"], mode="verify")
    gw.refresh()
    token = gw.token(world)
    refused = gw.call("POST", path(world, "verify"), token, json={"GMSFHM": ZHANG, "LXDH": "1"})
    assert refused.status_code == 403 and list(refused.json()["fields"]) == ["LXDH"]
    keyless = gw.call("POST", path(world, "verify"), token, json={"CSRQ": "1990-01-01"})
    assert keyless.status_code in (403, 422)
    nothing = gw.call("POST", path(world, "verify"), token, json={})
    assert nothing.status_code == 422 and nothing.json()["code"] == "missing_key"


def test_verify_answers_only_within_the_grants_rows(world, gw):
    # given a verify grant limited to women (XBDM 2); 张三 is a man
    grant(world, ["GMSFHM", "XM"], mode="verify", row_filter={"XBDM": ["2"]})
    gw.refresh()
    token = gw.token(world)

    outside = gw.call("POST", path(world, "verify"), token, json={"GMSFHM": ZHANG, "XM": "张三"})
    inside = gw.call("POST", path(world, "verify"), token, json={"GMSFHM": LI, "XM": "李四"})

    # then his row is no row for this grant; hers matches
    assert outside.json()["found"] is False
    assert inside.json() == {"found": True, "match": True, "results": {"GMSFHM": True, "XM": True}}


def test_a_key_item_not_granted_is_no_oracle(world, gw):
    # given grants on the ID number only: verify, and query
    grant(world, ["GMSFHM"], mode="verify")
    grant(world, ["XBDM"])
    gw.refresh()
    token = gw.token(world)

    # when a name (a key item, not granted) is compared, or looked up by
    compared = gw.call("POST", path(world, "verify"), token, json={"GMSFHM": ZHANG, "XM": "张三"})
    looked_up = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG, "XM": "张三"})

    # then both are refused naming it: a yes/no would tell what the name is
    for response in (compared, looked_up):
        assert response.status_code == 403 and "XM" in response.json()["fields"]


# --- proxy ----------------------------------------------------------------------------------


@pytest.fixture
def proxied(world, gw, upstream_url):
    """The resource also mounted on an upstream API; a proxy grant on XM and LXDH."""

    def mount(route: str = "/people", timeout_ms: int = 2000) -> str:
        api_mount(world.resource, upstream_url + route, timeout_ms)
        grant(world, ["XM", "LXDH"], mode="proxy")
        gw.refresh()
        return gw.token(world)

    return mount


def test_proxy_returns_the_upstream_records_filtered_to_granted_items_masked(world, gw, proxied):
    token = proxied()
    response = gw.call("GET", path(world, "proxy"), token, params={"GMSFHM": LI})
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [{"XM": "李*", "LXDH": "139****4321"}]
    assert "secret_field" not in response.text and "不应出现" not in response.text
    assert "xb" not in response.json()["rows"][0]


def test_an_upstream_error_is_502_and_a_timeout_504(world, gw, proxied, upstream_url):
    token = proxied("/boom")
    failed = gw.call("GET", path(world, "proxy"), token, params={"GMSFHM": LI})
    assert failed.status_code == 502 and failed.json()["code"] == "upstream_failure"
    assert "boom" not in failed.text and "Traceback" not in failed.text

    world.resource.mounts.get(kind="api").api_config.delete()
    api_mount(world.resource, upstream_url + "/slow", timeout_ms=200)
    gw.refresh()
    slow = gw.call("GET", path(world, "proxy"), token, params={"GMSFHM": LI})
    assert slow.status_code == 504 and slow.json()["code"] == "upstream_timeout"


# --- context headers, discovery, documents ------------------------------------------------


def test_request_id_end_user_and_case_number_are_echoed_and_logged(world, gw, token):
    headers = {
        "X-Request-Id": "req-20261122-0001",
        "X-End-User": "wang.jingban",  # non-ASCII: test_processes.py (TestClient cannot)
        "X-Case-Number": "BJ2026-000123",
    }
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG}, headers=headers)
    assert response.headers["x-request-id"] == "req-20261122-0001"
    assert response.headers["x-end-user"] == "wang.jingban"
    assert response.headers["x-case-number"] == "BJ2026-000123"
    record = DeliveryRecord.objects.get(request_id="req-20261122-0001")
    assert (record.end_user, record.case_number, record.status) == (
        "wang.jingban",
        "BJ2026-000123",
        200,
    )


def test_a_request_id_is_made_up_when_the_caller_gives_none(world, gw, token):
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG})
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-Request-Id", "has spaces and ; semicolons"),
        ("X-Request-Id", "r" * 65),
        ("X-End-User", "u" * 101),
        ("X-Case-Number", "c" * 101),
    ],
)
def test_bad_context_headers_are_422_naming_the_header(world, gw, token, header, value):
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG}, headers={header: value})
    assert response.status_code == 422 and header in response.json()["fields"]


def test_discovery_lists_what_the_application_may_call(world, gw, token):
    response = gw.call("GET", "/gw/resources", token)
    assert response.status_code == 200
    (entry,) = response.json()["resources"]
    assert entry["code"] == world.ref and entry["mode"] == "query" and entry["state"] == "active"
    assert [item["identifier"] for item in entry["items"]] == ["GMSFHM", "XM", "XBDM"]
    assert entry["items"][0]["masking"] == "id_number"
    assert entry["endpoint"] == f"/gw/resources/{world.ref}/query"


def test_the_openapi_document_names_only_granted_items(world, gw, token):
    response = gw.call("GET", f"/gw/resources/{world.ref}/openapi.json", token)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    row = document["components"]["schemas"]["Row"]["properties"]
    assert list(row) == ["GMSFHM", "XM", "XBDM"]
    assert row["GMSFHM"]["anyOf"][0]["x-masking"] == "id_number"
    assert f"/gw/resources/{world.ref}/query" in document["paths"]
    for hidden in ("LXDH", "ZZ", "CSRQ"):
        assert hidden not in response.text


def test_no_document_without_a_grant(world, gw):
    gw.refresh()
    response = gw.call("GET", f"/gw/resources/{world.ref}/openapi.json", gw.token(world))
    assert response.status_code == 403 and response.json()["code"] == "no_grant"


def test_health_needs_no_token_and_unknown_paths_are_json_404(gw):
    health = gw.client.get("/gw/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    unknown = gw.client.get("/gw/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    wrong_method = gw.client.delete("/gw/token")
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    # a data path with a method it does not take goes the same way (not the direct data path)
    wrong_method = gw.client.delete("/gw/resources/1/query")
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    assert gw.client.get("/gw/resources/1/verify").status_code == 405


def test_a_request_id_made_up_by_the_gateway_is_a_time_ordered_uuid():
    ids = [time_ordered_id() for _ in range(3)]
    assert all(uuid.UUID(made).version == 7 for made in ids) and len(set(ids)) == 3
    earlier = time_ordered_id()
    time.sleep(0.002)  # pacing: into the clock's next millisecond
    assert time_ordered_id()[:12] > earlier[:12]  # the leading 48 bits are the time in ms


def test_grants_kept_on_a_withdrawn_resource_go_on_serving(world, gw, token):
    # given the provider withdraws the resource and keeps the live grants until they expire
    officer = member(world.provider, Role.DATA_OFFICER)
    resource_withdraw(actor=officer, resource=world.resource, reason="并入新资源", grants="keep")
    gw.refresh()

    # then the grant still answers
    response = gw.call("GET", path(world), token, params={"GMSFHM": ZHANG})
    assert response.status_code == 200 and response.json()["rows"]


# --- a PostgreSQL source ----------------------------------------------------------------------


@pytest.fixture
def postgresql_person(world, gateway_sources):
    """The world's person table copied to the PostgreSQL server, and the mount pointed at it."""
    engine = sa.create_engine(PG_URL, poolclass=sa.pool.NullPool)
    try:
        engine.connect().close()
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL is not reachable")
    table = f"gs_person_{uuid.uuid4().hex[:10]}"
    source = sqlite3.connect(gateway_sources / "population.sqlite3")
    source.row_factory = sqlite3.Row
    rows = [dict(row) for row in source.execute("SELECT * FROM person")]
    source.close()
    with engine.begin() as db:
        db.execute(sa.text(
            f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, sfzh TEXT NOT NULL UNIQUE, xm TEXT, "
            "xb TEXT, csrq TEXT, lxdh TEXT, zz TEXT, qh TEXT)"
        ))  # fmt: skip
        db.execute(
            sa.text(f"INSERT INTO {table} VALUES (:id, :sfzh, :xm, :xb, :csrq, :lxdh, :zz, :qh)"),
            rows,
        )
    config = world.mount.table_config
    Connection.objects.filter(pk=config.connection_id).update(
        engine="postgresql", host="127.0.0.1", port=5432, database="test", username="postgres",
        updated=timezone.now(),
    )  # fmt: skip
    TableMount.objects.filter(pk=config.pk).update(table=table)
    try:
        yield table
    finally:
        clear_connectors()
        with engine.begin() as db:
            db.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def test_a_postgresql_source_is_read_on_the_event_loop_and_answers_the_same(
    world, gw, token, postgresql_person
):
    gw.refresh()
    answers = [
        gw.call("GET", path(world), token, params={"GMSFHM": ZHANG}) for _ in range(3)
    ]  # the first builds the connector (in a thread); the next ones read on the loop
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert answers[0].json()["rows"] == answers[2].json()["rows"]
    assert answers[2].json()["rows"][0]["XBDM"] == "1" and answers[2].json()["row_count"] == 1
    mount = Mount.objects.select_related("table_config__connection").get(pk=world.mount.pk)
    assert built_connector(mount).serves_from_loop
