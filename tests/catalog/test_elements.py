"""Data-element pages (数据元): the searchable registry and one element with its linked items."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govshare.catalog.models import DataElement
from govshare.catalog.services import resource_create, resource_review, resource_submit
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("identity:login")
LIST_URL = reverse("catalog:element_list")
ROLES = ["admin_user", "reviewer", "auditor", "officer_a", "staff_a", "officer_b"]
# Session, user, roles, the formats of the filter, the page's elements and their count, and
# the page frame (node name, department switcher).
LIST_QUERIES = 8


def detail_url(identifier: str) -> str:
    return reverse(
        "catalog:element_detail", args=[DataElement.objects.get(identifier=identifier).pk]
    )


def listed(client, **query) -> set[str]:
    return {e.identifier for e in client.get(LIST_URL, query).context["object_list"]}


@pytest.mark.parametrize("role", ROLES)
def test_given_any_role_when_the_registry_opens_then_the_shipped_elements_are_listed(
    request, client_for, role
):
    response = client_for(request.getfixturevalue(role)).get(LIST_URL)
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == DataElement.objects.count()


def test_given_anonymous_when_the_registry_opens_then_it_redirects_to_login(client):
    for url in (LIST_URL, detail_url("XM")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def test_given_filters_when_applied_then_each_narrows_the_list(client_for, staff_a):
    client = client_for(staff_a)
    assert listed(client, query="公民") == {"GMSFHM"}
    assert listed(client, query="tyshxy") == {"TYSHXYDM"}
    assert listed(client, data_type="Y") == {"ZCZB"}
    assert listed(client, format="an18") == {"GMSFHM", "TYSHXYDM"}
    assert listed(client, code_table="yes") == {"XBDM"}
    assert "XBDM" not in listed(client, code_table="no")
    assert "XM" in listed(client, code_table="no")


def test_given_a_bad_filter_then_the_list_is_unfiltered(client_for, staff_a):
    response = client_for(staff_a).get(LIST_URL, {"data_type": "Z"})
    assert response.status_code == 200 and "data_type" in response.context["form"].errors


def test_the_registry_list_query_count_is_pinned(client_for, staff_a, django_assert_num_queries):
    client = client_for(staff_a)
    client.get(LIST_URL)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(LIST_URL)


def test_given_an_element_with_a_code_table_then_its_codes_show(client_for, staff_a):
    page = client_for(staff_a).get(detail_url("XBDM")).content.decode()
    assert 'id="gs-code-table"' in page and "女性" in page


def test_given_linked_items_then_each_sees_only_what_it_may(
    client_for, officer_a, officer_b, reviewer, dept_a, dept_b
):
    published = resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(name="已发布资源"),
        items=items_data({"length": 20}),
    )
    resource_submit(actor=officer_a, resource=published)
    resource_review(actor=reviewer, resource=published, approve=True)
    resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(name="草稿资源"), items=items_data()
    )

    def shown(user) -> list[str]:
        response = client_for(user).get(detail_url("GMSFHM"))
        return [item.version.name for item, _flags in response.context["item_rows"]]

    assert sorted(shown(officer_a)) == ["已发布资源", "草稿资源"]
    assert shown(officer_b) == ["已发布资源"]
    response = client_for(officer_b).get(detail_url("GMSFHM"))
    ((_item, flags),) = response.context["item_rows"]
    assert flags  # length 20 > an18
    assert "草稿资源" not in response.content.decode()


def test_given_an_unknown_element_then_it_is_not_found(client_for, staff_a):
    url = reverse("catalog:element_detail", args=[999999])
    assert client_for(staff_a).get(url).status_code == 404
