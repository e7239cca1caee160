"""Pages of the working-day calendar: everyone signed in reads, platform admins write.

Denied requests leave the calendar and the audit trail unchanged. Until the sharing URL map
includes the calendar, this module serves it itself under the ``sharing`` namespace.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import include, path, reverse
from django.utils import timezone

from govshare import urls as root_urls
from govshare.core.models import AuditEvent
from govshare.sharing import holidays, urls_calendar
from govshare.sharing.models import CalendarDay

urlpatterns = list(root_urls.urlpatterns)
if not any(getattr(p, "namespace", None) == "sharing" for p in root_urls.urlpatterns):
    urlpatterns.append(path("sharing/", include((urls_calendar.urlpatterns, "sharing"))))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]
D = dt.date.fromisoformat
READERS = ["officer_a", "staff_a", "reviewer", "auditor"]


@pytest.fixture(autouse=True)
def national_holidays():
    holidays.load(apps, None)


@pytest.fixture
def holiday():
    return CalendarDay.objects.get(date=D("2025-10-01"))


def url(name: str, *args) -> str:
    return reverse(f"sharing:{name}", args=args)


def assert_calendar_unchanged(before: list) -> None:
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == before
    assert not AuditEvent.objects.filter(action__startswith="sharing.calendar").exists()


def snapshot() -> list:
    return list(CalendarDay.objects.values_list("date", "kind", "name"))


# --- reading --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, holiday):
    for target in [
        url("calendar_current"),
        url("calendar_year", 2025),
        url("calendar_day_add"),
        url("calendar_day_edit", holiday.pk),
        url("calendar_day_delete", holiday.pk),
    ]:
        response = client.get(target)
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("who", READERS)
def test_everyone_signed_in_reads_the_calendar_without_write_controls(request, client_for, who):
    response = client_for(request.getfixturevalue(who)).get(url("calendar_year", 2025))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-day="2025-10-01" data-kind="holiday"' in html
    assert 'data-day="2025-09-28" data-kind="workday"' in html  # a worked Sunday
    assert 'data-day="2025-03-08" data-kind="rest"' in html
    assert 'data-day="2025-03-07" data-kind="work"' in html
    assert "gs-calendar-add" not in html and "gs-calendar-load" not in html
    assert url("calendar_day_edit", CalendarDay.objects.first().pk) not in html


def test_admins_see_add_edit_and_load(client_for, admin_user, holiday):
    html = client_for(admin_user).get(url("calendar_year", 2025)).content.decode()
    assert "gs-calendar-add" in html and url("calendar_year_load", 2025) in html
    assert url("calendar_day_edit", holiday.pk) in html
    # a year without national data offers no load button
    html = client_for(admin_user).get(url("calendar_year", 2030)).content.decode()
    assert "gs-calendar-load" not in html


def test_the_current_year_and_the_year_switcher(client_for, officer_a):
    response = client_for(officer_a).get(url("calendar_current"))
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year
    assert {2025, 2026} <= set(response.context["years"])


@pytest.mark.parametrize("year", [1, 1999, 2101, 99999])
def test_years_out_of_range_are_not_found(client_for, officer_a, year):
    assert client_for(officer_a).get(url("calendar_year", year)).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(
    client_for, officer_a, django_assert_max_num_queries
):
    client = client_for(officer_a)
    with django_assert_max_num_queries(12):
        assert client.get(url("calendar_year", 2026)).status_code == 200


# --- writing --------------------------------------------------------------------------------


def test_an_admin_adds_a_day(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(url("calendar_day_add") + "?date=2027-03-03").status_code == 200
    response = client.post(
        url("calendar_day_add"), {"date": "2027-03-03", "kind": "holiday", "name": "测试假日"}
    )
    assert response.status_code == 302 and response.url == url("calendar_year", 2027)
    assert CalendarDay.objects.get(date=D("2027-03-03")).name == "测试假日"
    assert AuditEvent.objects.filter(action="sharing.calendar_day.create").count() == 1


def test_an_admin_edits_a_day_but_not_its_date(client_for, admin_user, holiday):
    response = client_for(admin_user).post(
        url("calendar_day_edit", holiday.pk),
        {"date": "2027-01-01", "kind": "holiday", "name": "国庆节"},
    )
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert (holiday.date, holiday.name) == (D("2025-10-01"), "国庆节")
    assert not CalendarDay.objects.filter(date=D("2027-01-01")).exists()


def test_an_admin_deletes_a_day_after_confirming(client_for, admin_user, holiday):
    client = client_for(admin_user)
    assert client.get(url("calendar_day_delete", holiday.pk)).status_code == 200
    assert CalendarDay.objects.filter(pk=holiday.pk).exists()
    response = client.post(url("calendar_day_delete", holiday.pk))
    assert response.status_code == 302 and response.url == url("calendar_year", 2025)
    assert not CalendarDay.objects.filter(pk=holiday.pk).exists()


def test_an_admin_loads_a_known_year(client_for, admin_user):
    CalendarDay.objects.filter(date__year=2026).delete()
    response = client_for(admin_user).post(url("calendar_year_load", 2026))
    assert response.status_code == 302 and response.url == url("calendar_year", 2026)
    assert CalendarDay.objects.filter(date__year=2026).count() == len(holidays.days_of(2026))


def test_loading_an_unknown_year_says_so_and_writes_nothing(client_for, admin_user):
    before = snapshot()
    response = client_for(admin_user).post(url("calendar_year_load", 2031), follow=True)
    assert response.status_code == 200
    (message,) = [str(m) for m in response.context["messages"]]
    assert "2031" in message and "2026" in message
    assert_calendar_unchanged(before)


def test_load_acts_on_post_only(client_for, admin_user):
    response = client_for(admin_user).get(url("calendar_year_load", 2026))
    assert response.status_code == 302 and response["Location"] == url("calendar_year", 2026)


@pytest.mark.parametrize("who", READERS)
def test_non_admins_cannot_write(request, client_for, holiday, who):
    client = client_for(request.getfixturevalue(who))
    before = snapshot()
    add = {"date": "2027-03-03", "kind": "holiday", "name": "x"}
    assert client.get(url("calendar_day_add")).status_code == 403
    assert client.post(url("calendar_day_add"), add).status_code == 403
    assert client.get(url("calendar_day_edit", holiday.pk)).status_code == 403
    edit = {"kind": "holiday", "name": "改名"}
    assert client.post(url("calendar_day_edit", holiday.pk), edit).status_code == 403
    assert client.get(url("calendar_day_delete", holiday.pk)).status_code == 403
    assert client.post(url("calendar_day_delete", holiday.pk)).status_code == 403
    assert client.post(url("calendar_year_load", 2026)).status_code == 403
    assert_calendar_unchanged(before)


def test_anonymous_posts_change_nothing(client, holiday):
    before = snapshot()
    add = {"date": "2027-03-03", "kind": "holiday", "name": "x"}
    for response in [
        client.post(url("calendar_day_add"), add),
        client.post(url("calendar_day_edit", holiday.pk), {"kind": "holiday", "name": "改名"}),
        client.post(url("calendar_day_delete", holiday.pk)),
        client.post(url("calendar_year_load", 2026)),
    ]:
        assert response.status_code == 302
        assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert_calendar_unchanged(before)


def test_a_missing_day_is_not_found(client_for, admin_user):
    assert client_for(admin_user).get(url("calendar_day_edit", 999999)).status_code == 404


# --- malformed input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"date": "2027-02-30", "kind": "holiday", "name": "x"}, "date"),
        ({"date": "not a date", "kind": "holiday", "name": "x"}, "date"),
        ({"date": "", "kind": "holiday", "name": "x"}, "date"),
        ({"date": "2027-03-03", "kind": "bogus", "name": "x"}, "kind"),
        ({"date": "2027-03-03", "kind": "workday", "name": "x"}, "kind"),  # a Wednesday
        ({"date": "2027-03-03", "kind": "holiday", "name": "   "}, "name"),
        ({"date": "2027-03-03", "kind": "holiday", "name": "长" * 51}, "name"),
        ({}, "date"),
    ],
)
def test_malformed_input_is_a_field_error(client_for, admin_user, data, field):
    before = snapshot()
    response = client_for(admin_user).post(url("calendar_day_add"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert_calendar_unchanged(before)


def test_a_malformed_date_in_the_query_is_ignored(client_for, admin_user):
    response = client_for(admin_user).get(url("calendar_day_add") + "?date=2027-13-45")
    assert response.status_code == 200
    assert not response.context["form"].initial.get("date")


def test_an_invalid_edit_is_a_field_error(client_for, admin_user, holiday):
    # 1 Oct 2025 is a Wednesday: it cannot become an adjusted working day
    response = client_for(admin_user).post(
        url("calendar_day_edit", holiday.pk), {"kind": "workday", "name": "x"}
    )
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    holiday.refresh_from_db()
    assert holiday.kind == "holiday"
