"""The gateway's edge (issue #11): whatever a caller sends — lone surrogates, control characters,
bytes that are not UTF-8, deeply nested or huge bodies, HEAD, a forged Host — the answer is a
JSON body with a code, it is in the delivery log, and the gateway goes on serving."""

from __future__ import annotations

import json

import pytest

from govshare.core.crypto import sm3_hex
from govshare.core.evidence import chain
from govshare.exchange.gateway import endpoints
from govshare.exchange.models import DeliveryRecord
from tests.exchange.gateway.factories import PEOPLE, api_mount, grant

ZHANG = PEOPLE[0][0]
JSON = {"Content-Type": "application/json", "Accept-Language": "en"}


@pytest.fixture
def token(world, gw):
    grant(world, ["GMSFHM", "XM"])
    grant(world, ["GMSFHM", "XM"], mode="verify")
    gw.refresh()
    return gw.token(world)


def send(gw, method, path, token=None, body=b"", request_id="edge", **headers):
    """A call with a raw body (JSON escapes such as \\ud800 stay as the caller wrote them),
    answered in English."""
    all_headers = {**JSON, "X-Request-Id": request_id, **headers}
    return gw.call(method, path, token, content=body, headers=all_headers)


def recorded(answer, request_id="edge"):
    """The call's one delivery record, checked against the answer that left."""
    (record,) = DeliveryRecord.objects.filter(request_id=request_id)
    assert record.status == answer.status_code
    assert record.body_digest == sm3_hex(answer.content)
    return record


def still_serving(gw, world, token):
    answer = gw.call("GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG})
    assert answer.status_code == 200, answer.text
    assert gw.client.get("/gw/health").json()["delivery_log"] == "ok"
    assert chain.verify_chain(DeliveryRecord).is_intact


# --- item 1: a lone surrogate ---------------------------------------------------------------


@pytest.mark.parametrize("surrogate", ["\\ud800", "\\udfff"])
def test_a_lone_surrogate_as_app_key_is_refused_recorded_escaped_and_stops_nothing(
    world, gw, token, surrogate
):
    # when a caller without credentials sends a lone surrogate (as a JSON escape) as its key
    body = f'{{"app_key":"{surrogate}","app_secret":"x"}}'.encode()
    answer = send(gw, "POST", "/gw/token", body=body)

    # then it is refused naming the field and the rule, and recorded with the key escaped
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid"
    rule = "Contains control characters or unpaired surrogates."
    assert answer.json()["fields"] == {"app_key": rule}
    assert recorded(answer).app_key == surrogate  # the six characters \ud800, escaped
    # and the gateway goes on serving, its log writable and its chain whole
    still_serving(gw, world, token)


def test_a_control_character_in_a_context_header_is_refused_and_recorded_escaped(world, gw, token):
    # (bytes that are not UTF-8 reach a real server only: test_fuzz.py sends them there)
    forged = "王\x01\\".encode()
    answer = gw.call("GET", f"/gw/resources/{world.ref}/query", token,
                     params={"GMSFHM": ZHANG},
                     headers={"X-Request-Id": "edge", "X-End-User": forged})  # fmt: skip

    assert answer.status_code == 422 and "X-End-User" in answer.json()["fields"]
    assert "x-end-user" not in answer.headers  # a refused value is not echoed
    assert recorded(answer).end_user == "王\\x01\\\\"
    still_serving(gw, world, token)


def test_an_over_long_context_header_is_recorded_cut_to_its_column(world, gw, token):
    answer = gw.call("GET", f"/gw/resources/{world.ref}/query", token,
                     params={"GMSFHM": ZHANG},
                     headers={"X-Request-Id": "edge", "X-Case-Number": "c" * 150})  # fmt: skip
    assert answer.status_code == 422 and "X-Case-Number" in answer.json()["fields"]
    assert recorded(answer).case_number == "c" * 100


# --- item 2: answers that were 500s without a record ----------------------------------------


def test_the_calls_that_answered_500_are_refusals_with_a_record(world, gw, token):
    query = f"/gw/resources/{world.ref}/query"
    calls = [
        ("/gw/token", b'{"\\ud800":"x","app_secret":"x"}', "\\ud800"),
        (query, f'{{"GMSFHM":"{ZHANG}","items":"\\ud800"}}'.encode(), "items"),
        (query, b'{"\\udc80":"1"}', "\\udc80"),
    ]
    for n, (path, body, field) in enumerate(calls):
        answer = send(gw, "POST", path, token, body, request_id=f"e{n}")

        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert field in answer.json()["fields"]  # a name the caller sent, escaped
        recorded(answer, f"e{n}")
    still_serving(gw, world, token)


def test_an_unexpected_fault_is_a_json_500_with_its_record(world, gw, token, monkeypatch):
    real_begin = endpoints.begin

    def failing_begin(request, mode):
        raise RuntimeError("a bug before the call began")

    # given a fault outside any handler's own error handling, on a data path and on another
    monkeypatch.setattr(endpoints, "begin", failing_begin)
    answers = [
        gw.call("GET", f"/gw/resources/{world.ref}/query", token, params={"GMSFHM": ZHANG}),
        send(gw, "POST", "/gw/token", body=b"{}"),
    ]
    monkeypatch.setattr(endpoints, "begin", real_begin)

    # then each answer is the error body, with a request id that finds its record
    for answer in answers:
        assert answer.status_code == 500
        assert answer.json()["code"] == "internal_error"
        record = recorded(answer, answer.headers["x-request-id"])
        assert record.error_code == "internal_error"
    still_serving(gw, world, token)


# --- item 3: nested and huge bodies ---------------------------------------------------------


@pytest.mark.parametrize("levels", [10_000, 30_000])
@pytest.mark.parametrize("endpoint", ["token", "query", "verify", "proxy"])
def test_a_deeply_nested_body_is_a_422_naming_the_depth_rule(
    world, gw, token, upstream_url, endpoint, levels
):
    path = "/gw/token" if endpoint == "token" else f"/gw/resources/{world.ref}/{endpoint}"
    if endpoint == "proxy":  # the resource mounted on an upstream API too, and granted
        api_mount(world.resource, upstream_url + "/people")
        grant(world, ["XM"], mode="proxy")
        gw.refresh()
    body = b'{"GMSFHM":' + b"[" * levels + b"]" * levels + b"}"

    answer = send(gw, "POST", path, token, body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["fields"] == {"body": "Nested too deeply (at most 8 levels)."}
    recorded(answer)


def test_a_body_over_the_limit_is_a_413(world, gw, token):
    body = json.dumps({"GMSFHM": ["1" * 200] * 400}).encode()  # 80 kB > 64 kB

    answer = send(gw, "POST", f"/gw/resources/{world.ref}/query", token, body)

    assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"
    recorded(answer)


# --- item 6: HEAD, Host ---------------------------------------------------------------------


def test_head_on_a_data_endpoint_is_a_recorded_405_that_spends_no_quota(world, gw):
    grant(world, ["GMSFHM", "XM"], daily_quota=1)
    gw.refresh()
    token = gw.token(world)
    query = f"/gw/resources/{world.ref}/query"
    heads = [
        (f"{query}?GMSFHM={ZHANG}", "h0"),
        (f"{query.replace('query', 'proxy')}?GMSFHM={ZHANG}", "h1"),
        ("/gw/resources", "h2"),
        (f"/gw/resources/{world.ref}/openapi.json", "h3"),
    ]
    for path, request_id in heads:
        answer = gw.call("HEAD", path, token, headers={"X-Request-Id": request_id})
        assert answer.status_code == 405, path
        assert "HEAD" not in answer.headers["allow"] and "GET" in answer.headers["allow"]
        record = DeliveryRecord.objects.get(request_id=request_id)
        assert (record.status, record.error_code, record.items) == (405, "method_not_allowed", [])

    # the day's one call is still there: HEAD looked nothing up
    served = gw.call("GET", query, token, params={"GMSFHM": ZHANG})
    assert served.status_code == 200, served.text
    assert gw.client.head("/gw/health").status_code == 200


def test_the_openapi_document_names_the_configured_address_not_the_host_header(
    world, gw, token, settings
):
    settings.GOVSHARE_PUBLIC_URL = "https://gateway.example.gov.cn"

    answer = gw.call("GET", f"/gw/resources/{world.ref}/openapi.json", token,
                     headers={"Host": "evil.example.com"})  # fmt: skip

    assert answer.status_code == 200
    assert answer.json()["servers"] == [{"url": "https://gateway.example.gov.cn"}]
    assert "evil" not in answer.text


def test_a_trailing_slash_is_a_recorded_404_not_a_redirect(gw):
    answer = send(gw, "POST", "/gw/token/", body=b"{}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    recorded(answer)


# --- behind a reverse proxy: the client, not the proxy ----------------------------------------


def test_behind_a_trusted_proxy_the_record_names_the_client_it_forwards_for(
    world, gw, token, settings
):
    # given the test client's address is a trusted proxy
    settings.GOVSHARE_TRUSTED_PROXIES = ["127.0.0.1"]

    # when a call arrives through it for the client 10.1.2.3
    answer = send(gw, "GET", "/gw/resources", token, **{"X-Forwarded-For": "10.1.2.3"})

    # then the delivery record names the client
    assert recorded(answer).client_ip == "10.1.2.3"


def test_a_forwarded_address_from_an_untrusted_peer_is_ignored(world, gw, token, settings):
    # given no trusted proxy
    settings.GOVSHARE_TRUSTED_PROXIES = []

    # when a caller claims to forward for another address
    answer = send(gw, "GET", "/gw/resources", token, **{"X-Forwarded-For": "10.1.2.3"})

    # then the record keeps the connection's peer
    assert recorded(answer).client_ip == "127.0.0.1"
