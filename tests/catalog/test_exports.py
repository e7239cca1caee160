"""JSON, CSV and DCAT exports, the simple filters, and the export pages (the import pages:
test_import_views.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from govshare.catalog import exports
from govshare.catalog.models import Category, Resource
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
    version_update,
)
from govshare.catalog.views import transfer
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db

BASE = "http://testserver/api/v1/catalog"


def draft(officer, provider, **overrides) -> Resource:
    return resource_create(
        actor=officer, provider=provider, data=resource_data(**overrides), items=items_data()
    )


def publish(officer, reviewer, resource: Resource) -> Resource:
    resource_submit(actor=officer, resource=resource)
    return resource_review(actor=reviewer, resource=resource, approve=True)


@pytest.fixture
def catalog(officer_a, officer_b, reviewer, dept_a, dept_b):
    """A's published population resource, A's draft, B's published and B's withdrawn one."""
    population = publish(officer_a, reviewer, draft(officer_a, dept_a, keywords="人口、户籍 身份"))
    own_draft = draft(officer_a, dept_a, name="流动人口信息", share_type="unconditional")
    insurance = publish(
        officer_b,
        reviewer,
        draft(
            officer_b,
            dept_b,
            name="社保参保信息",
            is_open=True,
            open_condition="经脱敏后开放",
            share_type="unconditional",
            update_cycle="half_yearly",
        ),
    )
    gone = publish(officer_b, reviewer, draft(officer_b, dept_b, name="旧参保信息"))
    resource_withdraw(actor=officer_b, resource=gone, reason="职能调整")
    return population, own_draft, insurance, gone


# --- records and filters --------------------------------------------------------------------


def test_records_hold_the_shown_version_and_its_items(catalog):
    population, own_draft, _insurance, _gone = catalog
    records = {r["name"]: r for r in exports.resource_records(Resource.objects.all())}
    record = records["户籍人口基本信息"]
    assert record["code"] == population.code and record["version"] == 1
    assert record["category"] == {"code": "101001", "name": "户籍人口"}
    assert record["provider"]["name"] == "公安局"
    assert [i["identifier"] for i in record["items"]] == ["GMSFHM", "XM", "XBDM"]
    assert record["items"][0]["element"] == {"identifier": "GMSFHM", "name": "公民身份号码"}
    assert records["流动人口信息"]["code"] == "" and records["流动人口信息"]["status"] == "draft"


@pytest.mark.parametrize(
    "filters, names",
    [
        ({}, {"户籍人口基本信息", "流动人口信息", "社保参保信息", "旧参保信息"}),
        ({"status": "draft"}, {"流动人口信息"}),
        ({"share_type": "unconditional"}, {"流动人口信息", "社保参保信息"}),
        ({"category": "1010"}, {"户籍人口基本信息", "流动人口信息", "社保参保信息", "旧参保信息"}),
        ({"category": "2"}, set()),
    ],
)
def test_the_simple_filters(catalog, dept_a, filters, names):
    found = exports.filter_resources(Resource.objects.all(), **filters)
    assert set(found.values_list("name", flat=True)) == names


def test_the_share_type_filter_reads_the_version_in_force_not_a_change_in_progress(
    catalog, officer_a
):
    population = catalog[0]
    resource_start_change(actor=officer_a, resource=population)
    theme = Category.objects.get(code="209")
    version_update(
        actor=officer_a,
        resource=population,
        data=resource_data(share_type="not_shared", share_basis="《某条例》第十条", category=theme),
        items=items_data(*[{"share_type": "not_shared"}] * 3),
    )
    found = exports.filter_resources(Resource.objects.all(), share_type="not_shared")
    assert not found.exists()


# --- JSON and CSV ---------------------------------------------------------------------------


def test_the_json_export_lists_every_resource_with_metadata_and_items(catalog):
    body = json.loads(exports.json_export(Resource.objects.all()))
    assert body["count"] == 4 and len(body["resources"]) == 4
    record = next(r for r in body["resources"] if r["name"] == "户籍人口基本信息")
    assert record["share_type"] == "conditional" and record["publish_date"]
    assert {"summary", "share_condition", "update_cycle", "keywords", "grade"} <= set(record)
    assert len(record["items"]) == 3 and record["items"][0]["masking"] == "id_number"


def test_the_csv_export_is_one_row_per_resource_in_utf8_with_a_bom(catalog):
    content = exports.csv_export(Resource.objects.all())
    assert content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["信息资源代码", "分类代码", "分类名称", "信息资源名称"]
    assert len(rows) == 5
    by_name = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    population = by_name["户籍人口基本信息"]
    assert (population["共享类型"], population["更新周期"], population["是否向社会开放"]) == (
        "有条件共享",
        "每日",
        "否",
    )
    assert population["信息项数"] == "3" and population["状态"] == "已发布"


def test_csv_cells_that_excel_would_run_as_formulas_are_quoted(officer_a, dept_a):
    draft(officer_a, dept_a, name="=HYPERLINK(1)", summary="+1 摘要")
    rows = list(
        csv.reader(io.StringIO(exports.csv_export(Resource.objects.all()).decode("utf-8-sig")))
    )
    assert rows[1][3] == "'=HYPERLINK(1)" and rows[1][4] == "'+1 摘要"


# --- DCAT -----------------------------------------------------------------------------------


def dcat(resources=None) -> dict:
    content = exports.dcat_export(
        resources or Resource.objects.all(), base_url=BASE, title="测试目录"
    )
    return json.loads(content)


def test_dcat_has_a_context_and_one_dataset_per_published_resource(catalog):
    population, _draft, insurance, _gone = catalog

    document = dcat()

    context = document["@context"]
    assert context["dcat"] == "http://www.w3.org/ns/dcat#"
    assert context["dct"] == "http://purl.org/dc/terms/"
    assert document["@type"] == "dcat:Catalog" and document["dct:title"] == "测试目录"
    datasets = {d["dct:identifier"]: d for d in document["dcat:dataset"]}
    assert set(datasets) == {population.code, insurance.code}  # no draft, no withdrawn
    assert all(d["@type"] == "dcat:Dataset" for d in datasets.values())


def test_a_dataset_carries_the_core_metadata_in_dcat_terms(catalog):
    population, _draft, insurance, _gone = catalog
    datasets = {d["dct:identifier"]: d for d in dcat()["dcat:dataset"]}

    dataset = datasets[population.code]
    assert dataset["@id"] == f"{BASE}/resources/{population.pk}"
    assert dataset["dct:title"] == "户籍人口基本信息"
    assert dataset["dct:description"] == population.current_version.summary
    assert dataset["dct:publisher"] == {"@type": "foaf:Agent", "foaf:name": "公安局"}
    assert dataset["dcat:keyword"] == ["人口", "户籍", "身份"]
    assert dataset["dct:issued"] == population.current_version.publish_date.isoformat()
    frequency = "http://publications.europa.eu/resource/authority/frequency/"
    assert dataset["dct:accrualPeriodicity"] == frequency + "DAILY"
    assert datasets[insurance.code]["dct:accrualPeriodicity"] == frequency + "ANNUAL_2"
    theme = dataset["dcat:theme"]
    assert (theme["skos:notation"], theme["skos:prefLabel"]) == ("101001", "户籍人口")
    rights = "http://publications.europa.eu/resource/authority/access-right/"
    assert dataset["dct:accessRights"] == rights + "RESTRICTED"
    assert datasets[insurance.code]["dct:accessRights"] == rights + "PUBLIC"
    assert dataset["dct:rights"]["rdfs:label"].startswith("有条件共享：")


def test_every_update_cycle_maps_to_an_eu_frequency():
    from govshare.catalog.choices import UpdateCycle

    assert set(exports.FREQUENCIES) == set(UpdateCycle.values)


def test_dcat_shows_the_version_in_force_and_keeps_the_first_issue_date(
    catalog, officer_a, reviewer
):
    # given a published resource whose change (a new name) is approved later
    population = catalog[0]
    first_published = population.current_version.publish_date
    resource_start_change(actor=officer_a, resource=population)
    version_update(
        actor=officer_a,
        resource=population,
        data=resource_data(name="户籍人口信息"),
        items=items_data(),
    )
    population.versions.filter(number=1).update(publish_date=first_published - dt.timedelta(30))

    # then while the change is in review the catalog shows the version in force
    assert "户籍人口基本信息" in {d["dct:title"] for d in dcat()["dcat:dataset"]}

    # and once approved, the new version with the first issue date
    publish(officer_a, reviewer, population)
    dataset = next(d for d in dcat()["dcat:dataset"] if d["dct:identifier"] == population.code)
    assert dataset["dct:title"] == "户籍人口信息"
    assert dataset["dct:issued"] == (first_published - dt.timedelta(30)).isoformat()
    assert dataset["dct:modified"] == population.current_version.publish_date.isoformat()


# --- the pages ------------------------------------------------------------------------------


def test_the_template_downloads_for_anyone_signed_in(client_for, staff_a, client):
    response = client_for(staff_a).get(reverse("catalog:template"))
    assert response.status_code == 200 and response["Content-Type"] == transfer.XLSX
    assert "attachment" in response["Content-Disposition"]
    assert client.get(reverse("catalog:template")).status_code == 302  # to the sign-in page


def test_the_export_holds_only_what_the_user_may_see_with_the_filters(
    client_for, catalog, officer_b
):
    response = client_for(officer_b).get(reverse("catalog:export"))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    names = [row[1] for row in book["信息资源"].iter_rows(min_row=2, values_only=True)]
    book.close()
    assert sorted(names) == sorted(["户籍人口基本信息", "社保参保信息", "旧参保信息"])  # no A draft

    response = client_for(officer_b).get(reverse("catalog:export_json"), {"status": "withdrawn"})
    assert [r["name"] for r in response.json()["resources"]] == ["旧参保信息"]


@pytest.mark.parametrize(
    "query", [{"status": "bogus"}, {"provider": "x"}, {"category": "1/"}, {"share_type": "all"}]
)
def test_bad_export_filters_are_refused(client_for, officer_a, query):
    assert client_for(officer_a).get(reverse("catalog:export_csv"), query).status_code == 400


def test_the_csv_and_dcat_pages(client_for, catalog, officer_a):
    population = catalog[0]
    response = client_for(officer_a).get(reverse("catalog:export_csv"))
    assert (
        response["Content-Type"].startswith("text/csv") and response.content[:3] == b"\xef\xbb\xbf"
    )
    response = client_for(officer_a).get(reverse("catalog:export_dcat"))
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert population.code in {d["dct:identifier"] for d in document["dcat:dataset"]}
    assert document["@id"] == "http://testserver/api/v1/catalog/dcat.jsonld"
