"""Reference data and figures over the API: the classification tree (the DCAT export's theme IRIs
resolve to it) and the catalog indicators."""

from __future__ import annotations

import json

import pytest

from govshare.catalog.services import resource_create, resource_review, resource_submit
from tests.api_client import API, api_client, assert_error_body, send
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db


def test_a_class_names_its_parent_and_children(officer_a):
    body = send(api_client(officer_a), "GET", f"{API}/catalog/categories/101").json()

    assert body["code"] == "101" and body["level"] == 2
    assert body["parent"] == "1"
    assert "101001" in body["children"]


def test_the_tree_lists_every_class(officer_a):
    codes = [
        c["code"] for c in send(api_client(officer_a), "GET", f"{API}/catalog/categories").json()
    ]
    assert codes[:2] == ["1", "101"]


@pytest.mark.parametrize("code", ["999", "abc", "1" * 40, "1'--"])
def test_unknown_or_malformed_codes_are_4xx(officer_a, code):
    assert_error_body(send(api_client(officer_a), "GET", f"{API}/catalog/categories/{code}"))


def test_dcat_theme_iris_resolve(officer_a, dept_a, reviewer):
    resource = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )
    resource_submit(actor=officer_a, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    response = send(api_client(officer_a), "GET", f"{API}/catalog/dcat.jsonld")
    document = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )

    theme = document["dcat:dataset"][0]["dcat:theme"]["@id"]
    path = theme.split("://", 1)[1].split("/", 1)[1]
    assert send(api_client(officer_a), "GET", f"/{path}").status_code == 200


def test_the_indicators_are_served_with_their_formulas(officer_a, dept_a, reviewer):
    resource = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(), items=items_data()
    )
    resource_submit(actor=officer_a, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)

    body = send(api_client(officer_a), "GET", f"{API}/catalog/indicators").json()

    totals = {item["key"]: item for item in body["totals"]}
    assert totals["catalogued"]["numerator"] == 1
    assert totals["mount"]["formula"]
    assert [group["name"] for group in body["departments"]] == [dept_a.name]


@pytest.mark.parametrize("month", ["2026-13", "abcd-ef", "2999-01", "1" * 30])
def test_a_bad_month_is_4xx(officer_a, month):
    response = send(api_client(officer_a), "GET", f"{API}/catalog/indicators?month={month}")
    assert_error_body(response)


def test_a_pattern_error_is_explained_in_the_users_language(officer_a):
    response = send(api_client(officer_a), "GET", f"{API}/catalog/export.csv?category=1'--")
    error = assert_error_body(response, 422)
    assert error["fields"]["category"] and "String should match" not in str(error)
