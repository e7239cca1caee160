"""The catalog's indicators (资源数, 共享类型, 开放率, 目录挂接率, 信息项和数据元覆盖率): live, and
for a past month rebuilt from the version history; the page; the home figures and navigation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone

from govshare.catalog.indicators import indicator_values
from govshare.catalog.models import (
    Category,
    DataElement,
    Mount,
    Resource,
    ResourceEvent,
    ResourceVersion,
)
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
    version_update,
)
from govshare.catalog.views import indicators as indicator_views
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def values(report) -> dict[str, object]:
    return {indicator.key: indicator.value for indicator in report.totals}


def counts(report, key: str) -> tuple[int | None, int | None]:
    indicator = next(i for i in report.totals if i.key == key)
    return indicator.numerator, indicator.denominator


def publish(officer, reviewer, provider, day: dt.date, data: dict, items: list) -> Resource:
    """Draft, submit and approve, then move the history to ``day`` (services stamp "now")."""
    resource = resource_create(actor=officer, provider=provider, data=data, items=items)
    resource_submit(actor=officer, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    ResourceVersion.objects.filter(pk=resource.current_version_id).update(reviewed=at(day))
    ResourceEvent.objects.filter(resource=resource).update(created=at(day))
    Resource.objects.filter(pk=resource.pk).update(created=at(day))
    return resource


def statistics_data(**overrides) -> tuple[dict, list]:
    """An open spreadsheet shared without conditions, with two items and no element linked."""
    data = resource_data(
        category=Category.objects.get(code="201"),
        name="户籍人口统计数据",
        format_class="spreadsheet",
        format_type="xlsx",
        share_type="unconditional",
        share_condition="",
        share_mode_type="file",
        is_open=True,
        open_condition="按区县汇总后向社会开放",
        update_cycle="monthly",
    )
    item = {"data_type": "C", "length": 6, "share_type": "unconditional", "is_open": True}
    items = [
        {"name": "统计年月", "identifier": "TJNY", **item},
        {"name": "行政区划代码", "identifier": "QHDM", **item, **overrides},
    ]
    return data, items


@pytest.fixture
def history(officer_a, officer_b, reviewer, dept_a, dept_b):
    """Department A, January 2024: population records (conditional, database, 1 of 3 items
    linked to an element) and population statistics (unconditional, open, 0 of 2 linked).
    February: the statistics' version 2 links an element; department B publishes a
    not-shared document. March: B withdraws it; A starts a change of the population records
    that links every item, still under review. Also: a draft and a returned resource, which
    never count. Mounts today: the records mounted, the statistics failing."""
    population = publish(
        officer_a, reviewer, dept_a, dt.date(2024, 1, 10), resource_data(), items_data()
    )
    statistics = publish(officer_a, reviewer, dept_a, dt.date(2024, 1, 20), *statistics_data())
    resource_start_change(actor=officer_a, resource=statistics)
    data, items = statistics_data(element=DataElement.objects.get(identifier="XZQHDM"))
    version_update(actor=officer_a, resource=statistics, data=data, items=items)
    resource_submit(actor=officer_a, resource=statistics)
    resource_review(actor=reviewer, resource=statistics, approve=True)
    ResourceVersion.objects.filter(pk=statistics.current_version_id).update(
        reviewed=at(dt.date(2024, 2, 15))
    )
    document = publish(
        officer_b,
        reviewer,
        dept_b,
        dt.date(2024, 2, 5),
        resource_data(
            category=Category.objects.get(code="307"),
            name="社保稽核工作底稿",
            format_class="document",
            format_type="pdf",
            share_type="not_shared",
            share_condition="",
            share_basis="《中华人民共和国个人信息保护法》第三十四条",
            share_mode_type="file",
        ),
        [],
    )
    resource_withdraw(actor=officer_b, resource=document, reason="职能调整")
    ResourceEvent.objects.filter(resource=document, action="withdraw").update(
        created=at(dt.date(2024, 3, 10))
    )
    resource_start_change(actor=officer_a, resource=population)
    linked = DataElement.objects.get
    version_update(
        actor=officer_a,
        resource=population,
        data=resource_data(),
        items=items_data(
            {}, {"element": linked(identifier="XM")}, {"element": linked(identifier="XBDM")}
        ),
    )
    resource_submit(actor=officer_a, resource=population)
    resource_create(
        actor=officer_b, provider=dept_b, data=resource_data(name="草稿资源"), items=items_data()
    )
    returned = resource_create(
        actor=officer_a, provider=dept_a, data=resource_data(name="退回资源"), items=items_data()
    )
    resource_submit(actor=officer_a, resource=returned)
    resource_review(actor=reviewer, resource=returned, approve=False, note="请补充摘要")
    Mount.objects.create(resource=population, kind="api", status="mounted")
    Mount.objects.create(resource=statistics, kind="files", status="failing", last_error="超时")
    return population, statistics, document


# --- past months ----------------------------------------------------------------------------


def test_january_is_rebuilt_from_the_versions_in_force_then(history, reviewer):
    report = indicator_values(reviewer, JAN)

    assert values(report) == {
        "catalogued": 2,
        "unconditional": 50.0,
        "conditional": 50.0,
        "not_shared": 0.0,
        "open": 50.0,
        "mount": None,  # mounts keep no history: unknown, not today's state
        "items": 100.0,
        "elements": 20.0,  # 1 linked item of 3 + 2
    }
    assert counts(report, "elements") == (1, 5)
    assert report.as_of == timezone.make_aware(dt.datetime(2024, 2, 1))
    assert not report.is_live and not report.knows_mounts


def test_february_counts_the_new_document_and_the_approved_change(history, reviewer):
    report = indicator_values(reviewer, FEB)

    assert counts(report, "catalogued") == (3, None)
    assert counts(report, "not_shared") == (1, 3)
    assert counts(report, "open") == (1, 3)
    assert counts(report, "items") == (2, 2)  # the document is not structured
    assert counts(report, "elements") == (2, 5)  # the statistics' version 2 links one
    assert counts(report, "mount")[0] is None


def test_a_withdrawal_in_march_drops_the_resource_from_march_on(history, reviewer):
    march = indicator_values(reviewer, MAR)

    assert counts(march, "catalogued") == (2, None)
    assert counts(march, "not_shared") == (0, 2)


def test_before_anything_was_published_there_is_nothing_to_count(history, reviewer):
    report = indicator_values(reviewer, dt.date(2023, 12, 1))

    assert values(report)["catalogued"] == 0
    assert values(report)["open"] is None and values(report)["elements"] is None
    assert report.departments == [] and report.classes == []


def test_per_department_and_per_class_in_february(history, reviewer, dept_a, dept_b):
    report = indicator_values(reviewer, FEB)

    departments = {row.key: {i.key: i.value for i in row.indicators} for row in report.departments}
    assert departments[str(dept_a.pk)]["catalogued"] == 2
    assert departments[str(dept_a.pk)]["elements"] == 40.0  # 2 of 5
    assert departments[str(dept_b.pk)]["catalogued"] == 1
    assert departments[str(dept_b.pk)]["items"] is None  # no structured resource
    classes = {row.key: {i.key: i.value for i in row.indicators} for row in report.classes}
    assert {code: row["catalogued"] for code, row in classes.items()} == {"1": 1, "2": 1, "3": 1}


# --- live -----------------------------------------------------------------------------------


def test_live_uses_the_version_in_force_not_the_change_under_review(history, reviewer):
    report = indicator_values(reviewer)

    assert report.is_live and report.knows_mounts
    assert counts(report, "catalogued") == (2, None)
    # the population records' version 2 would link all three items; it is not approved yet
    assert counts(report, "elements") == (2, 5)


def test_the_current_month_is_live_and_knows_its_mounts(history, reviewer):
    report = indicator_values(reviewer, timezone.localdate().replace(day=1))

    assert report.knows_mounts and report.as_of <= timezone.now()
    assert counts(report, "mount") == (1, 2)


def test_live_mount_rate_counts_mounted_slots_only(history, reviewer, admin_user):
    assert counts(indicator_values(reviewer), "mount") == (1, 2)  # failing is not mounted
    assert counts(indicator_values(admin_user), "mount") == (1, 2)


def test_a_department_sees_the_mount_rate_of_its_own_resources(history, officer_a, officer_b):
    # mount slots belong to their provider (MountPolicy): B cannot see A's
    assert counts(indicator_values(officer_a), "mount") == (1, 2)
    assert counts(indicator_values(officer_b), "mount")[0] is None
    # published resources are public: both count the same catalogue
    assert counts(indicator_values(officer_b), "catalogued") == (2, None)


def test_the_number_of_queries_does_not_grow_with_the_catalog(history, reviewer, officer_b, dept_b):
    def queries(month: dt.date | None) -> int:
        with CaptureQueriesContext(connection) as captured:
            indicator_values(reviewer, month)
        return len(captured)

    before = (queries(None), queries(FEB))
    for number in range(3):
        resource = publish(
            officer_b,
            reviewer,
            dept_b,
            dt.date(2024, 2, 2),
            resource_data(name=f"补充资源{number}"),
            items_data(),
        )
        Mount.objects.create(resource=resource, kind="api", status="mounted")

    assert (queries(None), queries(FEB)) == before


def test_rates_over_nothing_are_none_not_zero(reviewer):
    report = indicator_values(reviewer)

    assert values(report)["catalogued"] == 0
    assert all(i.display in {"0", "—"} for i in report.totals)


def test_drafts_count_for_nobody_but_stay_out_of_other_departments_view(
    history, staff_a, officer_b
):
    # given a draft of B and a returned resource of A, neither in any figure
    for user in (staff_a, officer_b):
        assert counts(indicator_values(user), "catalogued") == (2, None)


# --- the page -------------------------------------------------------------------------------


def test_the_page_shows_every_figure_with_its_formula(history, client_for, reviewer):
    response = client_for(reviewer).get(reverse("catalog:indicators"), {"month": "2024-02"})

    assert response.status_code == 200
    html = response.content.decode()
    for spec in response.context["specs"]:
        assert f'data-indicator="{spec.key}"' in html and str(spec.formula) in html
    assert response.context["report"].month == FEB
    assert 'id="gs-mount-note"' in html  # why the mount rate of a past month is "—"
    assert 'id="gs-indicators-classes"' in html and 'id="gs-indicators-departments"' in html


@pytest.mark.parametrize("role", ["staff_a", "officer_b", "reviewer", "auditor", "admin_user"])
def test_every_role_gets_the_live_page(history, client_for, request, role):
    response = client_for(request.getfixturevalue(role)).get(reverse("catalog:indicators"))

    assert response.status_code == 200 and response.context["report"].is_live


def test_a_department_user_is_told_what_the_mount_rate_covers(history, client_for, officer_b):
    html = client_for(officer_b).get(reverse("catalog:indicators")).content.decode()
    assert 'id="gs-mount-note"' in html


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("catalog:indicators"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("month", ["2024-13", "garbage", "2999-01"])
def test_a_bad_month_is_answered_with_400_and_a_message(client_for, reviewer, month):
    response = client_for(reviewer).get(reverse("catalog:indicators"), {"month": month})

    assert response.status_code == 400
    assert 'id="gs-month-error"' in response.content.decode()


# --- home figures and navigation (against stand-ins for the other catalog pages) ------------


def _stand_in(request) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path(
        "catalog/",
        include(
            (
                [
                    path("", _stand_in, name="resource_list"),
                    path("browse/", _stand_in, name="browse"),
                    path("review/", _stand_in, name="review_inbox"),
                    path("elements/", _stand_in, name="element_list"),
                    path("import/", _stand_in, name="import"),
                    *indicator_views.urlpatterns,
                ],
                "catalog",
            )
        ),
    )
]


@pytest.mark.urls(__name__)
def test_home_figures_of_a_reviewer(history, reviewer, english):
    from govshare.catalog.dashboard import catalog_figures

    figures = {str(f.label): (f.value, f.url) for f in catalog_figures(reviewer, None)}

    assert figures["Published resources"] == (2, "/catalog/")
    # the population records' change is under review
    assert figures["Versions awaiting review"] == (1, "/catalog/review/")
    assert "My department's resources" not in figures


@pytest.mark.urls(__name__)
def test_home_figures_of_a_department(history, staff_a, dept_a, english):
    from govshare.catalog.dashboard import catalog_figures

    figures = {str(f.label): (f.value, f.url) for f in catalog_figures(staff_a, dept_a.pk)}

    # population, statistics and the returned draft; B's withdrawn document is not A's
    assert figures["My department's resources"] == (3, f"/catalog/?provider={dept_a.pk}")
    assert "Versions awaiting review" not in figures


@pytest.mark.urls(__name__)
def test_navigation_shows_review_to_the_authority_and_import_to_officers(
    monkeypatch, reviewer, officer_a, staff_a, english
):
    from govshare.catalog import dashboard
    from govshare.core import dashboard as core_dashboard
    from govshare.core import navigation

    # Only the catalog's section: empty the registries for this test (restored after it).
    monkeypatch.setattr(navigation.sections, "_entries", [])
    monkeypatch.setattr(core_dashboard.providers, "_entries", [])
    dashboard.register_navigation()

    def names(user) -> set[str]:
        return {
            item["url_name"]
            for section in navigation.navigation_for(user)
            for item in section["items"]
        }

    assert {"catalog:review_inbox", "catalog:indicators"} <= names(reviewer)
    assert "catalog:import" not in names(reviewer)
    assert "catalog:import" in names(officer_a) and "catalog:review_inbox" not in names(officer_a)
    assert names(staff_a) == {
        "catalog:resource_list",
        "catalog:browse",
        "catalog:element_list",
        "catalog:indicators",
    }
    assert list(core_dashboard.providers) == [(dashboard.FIGURES_ORDER, dashboard.catalog_figures)]
