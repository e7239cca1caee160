"""Pages of the working-day calendar (工作日历): a year's months with holidays and adjusted
working days (调休), and the administrators' forms to maintain it.

Everyone signed in reads the calendar; platform administrators add, edit and delete days and
load a year's national holidays (sharing/holidays.py).
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from govshare.core.forms import submit
from govshare.core.navigation import NavItem
from govshare.core.permissions import can, require
from govshare.core.web.action_views import action_view
from govshare.core.web.pages import Crumb, post_data, render_form_page
from govshare.sharing import holidays
from govshare.sharing.calendar import SATURDAY, WorkingCalendar
from govshare.sharing.choices import DayKind
from govshare.sharing.forms import CalendarDayForm
from govshare.sharing.models import CalendarDay
from govshare.sharing.services.calendar import (
    calendar_day_delete,
    calendar_day_set,
    calendar_year_load,
)

NAMESPACE = "sharing"  # the lead includes urls_calendar.urlpatterns under this namespace
FIRST_YEAR, LAST_YEAR = 2000, 2100  # pages outside these years are not found
# Column heads of a month, Monday first; short enough for a seven-column grid (一 … 日).
WEEKDAY_HEADERS = [
    pgettext_lazy("calendar weekday", "Mo"),
    pgettext_lazy("calendar weekday", "Tu"),
    pgettext_lazy("calendar weekday", "We"),
    pgettext_lazy("calendar weekday", "Th"),
    pgettext_lazy("calendar weekday", "Fr"),
    pgettext_lazy("calendar weekday", "Sa"),
    pgettext_lazy("calendar weekday", "Su"),
]

# For the lead's navigation section (govshare.core.navigation); registering it here would break
# every page while the URLs are not included yet.
CALENDAR_NAV_ITEM = NavItem(gettext_lazy("Working-day calendar"), f"{NAMESPACE}:calendar_current")


# --- reading --------------------------------------------------------------------------------


@login_required
def calendar_year(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """A year's twelve months, holidays in red and adjusted working days marked."""
    today = timezone.localdate()
    year = year or today.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    rows = list(CalendarDay.objects.restrict(request.user, "view").filter(date__year=year))
    can_write = can(request.user, "add", CalendarDay)
    context = {
        "year": year,
        "today": today,
        "months": _months(year, {row.date: row for row in rows}),
        "weekdays": WEEKDAY_HEADERS,
        "rows": rows,
        "years": _switcher_years(year, today),
        "can_write": can_write,
        "can_load": can_write and year in holidays.known_years(),
    }
    return render(request, "sharing/calendar.html", context)


def _months(year: int, rows: dict[dt.date, CalendarDay]) -> list[dict[str, Any]]:
    """Each month as weeks of cells (None outside the month), Monday first."""
    grid = month_calendar.Calendar(firstweekday=0)
    working = WorkingCalendar()
    working.preload(dt.date(year, 1, 1), dt.date(year, 12, 31))
    months = []
    for month in range(1, 13):
        weeks = [
            [
                _cell(day, rows.get(day), working.is_working_day(day))
                if day.month == month
                else None
                for day in week
            ]
            for week in grid.monthdatescalendar(year, month)
        ]
        months.append({"number": month, "name": MONTHS[month], "weeks": weeks})
    return months


# Kind of cell → (cell classes, link classes): holidays red, adjusted working days amber.
CELL_STYLES = {
    "holiday": ("bg-danger-subtle text-danger fw-semibold", "link-danger"),
    "workday": ("bg-warning-subtle fw-semibold", "link-body-emphasis"),
    "rest": ("text-body-secondary", "link-secondary"),
    "work": ("", "link-body-emphasis"),
}


def _cell(day: dt.date, row: CalendarDay | None, is_working: bool) -> dict[str, Any]:
    if row is not None and row.kind == DayKind.HOLIDAY and not is_working:
        kind = "holiday"
    elif row is not None and row.kind == DayKind.WORKDAY and day.weekday() >= SATURDAY:
        kind = "workday"
    else:
        kind = "work" if is_working else "rest"
    css, link_css = CELL_STYLES[kind]
    return {"date": day, "row": row, "kind": kind, "css": css, "link_css": link_css}


def _switcher_years(year: int, today: dt.date) -> list[int]:
    stored = {day.year for day in CalendarDay.objects.dates("date", "year")}
    nearby = {today.year - 1, today.year, today.year + 1, year}
    return sorted(stored | nearby | set(holidays.known_years()))


# --- writing (platform administrators) ------------------------------------------------------


@login_required
def calendar_day_add(request: HttpRequest) -> HttpResponse:
    require(request.user, "add", CalendarDay)
    form = CalendarDayForm(post_data(request), initial=_initial_date(request))
    day = submit(form, lambda data: calendar_day_set(actor=request.user, **data))
    if day is not None:
        messages.success(request, _("%(day)s saved.") % {"day": day})
        return redirect(_year_url(day.date.year))
    year = form.initial.get("date", timezone.localdate()).year
    return _form_page(request, form, _("Add a calendar day"), year)


@login_required
def calendar_day_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = _visible_day(request, pk)
    require(request.user, "change", row)
    form = CalendarDayForm(
        post_data(request), initial={"date": row.date, "kind": row.kind, "name": row.name}
    )
    form.fields["date"].disabled = True  # a row is its date; delete it and add another to move
    day = submit(form, lambda data: calendar_day_set(actor=request.user, **data))
    if day is not None:
        messages.success(request, _("%(day)s saved.") % {"day": day})
        return redirect(_year_url(day.date.year))
    return _form_page(request, form, _("Edit %(day)s") % {"day": row}, row.date.year)


@login_required
def calendar_day_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then delete (POST)."""
    row = _visible_day(request, pk)
    require(request.user, "delete", row)
    if request.method == "POST":
        calendar_day_delete(actor=request.user, day=row)
        messages.success(request, _("%(day)s deleted.") % {"day": row})
        return redirect(_year_url(row.date.year))
    context = {"day": row, "cancel_url": _year_url(row.date.year)}
    return render(request, "sharing/calendar_delete.html", context)


@login_required
@action_view("sharing:calendar_year", keep=("year",))
def calendar_year_load_view(request: HttpRequest, year: int) -> HttpResponse:
    require(request.user, "add", CalendarDay)
    try:
        written = calendar_year_load(actor=request.user, year=year)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("National holidays of %(year)s loaded: %(count)s days written.")
            % {"year": year, "count": written},
        )
    return redirect(_year_url(year if FIRST_YEAR <= year <= LAST_YEAR else None))


def _visible_day(request: HttpRequest, pk: int) -> CalendarDay:
    return get_object_or_404(CalendarDay.objects.restrict(request.user, "view"), pk=pk)


def _initial_date(request: HttpRequest) -> dict[str, Any]:
    """``?date=YYYY-MM-DD`` from a day of the calendar page; anything else is ignored."""
    try:
        return {"date": dt.date.fromisoformat(request.GET.get("date", ""))}
    except ValueError:
        return {}


def _year_url(year: int | None) -> str:
    if year is None:
        return reverse(f"{NAMESPACE}:calendar_current")
    return reverse(f"{NAMESPACE}:calendar_year", args=[year])


def _form_page(request: HttpRequest, form: forms.Form, title: str, year: int) -> HttpResponse:
    response = render_form_page(
        request,
        form,
        title=title,
        crumbs=[Crumb(_("Working-day calendar"), _year_url(year))],
        cancel_url=_year_url(year),
        intro=_(
            "Monday to Friday are working days unless marked as a holiday; Saturday and Sunday "
            "are rest days unless marked as an adjusted working day. Deadlines already set on "
            "requests do not move."
        ),
    )
    if form.is_bound:
        response.status_code = 400
    return response
