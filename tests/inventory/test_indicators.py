"""The indicators (系统整合数, 系统联通率, 上云率, 僵尸系统数, 统一登录覆盖率): live, and for a past
month rebuilt from the systems' revisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from govshare.inventory.indicators import SPECS, indicator_values, month_end, parse_month
from govshare.inventory.models import InformationSystem, SystemRevision, ZombieFinding
from govshare.inventory.services import system_create, system_set_lifecycle, system_update
from tests.api_client import API, api_client, assert_error_body
from tests.inventory.factories import SystemFactory, census_data

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def backdate_latest_revision(system: InformationSystem, day: dt.date) -> None:
    """Revisions take their time when saved; history is written by moving it back."""
    latest = system.revisions.order_by("-number").first()
    SystemRevision.objects.filter(pk=latest.pk).update(created=at(day))


def values(report) -> dict[str, object]:
    return {indicator.key: indicator.value for indicator in report.totals}


@pytest.fixture
def history(officer_a, officer_b, dept_a, dept_b):
    """In department A, in January 2024: the portal (on the cloud, not connected) and the old
    hotline (unified login). February: the hotline is merged into the portal. March: the portal
    connects to the sharing platform. April: a new system. Department B: one system in January."""
    portal = system_create(
        actor=officer_a,
        department=dept_a,
        data=census_data(name="政务服务门户", cloud_status="migrated"),
    )
    backdate_latest_revision(portal, dt.date(2024, 1, 10))
    hotline = system_create(
        actor=officer_a,
        department=dept_a,
        data=census_data(
            name="老热线系统", function_description="市民来电登记和转办", sso_status="connected"
        ),
    )
    backdate_latest_revision(hotline, dt.date(2024, 1, 12))
    clinic = system_create(
        actor=officer_b,
        department=dept_b,
        data=census_data(name="社保经办系统", function_description="社保参保登记和待遇发放"),
    )
    backdate_latest_revision(clinic, dt.date(2024, 1, 20))
    system_set_lifecycle(actor=officer_a, system=hotline, lifecycle="merged", merged_into=portal)
    backdate_latest_revision(hotline, dt.date(2024, 2, 15))
    system_update(actor=officer_a, system=portal, data={"sharing_status": "connected"})
    backdate_latest_revision(portal, dt.date(2024, 3, 5))
    newer = system_create(
        actor=officer_a,
        department=dept_a,
        data=census_data(name="新建审批系统", function_description="工程建设项目联合审批"),
    )
    backdate_latest_revision(newer, dt.date(2024, 4, 2))
    created = {portal: 10, hotline: 12, clinic: 20, newer: 2}
    for system, day in created.items():
        month = 4 if system is newer else 1
        InformationSystem.objects.filter(pk=system.pk).update(created=at(dt.date(2024, month, day)))
    return portal, hotline, clinic, newer


def test_january_is_rebuilt_from_the_revisions_of_that_time(history, reviewer):
    report = indicator_values(reviewer, JAN)

    assert values(report) == {
        "integrated": 0,
        "connectivity": 0.0,  # 0 of 3 connected
        "cloud": 33.3,  # the portal of 3
        "zombies": None,  # no assessment had run
        "sso": 33.3,  # the hotline of 3
    }
    assert report.as_of == month_end(JAN) and not report.is_live


def test_a_merge_in_february_counts_as_integration_from_february_on(history, reviewer):
    january, february = indicator_values(reviewer, JAN), indicator_values(reviewer, FEB)

    assert values(january)["integrated"] == 0
    assert values(february)["integrated"] == 1
    connectivity = next(i for i in february.totals if i.key == "connectivity")
    assert (connectivity.numerator, connectivity.denominator) == (0, 2)  # the hotline is gone
    assert values(february)["sso"] == 0.0


def test_a_connection_in_march_raises_the_rate_in_march_and_live(history, reviewer):
    march, live = indicator_values(reviewer, MAR), indicator_values(reviewer)

    connectivity = next(i for i in march.totals if i.key == "connectivity")
    assert (connectivity.numerator, connectivity.denominator, connectivity.value) == (1, 2, 50.0)
    # live adds the April system (not connected): 1 of 3
    live_connectivity = next(i for i in live.totals if i.key == "connectivity")
    assert (live_connectivity.numerator, live_connectivity.denominator) == (1, 3)
    assert live.is_live and live.month is None


def test_per_department_breakdown_and_restriction(history, reviewer, officer_b, dept_a, dept_b):
    by_department = {
        row.department_id: {i.key: i.value for i in row.indicators}
        for row in indicator_values(reviewer, MAR).departments
    }
    assert by_department[dept_a.pk]["connectivity"] == 100.0
    assert by_department[dept_a.pk]["integrated"] == 1
    assert by_department[dept_b.pk]["connectivity"] == 0.0

    # a department's officer sees only its own systems
    own = indicator_values(officer_b, MAR)
    assert [row.department_id for row in own.departments] == [dept_b.pk]
    assert values(own)["integrated"] == 0


def test_a_system_with_no_revision_before_the_month_end_counts_as_it_is_now(reviewer):
    # loaded without the census services (no revision): the present record is all there is
    system = SystemFactory(sharing_status="connected")
    InformationSystem.objects.filter(pk=system.pk).update(created=at(dt.date(2024, 1, 5)))

    assert values(indicator_values(reviewer, JAN))["connectivity"] == 100.0
    assert values(indicator_values(reviewer, dt.date(2023, 12, 1)))["connectivity"] is None


def test_rates_over_nothing_are_none_not_zero(reviewer):
    report = indicator_values(reviewer)
    assert values(report) == {
        "integrated": 0,
        "connectivity": None,
        "cloud": None,
        "zombies": 0,
        "sso": None,
    }
    assert all(i.display in {"0", "—"} for i in report.totals)


def test_classified_and_exempt_systems_stay_out_of_the_denominators(reviewer):
    SystemFactory(is_secret=True, sso_status="not_connected")
    SystemFactory(sharing_status="not_required", sso_status="not_required", cloud_status="exempt")
    SystemFactory(sharing_status="connected", sso_status="connected", cloud_status="migrated")

    report = {i.key: (i.numerator, i.denominator) for i in indicator_values(reviewer).totals}

    assert report["connectivity"] == (1, 1)
    assert report["sso"] == (1, 1)
    assert report["cloud"] == (1, 2)  # the classified system is not exempt from migration


# --- zombies --------------------------------------------------------------------------------


def test_zombies_live_are_the_systems_with_findings(reviewer, officer_b, dept_a, dept_b):
    flagged = SystemFactory(department=dept_a)
    other = SystemFactory(department=dept_b)
    for system, rule in [(flagged, "idle"), (flagged, "detached"), (other, "idle")]:
        ZombieFinding.objects.create(system=system, rule=rule, evidence={}, assessed=at(MAR))

    assert values(indicator_values(reviewer))["zombies"] == 2
    assert values(indicator_values(officer_b))["zombies"] == 1


def test_zombies_of_a_past_month_come_from_the_assessment_that_stood_then(
    reviewer, officer_a, officer_b, dept_a, dept_b
):
    # given a January assessment flagging two systems (one per department), kept as history,
    # and a March assessment, the current one, flagging only one
    first = SystemFactory(department=dept_a)
    second = SystemFactory(department=dept_b)
    InformationSystem.objects.update(created=at(dt.date(2024, 1, 2)))
    for system in (first, second):
        ZombieFinding.objects.create(
            system=system, rule="idle", evidence={}, assessed=at(JAN), is_current=False
        )
    ZombieFinding.objects.create(system=first, rule="idle", evidence={}, assessed=at(MAR))

    # then each month shows the list as it stood, split by department and restricted
    assert values(indicator_values(reviewer, JAN))["zombies"] == 2
    assert values(indicator_values(officer_b, JAN))["zombies"] == 1
    assert values(indicator_values(reviewer, MAR))["zombies"] == 1
    assert values(indicator_values(officer_b, MAR))["zombies"] == 0
    assert values(indicator_values(reviewer, dt.date(2023, 12, 1)))["zombies"] is None
    january = {row.department_id: row for row in indicator_values(reviewer, JAN).departments}
    assert {i.key: i.value for i in january[dept_a.pk].indicators}["zombies"] == 1


def test_a_flagged_system_retired_since_is_no_zombie_from_that_month_on(
    reviewer, officer_a, dept_a
):
    # Given: a system in use in January, flagged by the January assessment and by the current
    # one (March), and retired in February.
    old = system_create(actor=officer_a, department=dept_a, data=census_data(name="旧审批系统"))
    backdate_latest_revision(old, dt.date(2024, 1, 5))
    InformationSystem.objects.filter(pk=old.pk).update(created=at(dt.date(2024, 1, 5)))
    ZombieFinding.objects.create(
        system=old, rule="idle", evidence={}, assessed=at(JAN), is_current=False
    )
    ZombieFinding.objects.create(system=old, rule="idle", evidence={}, assessed=at(MAR))

    # When: it is retired in February, and no assessment runs again.
    system_set_lifecycle(actor=officer_a, system=old, lifecycle="retired")
    backdate_latest_revision(old, dt.date(2024, 2, 10))

    # Then: January keeps what was true then; February on, and live, it is no zombie.
    assert values(indicator_values(reviewer, JAN))["zombies"] == 1
    assert values(indicator_values(reviewer, FEB))["zombies"] == 0
    assert values(indicator_values(reviewer, MAR))["zombies"] == 0
    assert values(indicator_values(reviewer))["zombies"] == 0
    assert values(indicator_values(reviewer))["integrated"] == 1


# --- months ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "24-01", "abc", "2024-01-01"])
def test_malformed_months_are_refused(text):
    with pytest.raises(ValidationError):
        parse_month(text)


def test_a_future_month_is_refused_and_the_current_one_is_live(reviewer):
    this_month = timezone.localdate().replace(day=1)
    following = month_end(this_month).date()
    with pytest.raises(ValidationError):
        parse_month(following.strftime("%Y-%m"))
    report = indicator_values(reviewer, parse_month(this_month.strftime("%Y-%m")))
    assert report.as_of <= timezone.now()


def test_month_end_is_the_first_instant_of_the_next_month_local_time():
    end = month_end(dt.date(2024, 12, 1))
    assert timezone.localtime(end).replace(tzinfo=None) == dt.datetime(2025, 1, 1)


# --- the page and the endpoint --------------------------------------------------------------


def test_the_page_shows_each_figure_with_its_formula(history, client_for, reviewer):
    response = client_for(reviewer).get(reverse("inventory:indicators"), {"month": "2024-03"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-indicator="connectivity"' in html and "50%" in html
    assert all(str(indicator.formula) in html for indicator in response.context["specs"])
    assert response.context["report"].month == MAR


def test_the_page_says_why_a_month_before_the_census_has_nothing_to_count(
    history, client_for, reviewer
):
    # given systems registered from January 2024, when December 2023 is asked for
    response = client_for(reviewer).get(reverse("inventory:indicators"), {"month": "2023-12"})

    # then the page says that no system had been registered by then, not only "0 ÷ 0"
    html = response.content.decode()
    assert response.status_code == 200 and 'id="gs-month-empty"' in html and "2023-12" in html
    march = client_for(reviewer).get(reverse("inventory:indicators"), {"month": "2024-03"})
    assert 'id="gs-month-empty"' not in march.content.decode()


@pytest.mark.parametrize("month", ["2024-13", "garbage", "2999-01"])
def test_the_page_answers_a_bad_month_with_400_and_a_message(client_for, reviewer, month):
    response = client_for(reviewer).get(reverse("inventory:indicators"), {"month": month})
    assert response.status_code == 400
    assert 'id="gs-month-error"' in response.content.decode()


def test_the_page_is_live_without_a_month(client_for, staff_a):
    response = client_for(staff_a).get(reverse("inventory:indicators"))
    assert response.status_code == 200 and response.context["report"].is_live


def test_the_endpoint_gives_totals_and_departments_for_a_month(history, reviewer, dept_a):
    body = api_client(reviewer).get(f"{API}/inventory/indicators?month=2024-02").json()

    assert body["month"] == "2024-02"
    totals = {item["key"]: item for item in body["totals"]}
    assert totals["integrated"]["value"] == 1 and totals["integrated"]["formula"]
    assert (totals["connectivity"]["numerator"], totals["connectivity"]["denominator"]) == (0, 2)
    assert dept_a.pk in {row["department"] for row in body["departments"]}


@pytest.mark.parametrize("month", ["2024-13", "x", "2024-001"])
def test_the_endpoint_refuses_a_bad_month_with_422(staff_a, month):
    response = api_client(staff_a).get(f"{API}/inventory/indicators?month={month}")
    assert "month" in assert_error_body(response, 422)["fields"]


def test_the_endpoint_refuses_a_month_not_begun_with_409(staff_a):
    # a well-formed month that clashes with today's date, not a malformed one (issue #11 item 7)
    response = api_client(staff_a).get(f"{API}/inventory/indicators?month=2999-01")
    assert "month" in assert_error_body(response, 409)["fields"]


def test_no_formula_restates_its_own_label():
    # A formula says what is counted: "已整合系统数 = 已整合系统数 + 已清理系统数" explains nothing.
    with translation.override("zh-hans"):
        circular = [spec.key for spec in SPECS if str(spec.label) in str(spec.formula)]
    assert not circular, circular
