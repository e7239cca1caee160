"""The catalog REST API (/api/v1/catalog/): resources through the services with the permission
matrix, versions restricted to the caller, exports, and every malformed input a 4xx."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from govshare.catalog.models import Resource, ResourceEvent, ResourceVersion
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
)
from govshare.core.models import AuditEvent
from tests.api_client import API, api_client, assert_error_body, send
from tests.catalog.factories import items_data, resource_data
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

BASE = f"{API}/catalog"
HUGE = "长" * 20_000


RESOURCE_BODY = {
    "category": "101001",
    "name": "户籍人口基本信息",
    "summary": "本市户籍人口的身份、户籍和住址等基本信息",
    "format_class": "database",
    "format_type": "PostgreSQL",
    "share_type": "conditional",
    "share_condition": "用于行政审批和公共服务的身份核验",
    "share_mode_class": "platform",
    "share_mode_type": "api",
    "update_cycle": "daily",
    "keywords": "人口 户籍 身份",
}
ITEMS_BODY = [
    {"name": "公民身份号码", "identifier": "GMSFHM", "data_type": "C", "length": 18,
     "share_type": "conditional", "grade": "important", "is_personal": True,
     "masking": "id_number", "element": "GMSFHM"},
    {"name": "姓名", "identifier": "XM", "data_type": "C", "length": 50,
     "share_type": "conditional", "grade": "general_3", "is_personal": True, "masking": "name"},
    {"name": "性别", "identifier": "XBDM", "data_type": "C", "length": 1,
     "share_type": "conditional", "grade": "general_1"},
]  # fmt: skip


def body_of(**overrides: Any) -> dict[str, Any]:
    """A new draft as JSON (tests/catalog/factories.py's data): the classification as a code,
    elements as identifiers."""
    return {**RESOURCE_BODY, "items": [dict(item) for item in ITEMS_BODY], **overrides}


def user_named(request: pytest.FixtureRequest, who: str | None) -> Any:
    return None if who is None else request.getfixturevalue(who)


def draft(officer, provider, **overrides) -> Resource:
    return resource_create(
        actor=officer, provider=provider, data=resource_data(**overrides), items=items_data()
    )


def published(officer, reviewer, provider, **overrides) -> Resource:
    resource = draft(officer, provider, **overrides)
    resource_submit(actor=officer, resource=resource)
    return resource_review(actor=reviewer, resource=resource, approve=True)


def state(resource: Resource) -> tuple[Any, ...]:
    """What a refused call must leave as it was."""
    resource.refresh_from_db()
    versions = list(resource.versions.values_list("number", "status", "summary", "share_type"))
    return (resource.status, resource.code, resource.withdrawn_reason, versions,
            ResourceEvent.objects.count(), catalog_audits())  # fmt: skip


def catalog_audits() -> int:
    return AuditEvent.objects.filter(action__startswith="catalog.").count()


# --- create ---------------------------------------------------------------------------------


def test_a_data_officer_drafts_a_resource_for_their_department(officer_a, dept_a):
    # when the officer posts a draft without naming the provider
    response = send(api_client(officer_a), "POST", f"{BASE}/resources", body_of())

    # then it is drafted for their department, with items and the element linked
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["provider_id"], body["code"]) == ("draft", dept_a.pk, None)
    version = body["version"]
    assert (version["number"], version["category"], version["category_name"]) == (
        1,
        "101001",
        "户籍人口",
    )
    assert [i["identifier"] for i in version["items"]] == ["GMSFHM", "XM", "XBDM"]
    assert version["items"][0]["element"] == "GMSFHM" and version["grade"] == "important"
    assert body["version_being_edited"] == 1 and body["version_in_force"] is None


def test_an_admin_names_the_provider_and_the_source_systems(admin_user, dept_a):
    system = SystemFactory(department=dept_a)
    body = body_of(provider_id=dept_a.pk, source_systems=[system.pk])
    response = send(api_client(admin_user), "POST", f"{BASE}/resources", body)
    assert response.status_code == 201, response.content
    assert response.json()["version"]["source_systems"] == [system.pk]


@pytest.mark.parametrize(
    "who, status",
    [(None, 401), ("officer_b", 403), ("staff_a", 403), ("reviewer", 403), ("auditor", 403)],
)
def test_only_the_providers_data_officer_drafts(request, dept_a, who, status):
    body = body_of(provider_id=dept_a.pk)
    response = send(api_client(user_named(request, who)), "POST", f"{BASE}/resources", body)
    assert_error_body(response, status)
    assert (
        not Resource.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="catalog.").exists()
    )


def test_the_rules_come_back_on_their_fields_with_items_counted_from_zero(officer_a):
    body = body_of(share_condition="")
    body["items"][1]["share_type"] = "unconditional"  # looser than the resource

    response = send(api_client(officer_a), "POST", f"{BASE}/resources", body)

    error = assert_error_body(response, 422)
    assert set(error["fields"]) == {"share_condition", "items.1.share_type"}
    assert error["code"] == "condition_required" and not Resource.objects.exists()


def test_a_name_the_provider_already_uses_is_a_conflict(officer_a, dept_a):
    draft(officer_a, dept_a)
    response = send(api_client(officer_a), "POST", f"{BASE}/resources", body_of())
    assert assert_error_body(response, 409)["fields"].keys() == {"name"}
    assert Resource.objects.count() == 1


# --- read -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("officer_a", 200),
        ("staff_a", 200),
        ("reviewer", 200),
        ("auditor", 200),
        ("officer_b", 404),
        (None, 401),
    ],
)
def test_a_draft_is_read_by_its_provider_and_the_authority_only(
    request, officer_a, dept_a, who, status
):
    resource = draft(officer_a, dept_a)
    response = api_client(user_named(request, who)).get(f"{BASE}/resources/{resource.pk}")
    if status == 200:
        assert response.status_code == 200 and response.json()["name"] == resource.name
    else:
        assert_error_body(response, status)


@pytest.fixture
def changing(officer_a, reviewer, dept_a):
    """A published resource (v1) with a change in progress (v2, new summary)."""
    resource = published(officer_a, reviewer, dept_a)
    resource_start_change(actor=officer_a, resource=resource)
    version = resource.working_version
    version.summary = "变更中的摘要"
    version.save()
    return resource


def test_others_see_the_version_in_force_and_its_history_but_not_the_change(officer_b, changing):
    client = api_client(officer_b)
    body = client.get(f"{BASE}/resources/{changing.pk}").json()
    assert body["version"]["number"] == 1 and body["version_being_edited"] == 2
    versions = client.get(f"{BASE}/resources/{changing.pk}/versions").json()
    assert [v["number"] for v in versions["items"]] == [1]
    assert_error_body(client.get(f"{BASE}/resources/{changing.pk}/versions/2"), 404)


def test_the_provider_reads_every_version_with_its_items(officer_a, changing):
    client = api_client(officer_a)
    versions = client.get(f"{BASE}/resources/{changing.pk}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1] and versions["count"] == 2
    second = client.get(f"{BASE}/resources/{changing.pk}/versions/2").json()
    assert second["summary"] == "变更中的摘要" and len(second["items"]) == 3


# --- edit -----------------------------------------------------------------------------------


def test_a_patch_changes_the_named_fields_and_keeps_the_rest(officer_a, dept_a):
    resource = draft(officer_a, dept_a)
    system = SystemFactory(department=dept_a)
    resource.working_version.source_systems.add(system)

    response = send(
        api_client(officer_a),
        "PATCH",
        f"{BASE}/resources/{resource.pk}",
        {"summary": "新的摘要", "update_cycle": "weekly"},
    )

    assert response.status_code == 200, response.content
    version = response.json()["version"]
    assert (version["summary"], version["update_cycle"]) == ("新的摘要", "weekly")
    assert version["share_condition"] == resource_data()["share_condition"]
    assert [i["identifier"] for i in version["items"]] == ["GMSFHM", "XM", "XBDM"]
    assert version["items"][0]["element"] == "GMSFHM" and version["source_systems"] == [system.pk]


def test_a_patch_with_items_replaces_them(officer_a, dept_a):
    resource = draft(officer_a, dept_a)
    items = body_of()["items"][:1]
    response = send(
        api_client(officer_a), "PATCH", f"{BASE}/resources/{resource.pk}", {"items": items}
    )
    assert [i["identifier"] for i in response.json()["version"]["items"]] == ["GMSFHM"]


@pytest.mark.parametrize(
    "who, status", [(None, 401), ("officer_b", 404), ("staff_a", 403), ("reviewer", 403)]
)
def test_only_the_providers_officer_edits_a_draft(request, officer_a, dept_a, who, status):
    resource = draft(officer_a, dept_a)
    before = state(resource)
    response = send(
        api_client(user_named(request, who)),
        "PATCH",
        f"{BASE}/resources/{resource.pk}",
        {"summary": "篡改"},
    )
    assert_error_body(response, status)
    assert state(resource) == before


def test_a_published_resource_is_edited_only_through_a_change(
    officer_a, officer_b, reviewer, dept_a
):
    resource = published(officer_a, reviewer, dept_a)
    before = state(resource)
    path = f"{BASE}/resources/{resource.pk}"
    assert_error_body(send(api_client(officer_b), "PATCH", path, {"summary": "x"}), 403)
    assert_error_body(send(api_client(officer_a), "PATCH", path, {"summary": "x"}), 409)
    assert state(resource) == before


# --- lifecycle ------------------------------------------------------------------------------


def test_the_lifecycle_end_to_end(officer_a, reviewer):
    officer, authority = api_client(officer_a), api_client(reviewer)
    created = send(officer, "POST", f"{BASE}/resources", body_of()).json()
    path = f"{BASE}/resources/{created['id']}"

    assert (
        send(officer, "POST", f"{path}/submit", {"note": "请审核"}).json()["status"] == "submitted"
    )
    returned = send(authority, "POST", f"{path}/review", {"approve": False, "note": "摘要过简"})
    assert returned.json()["status"] == "draft"
    send(officer, "PATCH", path, {"summary": "本市户籍人口的身份、户籍、住址和变动信息"})
    send(officer, "POST", f"{path}/submit", {})
    approved = send(authority, "POST", f"{path}/review", {"approve": True}).json()
    assert approved["status"] == "published" and approved["code"]
    assert approved["version_in_force"] == 1

    change = send(officer, "POST", f"{path}/change", {"note": "调整更新周期"})
    assert change.status_code == 200 and change.json()["version_being_edited"] == 2
    assert_error_body(send(officer, "POST", f"{path}/change", {}), 409)

    withdrawn = send(officer, "POST", f"{path}/withdraw", {"reason": "职能调整"})
    assert withdrawn.json()["status"] == "withdrawn"
    actions = list(ResourceEvent.objects.values_list("action", flat=True))
    assert actions == ["create", "submit", "return", "submit", "approve", "change", "withdraw"]


@pytest.mark.parametrize(
    "action, body, who, status",
    [
        ("submit", {}, None, 401),
        ("submit", {}, "staff_a", 403),
        ("submit", {}, "reviewer", 403),
        ("submit", {}, "officer_b", 404),
        ("review", {"approve": True}, "officer_a", 403),
        ("review", {"approve": True}, "staff_a", 403),
        ("review", {"approve": True}, "officer_b", 404),
        ("withdraw", {"reason": "不再提供"}, "staff_a", 403),
        ("withdraw", {"reason": "不再提供"}, "officer_b", 404),
        ("withdraw", {"reason": "不再提供"}, "reviewer", 403),
    ],
)
def test_lifecycle_steps_are_refused_to_the_wrong_roles(
    request, officer_a, dept_a, action, body, who, status
):
    resource = draft(officer_a, dept_a)
    if action == "review":
        resource_submit(actor=officer_a, resource=resource)
    before = state(resource)
    response = send(
        api_client(user_named(request, who)),
        "POST",
        f"{BASE}/resources/{resource.pk}/{action}",
        body,
    )
    assert_error_body(response, status)
    assert state(resource) == before


@pytest.mark.parametrize("who", ["officer_b", "staff_a", "reviewer"])
def test_a_change_is_started_by_the_providers_officer_only(
    request, officer_a, reviewer, dept_a, who
):
    resource = published(officer_a, reviewer, dept_a)
    before = state(resource)
    response = send(
        api_client(request.getfixturevalue(who)),
        "POST",
        f"{BASE}/resources/{resource.pk}/change",
        {},
    )
    assert_error_body(response, 403)
    assert state(resource) == before and ResourceVersion.objects.count() == 1


# --- malformed input ------------------------------------------------------------------------


def with_item(**change: Any) -> dict[str, Any]:
    body = body_of()
    body["items"][0].update(change)
    return body


MALFORMED_CREATE = [
    ("not json", "{", 400, None),
    ("a list", [], 422, None),
    ("unknown field", body_of(colour="red"), 422, "colour"),
    ("name too long", body_of(name="长" * 201), 422, "name"),
    ("summary far too long", body_of(summary=HUGE), 422, "summary"),
    ("NUL in text", body_of(name="户籍\x00人口"), 422, "name"),
    ("lone surrogate", '{"name": "\\ud800"}', 422, "name"),
    ("not a boolean", body_of(is_open="maybe"), 422, "is_open"),
    ("category missing", {k: v for k, v in body_of().items() if k != "category"}, 422, "category"),
    ("unknown category", body_of(category="999999"), 404, "category"),
    ("category not text", body_of(category=101001), 422, "category"),
    ("bad enumeration", body_of(format_class="papyrus"), 422, "format_class"),
    ("items not a list", body_of(items={"name": "x"}), 422, "items"),
    ("item not an object", body_of(items=["x"]), 422, "items.0"),
    ("item missing identifier", with_item(identifier=None), 422, "items.0.identifier"),
    ("negative length", with_item(length=-1), 422, "items.0.length"),
    ("huge length", with_item(length=2**40), 422, "items.0.length"),
    ("unknown element", with_item(element="NOPE"), 404, "items.0.element"),
    ("bad identifier", with_item(identifier="身份证"), 422, "items.0.identifier"),
    ("provider id zero", body_of(provider_id=0), 422, "provider_id"),
    ("provider id overflow", body_of(provider_id=2**63), 422, "provider_id"),
    ("no such provider", body_of(provider_id=999_999), 404, "provider_id"),
    ("source system of no one", body_of(source_systems=[999_999]), 404, "source_systems"),
    ("source systems not ids", body_of(source_systems=["a"]), 422, "source_systems.0"),
]


@pytest.mark.parametrize(
    "body, status, field", [c[1:] for c in MALFORMED_CREATE], ids=[c[0] for c in MALFORMED_CREATE]
)
def test_malformed_drafts_are_refused_with_the_error_body(officer_a, body, status, field):
    response = send(api_client(officer_a), "POST", f"{BASE}/resources", body)
    error = assert_error_body(response, status)
    if field is not None:
        assert field in error["fields"], error
    assert not Resource.objects.exists()


MALFORMED_OTHER = [
    ("PATCH", "", {"name": None}, 422),
    ("PATCH", "", {"items": None}, 422),
    ("PATCH", "", {"items": [{"name": "x"}]}, 422),
    ("PATCH", "", {"unknown": 1}, 422),
    ("PATCH", "", "[", 400),
    ("POST", "/submit", {"note": 5}, 422),
    ("POST", "/submit", {"extra": 1}, 422),
    ("POST", "/review", {}, 422),
    ("POST", "/review", {"approve": "perhaps"}, 422),
    ("POST", "/withdraw", {}, 422),
    ("POST", "/withdraw", {"reason": "  "}, 422),
    ("POST", "/withdraw", {"reason": HUGE}, 422),
    ("DELETE", "", None, 405),
]


@pytest.mark.parametrize("method, suffix, body, status", MALFORMED_OTHER)
def test_malformed_edits_and_steps_change_nothing(officer_a, dept_a, method, suffix, body, status):
    resource = draft(officer_a, dept_a)
    before = state(resource)
    response = send(api_client(officer_a), method, f"{BASE}/resources/{resource.pk}{suffix}", body)
    assert_error_body(response, status)
    assert state(resource) == before


@pytest.mark.parametrize(
    "path",
    [
        "/resources/0",
        "/resources/99999999999999999999",
        "/resources/abc",
        "/resources/1/versions/0",
        "/resources/1/versions?limit=0",
        "/resources/1/versions?offset=-1",
        "/export.json?status=bogus",
        "/export.csv?share_type=all",
        "/export.xlsx?category=1%2F",
        "/export.json?provider=0",
        "/dcat.jsonld?provider=x",
    ],
)
def test_malformed_paths_and_queries_get_the_error_body(officer_a, path):
    assert_error_body(api_client(officer_a).get(f"{BASE}{path}"))


# --- exports --------------------------------------------------------------------------------


@pytest.fixture
def two_resources(officer_a, officer_b, reviewer, dept_a, dept_b):
    """A's draft and B's published resource."""
    return draft(officer_a, dept_a, name="A草稿"), published(officer_b, reviewer, dept_b)


def test_the_exports_hold_only_what_the_caller_may_see(officer_b, two_resources):
    client = api_client(officer_b)
    response = client.get(f"{BASE}/export.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert [r["name"] for r in response.json()["resources"]] == ["户籍人口基本信息"]
    xlsx = client.get(f"{BASE}/export.xlsx", {"share_type": "conditional"})
    rows = list(load_workbook(io.BytesIO(xlsx.content))["信息资源"].iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["户籍人口基本信息"]
    csv_text = client.get(f"{BASE}/export.csv").content.decode("utf-8-sig")
    assert "A草稿" not in csv_text and "户籍人口基本信息" in csv_text


def test_dcat_lists_published_resources_only(officer_a, two_resources):
    own_draft, other = two_resources
    response = api_client(officer_a).get(f"{BASE}/dcat.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert "@context" in document
    assert [d["dct:identifier"] for d in document["dcat:dataset"]] == [other.code]
    assert document["dcat:dataset"][0]["@id"].endswith(f"/api/v1/catalog/resources/{other.pk}")


@pytest.mark.parametrize("path", ["/export.xlsx", "/export.json", "/export.csv", "/dcat.jsonld"])
def test_the_exports_need_authentication(path):
    assert_error_body(api_client(None).get(f"{BASE}{path}"), 401)
