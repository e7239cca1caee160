"""The working-day calendar: counting rules, the national holiday data, and its services."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from govshare.core.models import AuditEvent
from govshare.sharing import holidays
from govshare.sharing.calendar import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    next_working_day,
    working_days_between,
)
from govshare.sharing.choices import DayKind
from govshare.sharing.models import CalendarDay
from govshare.sharing.services.calendar import (
    calendar_day_delete,
    calendar_day_set,
    calendar_year_load,
)

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture(autouse=True)
def national_holidays():
    """The data migration seeds them; a transactional test elsewhere may have flushed them."""
    holidays.load(apps, None)


# --- counting -------------------------------------------------------------------------------


def test_national_day_2025_ten_working_days_skip_the_holiday_and_count_worked_weekends():
    # given Fri 26 Sep 2025; Sun 28 Sep worked, 1–8 Oct off, Sat 11 Oct worked
    # when ten working days are added
    due = add_working_days(D("2025-09-26"), 10)
    # then 28, 29, 30 Sep, 9, 10, 11, 13, 14, 15, 16 Oct count: due Thu 16 Oct
    assert due == D("2025-10-16")


def test_spring_festival_2026_counts_both_worked_saturdays():
    # given Fri 13 Feb 2026; Sat 14 Feb worked, 15–23 Feb off, Sat 28 Feb worked
    due = add_working_days(D("2026-02-13"), 10)
    # then 14, 24, 25, 26, 27, 28 Feb, 2, 3, 4, 5 Mar count
    assert due == D("2026-03-05")


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-03-03", 1, "2025-03-04"),  # a Monday: the next day
        ("2025-03-07", 2, "2025-03-11"),  # a Friday: the weekend does not count
        ("2025-03-08", 1, "2025-03-10"),  # a Saturday: itself never counts
        ("2026-02-14", 1, "2026-02-24"),  # a worked Saturday does not count as the start either
        ("2025-10-01", 2, "2025-10-10"),  # a holiday start
        ("2025-03-05", 0, "2025-03-05"),
        ("2025-10-16", -10, "2025-09-26"),  # backwards
    ],
)
def test_the_start_day_never_counts(start, days, due):
    assert add_working_days(D(start), days) == D(due)


def test_working_days_between_counts_the_half_open_interval():
    assert working_days_between(D("2025-09-26"), D("2025-10-16")) == 10
    assert working_days_between(D("2025-10-16"), D("2025-09-26")) == -10
    assert working_days_between(D("2025-03-05"), D("2025-03-05")) == 0
    assert working_days_between(D("2025-03-07"), D("2025-03-09")) == 0  # (Fri, Sun]
    assert working_days_between(D("2025-03-07"), D("2025-03-10")) == 1


def test_is_working_day_and_next_working_day():
    assert is_working_day(D("2025-01-26"))  # a worked Sunday (调休)
    assert not is_working_day(D("2025-10-01"))
    assert not is_working_day(D("2025-03-08"))  # an ordinary Saturday
    assert is_working_day(D("2025-03-07"))
    assert next_working_day(D("2025-09-30")) == D("2025-10-09")


def test_weekend_holiday_rows_and_weekday_workday_rows_change_nothing():
    # given the national day's Saturday without its row, and a stray workday row on a Tuesday
    CalendarDay.objects.filter(date=D("2025-10-04")).delete()
    CalendarDay.objects.create(date=D("2025-03-04"), kind=DayKind.WORKDAY, name="无意义")
    # then both follow the weekday rule, and the deadline is the same
    assert not is_working_day(D("2025-10-04"))
    assert is_working_day(D("2025-03-04"))
    assert add_working_days(D("2025-09-26"), 10) == D("2025-10-16")


def test_a_deadline_across_the_new_year_reads_both_years(django_assert_num_queries):
    # given a start at the end of 2025: the window reaches into 2026 (元旦 1–3 Jan, 4 Jan worked)
    # when / then one query reads both years
    with django_assert_num_queries(1):
        due = add_working_days(D("2025-12-30"), 5)
    # 31 Dec, 4 Jan (Sun, worked), 5, 6, 7 Jan
    assert due == D("2026-01-07")


def test_one_calendar_answers_many_questions_with_one_query(django_assert_num_queries):
    calendar = WorkingCalendar()
    with django_assert_num_queries(1):
        calendar.preload(D("2025-01-01"), D("2026-12-31"))
        assert calendar.working_days_between(D("2025-09-26"), D("2025-10-16")) == 10
        assert calendar.add_working_days(D("2026-02-13"), 10) == D("2026-03-05")


def test_an_impossible_deadline_fails_instead_of_looping():
    CalendarDay.objects.bulk_create(
        CalendarDay(date=D("2030-01-01") + dt.timedelta(days=n), kind=DayKind.HOLIDAY, name="x")
        for n in range(4 * 366)
    )
    with pytest.raises(ValueError):
        add_working_days(D("2029-12-31"), 1)


# --- the national holiday data --------------------------------------------------------------


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_year_gives_thirteen_statutory_days_off(year):
    # 全体公民放假的节日 total 13 days from 2025: weekday holidays minus worked weekend days
    days = holidays.days_of(year)
    weekday_holidays = [d for d in days if d.kind == holidays.HOLIDAY and d.date.weekday() < 5]
    workdays = [d for d in days if d.kind == holidays.WORKDAY]
    assert all(d.date.weekday() >= 5 and d.date.year == year for d in workdays)
    assert len(weekday_holidays) - len(workdays) == 13


def test_the_migration_seed_is_idempotent():
    before = CalendarDay.objects.count()
    holidays.load(apps, None)
    assert (
        CalendarDay.objects.count() == before == sum(len(holidays.days_of(y)) for y in (2025, 2026))
    )


# --- services -------------------------------------------------------------------------------


def test_an_admin_added_holiday_moves_a_new_deadline(admin_user):
    # given Mon 1 Mar 2027: three working days end on Thu 4 Mar
    assert add_working_days(D("2027-03-01"), 3) == D("2027-03-04")
    # when the admin marks Wed 3 Mar a holiday
    day = calendar_day_set(actor=admin_user, date=D("2027-03-03"), kind="holiday", name="测试假日")
    # then the deadline moves to Fri 5 Mar, and the change is audited
    assert add_working_days(D("2027-03-01"), 3) == D("2027-03-05")
    event = AuditEvent.objects.get(action="sharing.calendar_day.create")
    assert event.object_id == str(day.pk) and event.after["name"] == "测试假日"


def test_setting_an_existing_date_updates_it(admin_user):
    calendar_day_set(actor=admin_user, date=D("2025-10-08"), kind="holiday", name="国庆节")
    assert CalendarDay.objects.get(date=D("2025-10-08")).name == "国庆节"
    event = AuditEvent.objects.get(action="sharing.calendar_day.update")
    assert event.before["name"] == "国庆节、中秋节" and event.after["name"] == "国庆节"


@pytest.mark.parametrize(
    ("date", "kind", "name", "field"),
    [
        ("2027-03-03", "holiday", "x", "date"),  # not a date object
        (None, "holiday", "x", "date"),
        (D("2027-03-03"), "rest", "x", "kind"),
        (D("2027-03-03"), "workday", "x", "kind"),  # a Wednesday is already worked
        (D("2027-03-06"), "holiday", "  ", "name"),
        (D("2027-03-06"), "holiday", "长" * 51, "name"),
    ],
)
def test_invalid_days_are_refused_naming_the_field(admin_user, date, kind, name, field):
    with pytest.raises(ValidationError) as caught:
        calendar_day_set(actor=admin_user, date=date, kind=kind, name=name)
    assert field in caught.value.message_dict
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_a_worked_saturday_is_accepted(admin_user):
    day = calendar_day_set(actor=admin_user, date=D("2027-03-06"), kind="workday", name="调休")
    assert is_working_day(day.date)


@pytest.mark.parametrize("who", ["officer_a", "reviewer", "auditor", "staff_a"])
def test_only_administrators_write_the_calendar(request, who):
    actor = request.getfixturevalue(who)
    existing = CalendarDay.objects.get(date=D("2025-10-01"))
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=actor, date=D("2027-03-03"), kind="holiday", name="x")
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=actor, date=D("2025-10-01"), kind="holiday", name="改名")
    with pytest.raises(PermissionDenied):
        calendar_day_delete(actor=actor, day=existing)
    with pytest.raises(PermissionDenied):
        calendar_year_load(actor=actor, year=2026)
    existing.refresh_from_db()
    assert existing.name == "国庆节、中秋节"
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    assert not AuditEvent.objects.filter(action__startswith="sharing.calendar").exists()


def test_delete_restores_the_weekday_rule(admin_user):
    day = CalendarDay.objects.get(date=D("2025-10-08"))
    calendar_day_delete(actor=admin_user, day=day)
    assert is_working_day(D("2025-10-08"))
    event = AuditEvent.objects.get(action="sharing.calendar_day.delete")
    assert event.before["date"] == "2025-10-08"


def test_loading_a_year_restores_the_notice(admin_user):
    # given 2026 partly deleted and one day renamed by hand
    CalendarDay.objects.filter(date__month=2, date__year=2026).delete()
    CalendarDay.objects.filter(date=D("2026-10-01")).update(name="改过的名字")
    # when the year is loaded
    written = calendar_year_load(actor=admin_user, year=2026)
    # then the notice's rows are back, and loading again writes nothing
    assert written == 12  # 14 Feb, the nine days 15–23 Feb, 28 Feb, and 1 Oct renamed back
    assert CalendarDay.objects.get(date=D("2026-10-01")).name == "国庆节"
    assert add_working_days(D("2026-02-13"), 10) == D("2026-03-05")
    assert calendar_year_load(actor=admin_user, year=2026) == 0
    assert AuditEvent.objects.filter(action="sharing.calendar.load_year").count() == 2


@pytest.mark.parametrize("year", [2031, 1999, "2026"])
def test_unknown_years_are_refused_with_the_known_years(admin_user, year):
    with pytest.raises(ValidationError) as caught:
        calendar_year_load(actor=admin_user, year=year)
    (message,) = caught.value.message_dict["year"]
    assert "2025" in message and "2026" in message


# --- the calendar_import command ------------------------------------------------------------


def test_the_command_loads_a_year_and_imports_a_csv(tmp_path):
    CalendarDay.objects.filter(date__year=2026).delete()
    out = StringIO()
    call_command("calendar_import", "2026", stdout=out)
    assert CalendarDay.objects.filter(date__year=2026).count() == len(holidays.days_of(2026))
    source = tmp_path / "days.csv"
    source.write_text("date,kind,name\n2027-02-06,workday,春节调休上班\n2027-02-08,holiday,春节\n")
    call_command("calendar_import", "--csv", str(source), stdout=out)
    assert is_working_day(D("2027-02-06")) and not is_working_day(D("2027-02-08"))
    event = AuditEvent.objects.filter(action="sharing.calendar_day.create").first()
    assert event.actor_name == "system" and event.source == "cli"


def test_the_command_stops_at_the_first_bad_row_and_writes_nothing(tmp_path):
    source = tmp_path / "days.csv"
    source.write_text("date,kind,name\n2027-02-06,workday,调休\n2027-02-09,workday,周二\n")
    with pytest.raises(CommandError, match="line 3"):
        call_command("calendar_import", "--csv", str(source))
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    with pytest.raises(CommandError):
        call_command("calendar_import", "2031")
