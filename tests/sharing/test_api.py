"""The sharing REST API (/api/v1/sharing/): the request path end to end, the permission matrix,
credentials shown once, and malformed input answered with 4xx and the error body."""

from __future__ import annotations

import datetime as dt

import pytest

from govshare.core.crypto import sm3_hex
from govshare.sharing.models import AppCredential, ShareRequest
from tests.api_client import API, api_client, assert_error_body, send
from tests.sharing.factories import application_of, draft_request, published_resource

pytestmark = pytest.mark.django_db

BASE = f"{API}/sharing"


@pytest.fixture
def resource(officer_a, reviewer, dept_a):
    return published_resource(officer_a, reviewer, dept_a)


def body(application, resource, **overrides):
    today = dt.date.today()
    return {
        "application_id": application.pk,
        "resource_id": resource.pk,
        "items": ["GMSFHM", "XM", "XBDM"],
        "purpose": "data_check",
        "purpose_detail": "核验参保人身份",
        "basis": "《社会保险法》",
        "scenario": "窗口受理",
        "mode": "query",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=100)).isoformat(),
        "expected_daily_calls": 100,
        **overrides,
    }


def test_the_whole_path_through_the_api(officer_a, officer_b, reviewer, dept_b, resource):
    consumer, provider, authority = (api_client(u) for u in (officer_b, officer_a, reviewer))
    created = send(consumer, "POST", f"{BASE}/requests", body(application_of(dept_b), resource))
    assert created.status_code == 201, created.content
    pk = created.json()["id"]

    assert send(consumer, "POST", f"{BASE}/requests/{pk}/submit", {}).status_code == 200
    passed = send(authority, "POST", f"{BASE}/requests/{pk}/conformity", {"outcome": "pass"})
    assert passed.json()["state"] == "provider_review"
    assert passed.json()["clock"]["party"] == "provider"

    answered = send(
        provider,
        "POST",
        f"{BASE}/requests/{pk}/answer",
        {
            "answers": {
                "GMSFHM": {"grant": True, "masking": "id_number"},
                "XM": {"grant": False, "reason": "不在范围"},
            },
            "terms": {"daily_quota": 200},
        },
    )

    assert answered.status_code == 200, answered.content
    assert answered.json()["state"] == "active"
    grants = send(consumer, "GET", f"{BASE}/grants").json()["items"]
    assert [(g["daily_quota"], [i["identifier"] for i in g["items"]]) for g in grants] == [
        (200, ["GMSFHM", "XBDM"])
    ]


def test_a_provider_does_not_see_a_consumers_draft(officer_a, officer_b, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)

    response = send(api_client(officer_a), "GET", f"{BASE}/requests/{share_request.pk}")

    assert_error_body(response, 404)


@pytest.mark.parametrize("who", ["officer_a", "staff_a", "reviewer", "auditor"])
def test_only_the_consumers_officer_submits(who, request, officer_b, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)
    user = request.getfixturevalue(who)

    response = send(api_client(user), "POST", f"{BASE}/requests/{share_request.pk}/submit", {})

    assert response.status_code in (403, 404)
    share_request.refresh_from_db()
    assert share_request.state == "draft"


def test_service_errors_name_the_fields(officer_b, dept_b, resource):
    response = send(
        api_client(officer_b),
        "POST",
        f"{BASE}/requests",
        body(application_of(dept_b), resource, items=[], purpose_detail=""),
    )
    error = assert_error_body(response, 422)
    assert {"items", "purpose_detail"} <= set(error["fields"])
    assert not ShareRequest.objects.exists()


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"application_id": 0}, "application_id"),
        ({"application_id": "x"}, "application_id"),
        ({"period_start": "2026-13-40"}, "period_start"),
        ({"expected_daily_calls": -5}, "expected_daily_calls"),
        ({"items": "GMSFHM"}, "items"),
        ({"purpose": "长" * 100}, "purpose"),
        ({"basis": "a\x00b"}, "basis"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_malformed_requests_are_4xx_naming_the_field(officer_b, dept_b, resource, override, field):
    response = send(
        api_client(officer_b),
        "POST",
        f"{BASE}/requests",
        body(application_of(dept_b), resource, **override),
    )
    error = assert_error_body(response, 422)
    assert field in error["fields"]


def test_a_bad_json_body_is_400(officer_b):
    assert_error_body(send(api_client(officer_b), "POST", f"{BASE}/requests", "{nope"), 400)


def test_a_credential_secret_is_shown_once(officer_b, dept_b):
    client = api_client(officer_b)
    application = application_of(dept_b)

    issued = send(
        client, "POST", f"{BASE}/credentials", {"application_id": application.pk, "name": "社保"}
    )

    assert issued.status_code == 201, issued.content
    secret = issued.json()["secret"]
    credential = AppCredential.objects.get(app_key=issued.json()["app_key"])
    assert credential.secret_hash == sm3_hex(secret)
    listed = send(client, "GET", f"{BASE}/credentials").json()["items"]
    assert "secret" not in listed[0]
    rotated = send(client, "POST", f"{BASE}/credentials/{credential.pk}/rotate", {}).json()
    assert rotated["generation"] == 2 and rotated["secret"] != secret


def test_a_credential_for_another_departments_application_is_refused(officer_a, dept_b):
    response = send(
        api_client(officer_a),
        "POST",
        f"{BASE}/credentials",
        {"application_id": application_of(dept_b).pk, "name": "x"},
    )
    assert response.status_code in (403, 404)  # not visible to the caller: as if missing
    assert not AppCredential.objects.exists()


def test_answer_bodies_are_validated(officer_a, officer_b, reviewer, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)
    send(api_client(officer_b), "POST", f"{BASE}/requests/{share_request.pk}/submit", {})
    send(
        api_client(reviewer),
        "POST",
        f"{BASE}/requests/{share_request.pk}/conformity",
        {"outcome": "pass"},
    )
    provider = api_client(officer_a)
    path = f"{BASE}/requests/{share_request.pk}/answer"

    assert_error_body(send(provider, "POST", path, {"answers": {"XM": {"grant": "maybe"}}}), 422)
    missing = assert_error_body(send(provider, "POST", path, {"answers": {}}), 422)
    assert {"items.GMSFHM", "items.XM"} <= set(missing["fields"])


def test_the_indicators_count_answers_on_time(officer_a, officer_b, reviewer, dept_b, resource):
    from govshare.sharing.services.requests import (
        ItemAnswer,
        conformity_review,
        provider_decide,
        request_submit,
    )

    share_request = draft_request(officer_b, dept_b, resource)
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    provider_decide(
        actor=officer_a,
        share_request=share_request,
        answers={"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)},
    )

    body = send(api_client(reviewer), "GET", f"{BASE}/indicators").json()

    figures = {item["key"]: item for item in body["indicators"]}
    assert figures["submitted"]["value"] == 1
    assert (figures["on_time"]["numerator"], figures["on_time"]["denominator"]) == (1, 1)
    assert figures["live_grants"]["value"] == 1
    assert_error_body(send(api_client(reviewer), "GET", f"{BASE}/indicators?month=2026-99"))


def test_a_period_past_the_longest_allowed_is_422_naming_the_limit(officer_b, dept_b, resource):
    # given a request whose period ends 2999-12-31 (the last day the API's dates take)
    late = body(application_of(dept_b), resource, period_end="2999-12-31")

    # when it is sent in Chinese
    response = api_client(officer_b).post(
        f"{BASE}/requests", late, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # then it is refused on period_end, saying the 36 months and the last allowed day
    error = assert_error_body(response, 422)
    assert list(error["fields"]) == ["period_end"]
    assert "36" in error["fields"]["period_end"][0]
