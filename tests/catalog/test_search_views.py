"""The resource list with search and facets, the browse page, and GET /api/v1/catalog/resources.

Assertions read data attributes and values, not UI text, so they hold in every language.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from govshare.catalog.models import Category
from govshare.catalog.search.index import reindex_all, reindex_resource
from govshare.catalog.services import resource_create, resource_review, resource_submit
from tests.api_client import API, api_client, assert_error_body
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_index(db):
    """Each test starts from an index that matches its (empty) catalog: a test that committed
    (transactional_db) leaves index rows that a database flush does not remove."""
    reindex_all()


LIST = reverse("catalog:resource_list")
BROWSE = reverse("catalog:browse")
SEARCH_API = f"{API}/catalog/resources"


def draft(officer, provider, **data):
    resource = resource_create(
        actor=officer, provider=provider, data=resource_data(**data), items=items_data()
    )
    reindex_resource(resource.pk)
    return resource


def published(officer, reviewer, provider, **data):
    resource = draft(officer, provider, **data)
    resource_submit(actor=officer, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    reindex_resource(resource.pk)
    return resource


def theme(**data):
    return {
        "category": Category.objects.get(code="201"),
        "share_type": "unconditional",
        "share_condition": "",
        "keywords": "",
        **data,
    }


@pytest.fixture
def catalog(officer_a, officer_b, reviewer, dept_a, dept_b):
    """Published: two of dept A (one thematic), one of dept B; a draft of dept A."""
    return {
        "population": published(officer_a, reviewer, dept_a),
        "service": published(
            officer_a,
            reviewer,
            dept_a,
            **theme(name="人口<b>服务</b>事项", summary="人口服务 <script>x</script>"),
        ),
        "insured": published(officer_b, reviewer, dept_b, name="参保人口信息"),
        "draft": draft(officer_a, dept_a, name="人口迁移台账"),
    }


def ids(response):
    return [int(pk) for pk in re.findall(r'data-resource-id="(\d+)"', response.content.decode())]


def counts(response, facet):
    html = response.content.decode()
    block = html.split(f'data-facet="{facet}"', 1)[1].split("</ul>", 1)[0]
    return dict(re.findall(r'data-facet-value="([^"]*)".*?data-count>(\d+)<', block, re.S))


# --- the resource list ----------------------------------------------------------------------


def test_given_anonymous_when_the_list_opens_then_it_redirects_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response["Location"]


def test_given_a_query_when_searching_then_hits_are_ranked_highlighted_and_linked(
    catalog, client_for, staff_a
):
    # when dept A's staff searches for 人口
    response = client_for(staff_a).get(LIST, {"q": "人口"})

    # then its own draft and every published match is listed, each linking to its page
    html = response.content.decode()
    assert response.status_code == 200
    assert set(ids(response)) == {r.pk for r in catalog.values()}
    assert reverse("catalog:resource_detail", args=[catalog["population"].pk]) in html
    assert "<mark>人口</mark>" in html
    assert f"data-hit-code>{catalog['population'].code}<" in html
    assert 'data-share-type="conditional"' in html and 'data-grade="important"' in html
    assert 'data-total="4"' in html
    # and markup in names and summaries arrives escaped
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>服务</b>" not in html


def test_given_another_department_when_searching_then_drafts_stay_hidden(
    catalog, client_for, officer_b
):
    response = client_for(officer_b).get(LIST, {"q": "人口"})

    assert catalog["draft"].pk not in ids(response)
    assert counts(response, "status") == {"published": "3"}


def test_given_facets_when_a_value_is_chosen_then_results_narrow_and_the_filter_is_removable(
    catalog, client_for, staff_a, dept_b
):
    client = client_for(staff_a)
    # given the facet counts over the matching set
    response = client.get(LIST, {"q": "人口"})
    assert counts(response, "share_type") == {"conditional": "3", "unconditional": "1"}
    assert counts(response, "provider")[str(dept_b.pk)] == "1"

    # when filtering by provider B
    response = client.get(LIST, {"q": "人口", "provider": dept_b.pk, "page": 1})

    # then only its resource is listed, and the active filter links back without it
    assert ids(response) == [catalog["insured"].pk]
    remove = re.search(r'href="([^"]*)" data-remove-filter', response.content.decode())
    assert remove and "provider" not in remove.group(1) and "q=" in remove.group(1)
    assert "page" not in remove.group(1)


def facet_link(response, facet, value):
    """The href of a facet value's toggle, and whether it shows as chosen."""
    html = response.content.decode()
    block = html.split(f'data-facet="{facet}"', 1)[1].split("</ul>", 1)[0]
    found = re.search(rf'<a href="([^"]*)"[^>]*data-facet-value="{value}"([^>]*)>', block)
    assert found, f"no link for {facet}={value}"
    return found.group(1).replace("&amp;", "&"), "data-chosen" in found.group(2)


def query_of(href):
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(href).query)


def test_given_a_chosen_value_when_another_of_the_facet_is_ticked_then_either_matches(
    catalog, client_for, staff_a
):
    client = client_for(staff_a)
    # given conditional chosen: its toggle shows as chosen, unconditional's adds it
    response = client.get(LIST, {"q": "人口", "share_type": "conditional"})
    assert len(ids(response)) == 3
    href, chosen = facet_link(response, "share_type", "conditional")
    assert chosen and "share_type" not in query_of(href)  # ticking it again takes it away
    href, chosen = facet_link(response, "share_type", "unconditional")
    assert not chosen
    assert query_of(href)["share_type"] == ["conditional", "unconditional"]
    assert query_of(href)["q"] == ["人口"]

    # when that link is followed
    response = client.get(LIST + href)

    # then resources of either share type are listed, both values chosen, each removable alone
    assert set(ids(response)) == {r.pk for r in catalog.values()}
    assert facet_link(response, "share_type", "conditional")[1]
    href, chosen = facet_link(response, "share_type", "unconditional")
    assert chosen and query_of(href)["share_type"] == ["conditional"]
    assert "data-clear-facet" in response.content.decode()
    assert response.content.decode().count("data-remove-filter") == 2


def test_given_an_ungraded_resource_when_its_grade_is_chosen_then_only_it_is_listed(
    catalog, client_for, officer_a, staff_a, dept_a
):
    # given a document without data items: not graded
    ungraded = resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(
            **theme(
                name="人口普查公报", format_class="document", format_type="PDF",
                share_mode_type="file",
            )
        ),
        items=[],
    )  # fmt: skip
    reindex_resource(ungraded.pk)
    client = client_for(staff_a)

    # when its grade's toggle is followed
    href, chosen = facet_link(client.get(LIST, {"q": "人口"}), "grade", "none")
    assert not chosen and query_of(href)["grade"] == ["none"]
    response = client.get(LIST + href)

    # then it alone is listed, the value shows as chosen, and the API takes the same spelling
    assert ids(response) == [ungraded.pk]
    assert facet_link(response, "grade", "none")[1]
    body = api_client(staff_a).get(f"{SEARCH_API}?q=人口&grade=none").json()
    assert [item["id"] for item in body["items"]] == [ungraded.pk]


def test_given_a_chosen_value_then_its_facet_keeps_counting_the_other_values(
    catalog, client_for, officer_b, dept_a, dept_b
):
    # given department B, which sees three published resources (two of A, one of its own)
    client = client_for(officer_b)

    # when provider B is chosen
    response = client.get(LIST, {"q": "人口", "provider": dept_b.pk})

    # then only B's resource is listed, yet the provider facet still counts A's, so it can be
    # added, and the share-type facet counts among B's only
    assert ids(response) == [catalog["insured"].pk]
    assert counts(response, "provider") == {str(dept_a.pk): "2", str(dept_b.pk): "1"}
    assert counts(response, "share_type") == {"conditional": "1"}
    # and nothing counts A's draft, which B may not see
    response = client.get(LIST, {"q": "人口", "provider": [dept_a.pk, dept_b.pk]})
    assert catalog["draft"].pk not in ids(response) and len(ids(response)) == 3
    assert counts(response, "status") == {"published": "3"}


def test_given_a_facet_with_chosen_values_when_it_is_cleared_then_the_others_stay(
    catalog, client_for, staff_a, dept_a
):
    client = client_for(staff_a)
    response = client.get(
        LIST, {"q": "人口", "share_type": ["conditional", "unconditional"], "provider": dept_a.pk}
    )
    html = response.content.decode()
    block = html.split('data-facet="share_type"', 1)[1]
    clear = re.search(r'href="([^"]*)" data-clear-facet', block).group(1).replace("&amp;", "&")

    assert query_of(clear) == {"q": ["人口"], "provider": [str(dept_a.pk)]}
    assert len(ids(client.get(LIST + clear))) == 3


def test_given_an_unknown_filter_value_then_the_page_says_so_and_ignores_it(
    catalog, client_for, staff_a
):
    response = client_for(staff_a).get(LIST, {"share_type": "sometimes", "page": "x"})

    assert response.status_code == 200
    assert "data-filter-error" in response.content.decode()
    assert len(ids(response)) == 4


def test_given_no_query_then_everything_visible_is_listed_by_name(catalog, client_for, officer_b):
    response = client_for(officer_b).get(LIST)

    listed = [catalog_name(catalog, pk) for pk in ids(response)]
    assert listed == sorted(listed) and len(listed) == 3


def catalog_name(catalog, pk):
    return next(r.name for r in catalog.values() if r.pk == pk)


def test_given_a_resource_code_when_searching_then_that_resource_is_found(
    catalog, client_for, officer_b
):
    response = client_for(officer_b).get(LIST, {"q": catalog["insured"].code})

    assert ids(response) == [catalog["insured"].pk]


def test_given_more_hits_than_a_page_then_pages_link_on(catalog, client_for, staff_a, monkeypatch):
    from govshare.catalog.views import search as search_views

    monkeypatch.setattr(search_views, "PER_PAGE", 3)
    client = client_for(staff_a)

    first = client.get(LIST, {"q": "人口"})
    second = client.get(LIST, {"q": "人口", "page": 2})

    assert len(ids(first)) == 3 and len(ids(second)) == 1
    assert "page=2" in first.content.decode()
    assert set(ids(first)).isdisjoint(ids(second))


def test_the_list_runs_a_fixed_number_of_queries(
    catalog, client_for, staff_a, officer_a, reviewer, dept_a, django_assert_max_num_queries
):
    # given the list's query count with four resources, counted afresh and then kept
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(staff_a)
    client.get(LIST, {"q": "人口"})  # warm the session and the principal
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(LIST, {"q": "人口"})
    cold_queries = len(cold.captured_queries)  # now: the next request clears Django's query log
    with CaptureQueriesContext(connection) as warm:
        client.get(LIST, {"q": "人口"})
    warm_queries = len(warm.captured_queries)
    assert warm_queries < cold_queries  # the counts were kept

    # when four more match
    for n in range(4):
        published(officer_a, reviewer, dept_a, name=f"人口专题库{n}")

    # then the page still needs no more queries (no N+1), counted afresh or kept
    cache.clear()
    with django_assert_max_num_queries(cold_queries):
        response = client.get(LIST, {"q": "人口"})
    assert len(ids(response)) == 8
    with django_assert_max_num_queries(warm_queries):
        client.get(LIST, {"q": "人口"})


def test_given_a_searched_and_filtered_page_when_exported_then_the_file_holds_those_results(
    catalog, client_for, staff_a, dept_a, dept_b
):
    # given a search with text, several values of a facet and another facet
    client = client_for(staff_a)
    params = {"q": "服务", "provider": [dept_a.pk, dept_b.pk], "status": "published"}
    page = client.get(LIST, params)
    shown = set(ids(page))

    # when its export links are followed
    links = dict(re.findall(r'href="([^"]*)" data-export="(\w+)"', page.content.decode()))
    by_format = {kind: href.replace("&amp;", "&") for href, kind in links.items()}
    exported = client.get(by_format["json"]).json()["resources"]
    csv_rows = client.get(by_format["csv"]).content.decode("utf-8-sig").splitlines()

    # then each file holds exactly the resources the page listed
    assert shown == {catalog["service"].pk}
    assert [r["name"] for r in exported] == [catalog["service"].name]
    assert len(csv_rows) == 1 + len(shown)
    assert client.get(by_format["xlsx"]).status_code == 200
    assert client.get(by_format["dcat"]).status_code == 200
    # and a bad facet value is refused naming the rule, as the search does
    bad = client.get(reverse("catalog:export_csv"), {"grade": "secret"})
    assert bad.status_code == 400 and "选择" in bad.content.decode()


# --- browsing -------------------------------------------------------------------------------


def test_given_the_catalog_when_browsing_then_classes_items_and_departments_count_resources(
    catalog, client_for, officer_b, dept_a, dept_b
):
    response = client_for(officer_b).get(BROWSE)
    html = response.content.decode()

    def count(attribute, value):
        found = re.search(rf'{attribute}="{value}".*?data-count>(\d+)<', html, re.S)
        return int(found.group(1)) if found else None

    assert response.status_code == 200
    # B sees three published resources: two of class 1 (101, 101001), one thematic (201)
    assert count("data-category", "1") == 2
    assert count("data-category", "101") == 2
    assert count("data-category", "101001") == 2
    assert count("data-category", "2") == 1
    assert count("data-department", dept_a.pk) == 2
    assert count("data-department", dept_b.pk) == 1
    assert f'{LIST}?category=101"' in html and f"{LIST}?provider={dept_a.pk}" in html


def test_given_anonymous_when_browsing_then_it_redirects_to_login(client):
    assert client.get(BROWSE).status_code == 302


# --- the API --------------------------------------------------------------------------------


def test_given_a_query_when_calling_the_api_then_hits_and_facets_come_back(
    catalog, staff_a, dept_a
):
    response = api_client(staff_a).get(SEARCH_API, {"q": "人口", "share_type": "conditional"})

    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3 and body["page"] == 1
    first = body["items"][0]
    assert {"id", "code", "name", "name_html", "summary_html", "provider", "share_type"} <= set(
        first
    )
    assert "<mark>人口</mark>" in first["name_html"]
    assert {v["value"]: v["count"] for v in body["facets"]["provider"]}[str(dept_a.pk)] == 2
    # the share-type facet is counted without its own filter: unconditional can be added
    assert {f["value"]: f["count"] for f in body["facets"]["share_type"]} == {
        "conditional": 3,
        "unconditional": 1,
    }
    assert body["filters"] == {"share_type": ["conditional"]}


def test_given_another_department_when_calling_the_api_then_drafts_stay_hidden(catalog, officer_b):
    body = api_client(officer_b).get(SEARCH_API, {"q": "迁移"}).json()
    assert body["total"] == 0 and body["items"] == []
    body = api_client(officer_b).get(SEARCH_API, {"is_open": "false"}).json()
    assert catalog["draft"].pk not in [item["id"] for item in body["items"]]


def test_given_repeated_facet_parameters_when_calling_the_api_then_any_value_matches(
    catalog, staff_a, dept_a, dept_b
):
    # when two share types and two providers are asked for
    response = api_client(staff_a).get(
        f"{SEARCH_API}?q=人口&share_type=conditional&share_type=unconditional"
        f"&provider={dept_a.pk}&provider={dept_b.pk}&status=published"
    )

    # then any value of a facet matches, every facet must, and the filters come back
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert {item["id"] for item in body["items"]} == {
        catalog[key].pk for key in ("population", "service", "insured")
    }
    assert body["filters"] == {
        "provider": sorted([str(dept_a.pk), str(dept_b.pk)]),
        "share_type": ["conditional", "unconditional"],
        "status": ["published"],
    }
    # and the status facet, counted without its own filter, shows the draft staff A may see
    statuses = {f["value"]: f["count"] for f in body["facets"]["status"]}
    assert statuses == {"published": 3, "draft": 1}


def test_given_another_department_when_filtering_through_the_api_then_counts_skip_drafts(
    catalog, officer_b, dept_a
):
    body = (
        api_client(officer_b)
        .get(f"{SEARCH_API}?q=人口&status=published&status=draft&provider={dept_a.pk}")
        .json()
    )

    assert body["total"] == 2
    # the chosen draft status is listed, with nothing counted: B may not see A's draft
    assert {f["value"]: f["count"] for f in body["facets"]["status"]} == {
        "published": 2,
        "draft": 0,
    }
    assert {f["value"]: f["count"] for f in body["facets"]["provider"]}[str(dept_a.pk)] == 2


def test_the_api_runs_a_fixed_number_of_queries(
    catalog, staff_a, officer_a, reviewer, dept_a, django_assert_max_num_queries
):
    # given the search API's query count with four hits (one a draft), counts kept
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(staff_a)
    client.get(SEARCH_API, {"q": "人口"})
    with CaptureQueriesContext(connection) as before:
        body = client.get(SEARCH_API, {"q": "人口"}).json()
    queries = len(before.captured_queries)  # now: the next request clears Django's query log
    assert {item["id"] for item in body["items"]} == {r.pk for r in catalog.values()}

    # when four more match, then every field of every hit comes without another query
    for n in range(4):
        published(officer_a, reviewer, dept_a, name=f"人口专题库{n}")
    client.get(SEARCH_API, {"q": "人口"})
    with django_assert_max_num_queries(queries):
        body = client.get(SEARCH_API, {"q": "人口"}).json()
    assert len(body["items"]) == 8
    assert all(item["summary_html"] and item["provider"]["name"] for item in body["items"])


def test_given_a_bad_repeated_value_when_calling_the_api_then_422_names_it(staff_a):
    response = api_client(staff_a).get(f"{SEARCH_API}?share_type=conditional&share_type=often")

    body = assert_error_body(response, 422)
    assert set(body["fields"]) == {"share_type"}


def test_given_anonymous_when_calling_the_api_then_401(catalog):
    assert_error_body(api_client(None).get(SEARCH_API, {"q": "人口"}), 401)


@pytest.mark.parametrize(
    "params",
    [
        {"share_type": "sometimes"},
        {"page": "0"},
        {"page": "abc"},
        {"per_page": "1000"},
        {"provider": "-1"},
        {"category": "10'1"},
        {"is_open": "maybe"},
        {"q": "人" * 101},
        {"q": "人口\x00"},
    ],
)
def test_given_malformed_input_when_calling_the_api_then_422_with_the_field(staff_a, params):
    body = assert_error_body(api_client(staff_a).get(SEARCH_API, params), 422)
    assert set(body["fields"]) == set(params)


def test_the_search_route_leaves_drafting_by_post_to_the_resources_api(officer_a, dept_a):
    # POST /resources belongs to the resources router; the search GET must not shadow it
    response = api_client(officer_a).post(SEARCH_API, "{}", content_type="application/json")
    assert response.status_code != 405
