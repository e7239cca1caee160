"""The API's shared plumbing: one error body for every failure, never a 500 for bad input,
the OpenAPI document, and docs that run from local static files under the site's CSP."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from govshare.core.web.api import input_field_name
from govshare.orgs.models import Department
from tests.api_client import API, api_client, assert_error_body, send

pytestmark = pytest.mark.django_db

HUGE = "长" * 5000
BIG = "9" * 30
# Every operation, as the OpenAPI document names it.
ENDPOINTS = [
    ("GET", "/regions"),
    ("GET", "/regions/{code}"),
    ("GET", "/departments"),
    ("GET", "/departments/{id}"),
    ("POST", "/departments"),
    ("PATCH", "/departments/{id}"),
    ("GET", "/departments/{id}/members"),
    ("GET", "/me"),
    ("GET", "/me/tokens"),
    ("POST", "/me/tokens"),
    ("DELETE", "/me/tokens/{id}"),
]

# (method, path, body): every endpoint fed malformed JSON, wrong types, huge strings, characters
# no database stores, non-numeric and overflowing ids, and out-of-range query parameters.
BAD_REQUESTS = [
    ("GET", "/regions?limit=abc", None),
    ("GET", "/regions?limit=0", None),
    ("GET", f"/regions?limit={BIG}", None),
    ("GET", "/regions?offset=-1", None),
    ("GET", f"/regions?offset={BIG}", None),
    ("GET", "/regions?level=galaxy", None),
    ("GET", f"/regions?parent={HUGE}", None),
    ("GET", "/regions?parent=%00", None),
    ("GET", f"/regions/{HUGE}", None),
    ("GET", "/regions/37%0000", None),
    ("GET", "/departments?is_active=maybe", None),
    ("GET", "/departments?kind=bogus", None),
    ("GET", f"/departments?q={HUGE}", None),
    ("GET", "/departments?q=%00", None),
    ("GET", f"/departments?region={HUGE}", None),
    ("GET", "/departments?limit=-5&offset=x", None),
    ("GET", "/departments/abc", None),
    ("GET", "/departments/0", None),
    ("GET", "/departments/-1", None),
    ("GET", f"/departments/{BIG}", None),
    ("GET", "/departments/1.5", None),
    ("GET", "/departments/abc/members", None),
    ("GET", f"/departments/{BIG}/members", None),
    ("GET", "/departments/{dept}/members?limit=1000", None),
    ("POST", "/departments", "{not json"),
    ("POST", "/departments", ""),
    ("POST", "/departments", "[]"),
    ("POST", "/departments", '"a string"'),
    ("POST", "/departments", "null"),
    ("POST", "/departments", {}),
    ("POST", "/departments", {"name": 123, "uscc": [], "region": {}, "kind": None}),
    ("POST", "/departments", {"name": HUGE, "uscc": HUGE, "region": HUGE, "kind": HUGE}),
    ("POST", "/departments", {"name": "a\x00b", "uscc": "x", "region": "370700", "kind": "x"}),
    ("POST", "/departments", '{"name": "\\ud800", "uscc": "x", "region": "370700", "kind": "x"}'),
    ("POST", "/departments", {"name": "n", "uscc": "u", "region": "370700", "kind": "k", "x": 1}),
    ("POST", "/departments", {"name": "n", "uscc": "u", "region": "r", "kind": "k", "parent": BIG}),
    ("POST", "/departments", {"name": "n", "uscc": "u", "region": "r", "kind": "k", "parent": "p"}),
    (
        "POST",
        "/departments",
        {"name": "n", "uscc": "u", "region": "r", "kind": "k", "is_active": 2},
    ),
    ("PATCH", "/departments/{dept}", "{bad"),
    ("PATCH", "/departments/{dept}", "[1, 2]"),
    ("PATCH", "/departments/{dept}", {"name": None}),
    ("PATCH", "/departments/{dept}", {"contact_email": HUGE}),
    ("PATCH", "/departments/{dept}", {"parent": -5}),
    ("PATCH", "/departments/{dept}", {"kind": "bogus"}),
    ("PATCH", "/departments/abc", {}),
    ("PATCH", f"/departments/{BIG}", {}),
    ("POST", "/me/tokens", "{bad"),
    ("POST", "/me/tokens", {}),
    ("POST", "/me/tokens", {"name": ""}),
    ("POST", "/me/tokens", {"name": "x" * 65}),
    ("POST", "/me/tokens", {"name": ["x"]}),
    ("POST", "/me/tokens", {"name": "t", "expires": "tomorrow"}),
    ("POST", "/me/tokens", {"name": "t", "expires": "2000-01-01T00:00:00Z"}),
    ("POST", "/me/tokens", {"name": "t", "expires": 10**30}),
    ("DELETE", "/me/tokens/abc", None),
    ("DELETE", f"/me/tokens/{BIG}", None),
    ("DELETE", "/me/tokens/424242", None),
    ("PUT", "/nowhere", {}),
    ("GET", "/regions/370700/nothing-here", None),
    ("PUT", "/departments/{dept}", {}),
    ("DELETE", "/departments", None),
    ("GET", "/", None),
    ("POST", "/departments", {"name": "大" * 3_000_000}),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
]


@pytest.fixture
def admin_api(admin_user, dept_a):
    return api_client(admin_user)


@pytest.mark.parametrize("method, path, body", BAD_REQUESTS)
def test_bad_input_is_a_4xx_with_the_error_body(admin_api, dept_a, method, path, body):
    # given an admin (who may call everything) and a malformed request
    url = API + path.replace("{dept}", str(dept_a.pk))

    # when it is sent
    response = send(admin_api, method, url, body)

    # then the answer is a 4xx with the one error body, never a 500
    assert_error_body(response)


def test_malformed_json_is_400_and_type_errors_name_the_fields(admin_api):
    malformed = send(admin_api, "POST", f"{API}/departments", "{not json")
    wrong_types = send(admin_api, "POST", f"{API}/departments", {"name": 1, "is_active": "x"})

    assert assert_error_body(malformed, 400)["code"] == "bad_request"
    fields = assert_error_body(wrong_types, 422)["fields"]
    assert {"name", "is_active", "uscc", "region", "kind"} <= set(fields)


def test_huge_strings_are_refused_before_the_database(admin_api):
    before = Department.objects.count()

    response = send(
        admin_api,
        "PATCH",
        f"{API}/departments/{Department.objects.first().pk}",
        {"address": "路" * 201},
    )

    assert list(assert_error_body(response, 422)["fields"]) == ["address"]
    assert Department.objects.count() == before


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_every_endpoint_needs_authentication(dept_a, method, path):
    url = API + path.replace("{code}", "370700").replace("{id}", str(dept_a.pk))

    response = send(Client(), method, url, {} if method in {"POST", "PATCH"} else None)

    assert assert_error_body(response, 401)["code"] == "not_authenticated"


def test_unknown_api_path_is_a_json_404_whatever_the_method():
    client = Client(enforce_csrf_checks=True)

    for method in ("GET", "POST", "DELETE"):
        body = assert_error_body(send(client, method, f"{API}/no/such/thing"), 404)
        assert body["code"] == "not_found"


def test_wrong_method_is_a_json_405_with_allow(admin_api, dept_a):
    response = send(admin_api, "PUT", f"{API}/departments/{dept_a.pk}", {})

    assert assert_error_body(response, 405)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}


def test_accept_language_chooses_the_message_language():
    english = Client().get(f"{API}/me", HTTP_ACCEPT_LANGUAGE="en")
    chinese = Client().get(f"{API}/me", HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert english["Content-Language"] == "en"
    assert english.json()["message"].startswith("Authentication is required")
    assert chinese["Content-Language"] == "zh-hans"


@pytest.mark.parametrize(
    "loc, field",
    [
        (["body", "payload", "name"], "name"),
        (["body", "payload", "contact", 0], "contact.0"),
        (["body", "payload"], "__all__"),
        (["query", "limit"], "limit"),
        (["path", "id"], "id"),
        ([], "__all__"),
    ],
)
def test_input_field_name(loc, field):
    assert input_field_name(loc) == field


# --- OpenAPI and docs -----------------------------------------------------------------------


def test_openapi_document_lists_the_orgs_and_identity_endpoints():
    response = Client().get(f"{API}/openapi.json")

    document = response.json()
    operations = {
        (method.upper(), path.removeprefix(API))
        for path, methods in document["paths"].items()
        for method in methods
    }
    assert set(ENDPOINTS) <= operations  # other packages add theirs
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


@pytest.fixture
def plain_static_storage(settings):
    # The manifest of hashed names exists only after collectstatic; the URLs are the point here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_docs_use_only_local_static_files_and_no_inline_script(plain_static_storage):
    # when the docs page is fetched
    response = Client().get(f"{API}/docs")
    html = response.content.decode()

    # then every script, style and icon is one of our static files that exists
    urls = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert urls and all(url.startswith("/static/") for url in urls), urls
    assert all(finders.find(url.removeprefix("/static/")) for url in urls), urls
    # and no script runs inline (CSP script-src 'self'): only src= scripts and a JSON data block
    for tag, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in tag or 'type="application/json"' in tag, tag
        assert "src=" not in tag or not body.strip()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "cdn" not in html.lower()
