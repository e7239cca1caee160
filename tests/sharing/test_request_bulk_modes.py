"""The request form offers 库表 (table exchange) where the resource's table is mounted and 文件
(file exchange) where a table or a file set is; a mode not available is refused on its field,
naming the rule; the provider's answer form says a table exchange's key item cannot be masked
or refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from govshare.sharing.models import ShareRequest
from govshare.sharing.services.requests import conformity_review, request_submit
from tests.api_client import api_client, assert_error_body, send
from tests.exchange.bulk_fixtures import mounted_resource
from tests.exchange.conftest import sources_dir, sqlite_source  # noqa: F401  (fixtures)
from tests.sharing.factories import application_of, draft_request, published_resource

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("sharing:request_create")


def form_post(application, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "application": application.pk,
        "items": ["GMSFHM", "XM", "XBDM"],
        "purpose": "administrative_basis",
        "purpose_detail": "社保经办系统前置库同步参保人身份信息",
        "basis": "《社会保险法》第五十八条",
        "scenario": "每日同步至前置库",
        "mode": "table",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=365)).isoformat(),
        "expected_daily_calls": "1",
        "then": "draft",
    }
    data.update(overrides)
    return data


def offered_modes(client, resource) -> list[str]:
    page = client.get(f"{CREATE_URL}?resource={resource.pk}")
    assert page.status_code == 200
    return [value for value, _label in page.context["form"].fields["mode"].choices]


def test_a_resource_without_mounts_offers_the_gateway_modes_only(
    client_for, officer_a, officer_b, reviewer, dept_a
):
    resource = published_resource(officer_a, reviewer, dept_a)
    assert offered_modes(client_for(officer_b), resource) == ["query", "verify", "proxy"]


def test_a_mounted_table_offers_table_and_file_exchange(
    client_for,
    officer_a,
    officer_b,
    reviewer,
    dept_a,
    sqlite_source,  # noqa: F811
):
    resource = mounted_resource(officer_a, reviewer, dept_a, sqlite_source)
    modes = offered_modes(client_for(officer_b), resource)
    assert modes == ["query", "verify", "proxy", "table", "file"]


def test_a_table_request_on_an_unmounted_resource_is_refused_on_the_mode(
    client_for, officer_a, officer_b, reviewer, dept_a, dept_b
):
    resource = published_resource(officer_a, reviewer, dept_a)
    response = client_for(officer_b).post(
        f"{CREATE_URL}?resource={resource.pk}", form_post(application_of(dept_b))
    )
    assert response.status_code == 400
    assert response.context["form"].errors["mode"]
    assert not ShareRequest.objects.exists()


def test_the_api_names_the_rule_of_an_unavailable_mode(
    officer_a, officer_b, reviewer, dept_a, dept_b
):
    resource = published_resource(officer_a, reviewer, dept_a)
    today = timezone.localdate()
    body = {
        "application_id": application_of(dept_b).pk,
        "resource_id": resource.pk,
        "items": ["GMSFHM"],
        "purpose": "administrative_basis",
        "purpose_detail": "同步",
        "basis": "依据",
        "scenario": "场景",
        "mode": "file",
        "period_start": today.isoformat(),
        "period_end": (today + dt.timedelta(days=30)).isoformat(),
        "expected_daily_calls": 1,
    }
    response = send(api_client(officer_b), "POST", "/api/v1/sharing/requests", body)
    error = assert_error_body(response, 409)
    assert "mode" in error["fields"] and "mounted" in error["fields"]["mode"][0]


def test_the_answer_form_says_the_key_item_cannot_be_masked_or_refused(
    client_for,
    officer_a,
    officer_b,
    reviewer,
    dept_a,
    dept_b,
    sqlite_source,  # noqa: F811
):
    # given a 库表 request waiting for the provider
    resource = mounted_resource(officer_a, reviewer, dept_a, sqlite_source)
    share_request = draft_request(officer_b, dept_b, resource, mode="table")
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")

    # when the provider opens it
    page = client_for(officer_a).get(reverse("sharing:request_detail", args=[share_request.pk]))

    # then the key item can only be granted, unmasked, and the form says why
    form = page.context["step_forms"]["answer"]
    assert [v for v, _ in form.fields["decision_GMSFHM"].choices] == ["grant"]
    assert [v for v, _ in form.fields["masking_GMSFHM"].choices] == ["none"]
    assert len(form.fields["decision_XM"].choices) == 2
    assert 'data-table-key="GMSFHM"' in page.content.decode()
