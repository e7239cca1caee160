"""REST endpoints of the delivery log: /deliveries (list, filters, paging), /deliveries/{seq},
/deliveries/stats — each restricted to the caller, each malformed input a 4xx error body."""

from __future__ import annotations

import pytest

from govshare.exchange.models import DeliveryRecord
from tests.api_client import api_client, assert_error_body
from tests.exchange.delivery_factories import at, delivery, log

pytestmark = pytest.mark.django_db

API = "/api/v1/exchange"


@pytest.fixture
def calls(dept_a, dept_b, dept_c) -> list[DeliveryRecord]:
    """seq 1–3: B calls A (200, 403, 502 on three days); 4: A calls B; 5: C calls C."""
    return log(
        delivery(dept_b, dept_a, created=at("2026-05-02"), end_user="张警官", case_number="C1"),
        delivery(dept_b, dept_a, created=at("2026-05-03"), status=403, error_code="no_grant"),
        delivery(
            dept_b, dept_a, created=at("2026-05-04"), status=502, error_code="upstream_failure"
        ),
        delivery(dept_a, dept_b, created=at("2026-05-04"), mode="verify"),
        delivery(dept_c, dept_c, created=at("2026-05-04")),
    )


def listed(client, **params) -> list[int]:
    response = client.get(f"{API}/deliveries", params)
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["count"] == len(body["items"]) or body["count"] > len(body["items"])
    return [item["seq"] for item in body["items"]]


def test_anonymous_gets_401(calls):
    for path in ("/deliveries", "/deliveries/1", "/deliveries/stats"):
        assert_error_body(api_client(None).get(f"{API}{path}"), 401)


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("officer_a", [4, 3, 2, 1]),
        ("staff_a", [4, 3, 2, 1]),
        ("officer_b", [4, 3, 2, 1]),
        ("officer_c", [5]),
        ("auditor", [5, 4, 3, 2, 1]),
        ("reviewer", []),
    ],
)
def test_list_is_restricted_to_the_caller(request, calls, user, visible):
    assert listed(api_client(request.getfixturevalue(user))) == visible


def test_side_narrows_to_my_calls_or_calls_on_my_data(officer_a, calls):
    client = api_client(officer_a)
    assert listed(client, side="provider") == [3, 2, 1]
    assert listed(client, side="consumer") == [4]


def test_filters_and_paging(auditor, dept_a, calls):
    client = api_client(auditor)
    assert listed(client, status_class="5xx") == [3]
    assert listed(client, mode="verify") == [4]
    assert listed(client, provider=dept_a.pk, date_from="2026-05-03") == [3, 2]
    assert listed(client, end_user="警官") == [1]
    assert listed(client, case_number="C1") == [1]
    assert listed(client, request_id=calls[3].request_id) == [4]
    page = client.get(f"{API}/deliveries", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5 and [item["seq"] for item in page["items"]] == [4, 3]


def test_a_record_carries_its_evidence(officer_b, calls):
    body = api_client(officer_b).get(f"{API}/deliveries/2").json()
    assert body["seq"] == 2
    assert body["prev_hash"] == calls[0].hash and body["hash"] == calls[1].hash
    assert body["body_digest"] == "a" * 64
    assert body["status"] == 403 and body["error_code"] == "no_grant"
    assert body["items"] == ["GMSFHM", "XM"]


@pytest.mark.parametrize("seq", ["5", "77", "0", "99999999999999999999999", "abc"])
def test_a_record_not_visible_or_malformed_is_a_4xx(officer_b, calls, seq):
    response = api_client(officer_b).get(f"{API}/deliveries/{seq}")
    assert_error_body(response, 404 if seq in {"5", "77"} else 422)


def test_stats(officer_a, dept_a, dept_b, calls):
    body = api_client(officer_a).get(f"{API}/deliveries/stats").json()
    assert body["totals"] == {"total": 4, "2xx": 2, "4xx": 1, "5xx": 1}
    assert body["per_day"]["x"] == ["2026-05-02", "2026-05-03", "2026-05-04"]
    series = {s["name"]: s["data"] for s in body["per_day"]["series"]}
    assert series == {"2xx": [1, 0, 1], "4xx": [0, 1, 0], "5xx": [0, 0, 1]}
    assert body["consumers"] == [
        {"id": dept_b.pk, "name": "人社局", "calls": 3},
        {"id": dept_a.pk, "name": "公安局", "calls": 1},
    ]
    assert body["resources"][0] == {"id": 100 + dept_a.pk, "name": "公安局数据", "calls": 3}
    assert body["errors"] == [
        {"code": "no_grant", "status": 403, "calls": 1},
        {"code": "upstream_failure", "status": 502, "calls": 1},
    ]


def test_stats_take_the_same_filters(officer_a, calls):
    body = api_client(officer_a).get(f"{API}/deliveries/stats", {"side": "consumer"}).json()
    assert body["totals"]["total"] == 1
    assert body["consumers"][0]["name"] == "公安局"


def test_stats_of_nothing(officer_c):
    body = api_client(officer_c).get(f"{API}/deliveries/stats").json()
    assert body["totals"] == {"total": 0, "2xx": 0, "4xx": 0, "5xx": 0}
    assert body["per_day"] == {"x": [], "series": [
        {"name": "2xx", "data": []},
        {"name": "4xx", "data": []},
        {"name": "5xx", "data": []},
    ]}  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "yesterday"},
        {"date_from": "0001-01-01"},
        {"date_from": "2026-05-04", "date_to": "2026-05-01"},
        {"consumer": "abc"},
        {"consumer": "99999999999999999999999"},
        {"resource": "0"},
        {"status_class": "7xx"},
        {"mode": "drop"},
        {"side": "all"},
        {"end_user": "x" * 101},
        {"case_number": "a\x00b"},
        {"limit": "100000"},
        {"offset": "-1"},
    ],
)
def test_malformed_filters_are_422(auditor, calls, params):
    client = api_client(auditor)
    assert_error_body(client.get(f"{API}/deliveries", params), 422)
    if "limit" not in params and "offset" not in params:
        assert_error_body(client.get(f"{API}/deliveries/stats", params), 422)


def test_the_log_is_read_only(auditor, calls):
    client = api_client(auditor)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/deliveries/1", content_type="application/json")
        assert response.status_code == 405
    assert DeliveryRecord.objects.count() == 5
