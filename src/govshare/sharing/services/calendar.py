"""Writes of the working-day calendar (工作日历): platform administrators set and delete
exceptions to Monday–Friday, or load a year's national holidays (法定节假日) and adjusted
working days (调休) from ``sharing/holidays.py``.

Deadlines already set on requests are not moved: a deadline is fixed when its clock starts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import models, transaction
from django.utils.translation import gettext as _

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import require
from govshare.sharing import holidays
from govshare.sharing.calendar import SATURDAY
from govshare.sharing.choices import DayKind
from govshare.sharing.models import CalendarDay

NAME_MAX_LENGTH: int = cast(models.CharField, CalendarDay._meta.get_field("name")).max_length or 50


def calendar_day_set(*, actor: Actor, date: Any, kind: Any, name: Any) -> CalendarDay:
    """Mark ``date`` as a holiday or an adjusted working day, creating or updating its row."""
    existing = CalendarDay.objects.filter(date=date).first() if _is_date(date) else None
    if existing is None:
        require(actor, "add", CalendarDay)
    else:
        require(actor, "change", existing)
    name = _validate(date, kind, name)
    with transaction.atomic():
        before = audit.snapshot(existing) if existing else None
        day, created = CalendarDay.objects.update_or_create(
            date=date, defaults={"kind": kind, "name": name}
        )
        audit.record(
            actor=actor,
            action="sharing.calendar_day.create" if created else "sharing.calendar_day.update",
            obj=day,
            before=before,
            after=audit.snapshot(day),
        )
    return day


def calendar_day_delete(*, actor: Actor, day: CalendarDay) -> None:
    """Remove an exception: the date follows the Monday–Friday rule again."""
    require(actor, "delete", day)
    with transaction.atomic():
        before = audit.snapshot(day)
        object_id, object_repr = str(day.pk), str(day)
        day.delete()
        audit.record(
            actor=actor,
            action="sharing.calendar_day.delete",
            object_type=audit.object_type_of(CalendarDay),
            object_id=object_id,
            object_repr=object_repr,
            before=before,
        )


def calendar_year_load(*, actor: Actor, year: Any) -> int:
    """Load ``year``'s national holidays from the State Council notice; returns the rows written.

    Rows of the notice replace what the calendar holds for those dates; other rows an
    administrator added in that year stay.
    """
    require(actor, "add", CalendarDay)
    national = holidays.days_of(year) if isinstance(year, int) else []
    if not national:
        known = "、".join(str(y) for y in holidays.known_years())
        raise field_error(
            "year",
            _("No national holiday data for %(year)s; known years: %(known)s.")
            % {"year": year, "known": known},
            ErrorCode.NOT_FOUND,
        )
    with transaction.atomic():
        written = 0
        for entry in national:
            day, created = CalendarDay.objects.get_or_create(
                date=entry.date, defaults={"kind": entry.kind, "name": entry.name}
            )
            if not created and (day.kind, day.name) != (entry.kind, entry.name):
                day.kind, day.name = entry.kind, entry.name
                day.save(update_fields=["kind", "name"])
                created = True  # counted as written
            written += created
        audit.record(
            actor=actor,
            action="sharing.calendar.load_year",
            object_type=audit.object_type_of(CalendarDay),
            object_id=str(year),
            object_repr=_("National holidays of %(year)s") % {"year": year},
            after={"year": year, "rows": len(national), "written": written},
        )
    return written


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _validate(date: Any, kind: Any, name: Any) -> str:
    """Every rule at once; returns the cleaned name."""
    errors = ErrorCollector()
    name = str(name or "").strip()
    if not _is_date(date):
        errors.add("date", _("Enter a valid date."), ErrorCode.INVALID)
    if kind not in DayKind.values:
        errors.add("kind", _("Choose a holiday or an adjusted working day."), ErrorCode.INVALID)
    elif kind == DayKind.WORKDAY and _is_date(date) and date.weekday() < SATURDAY:
        errors.add(
            "kind",
            _(
                "Monday to Friday is already a working day; only a Saturday or Sunday can be an "
                "adjusted working day."
            ),
            ErrorCode.INVALID,
        )
    if not name:
        errors.add("name", _("Give the day a name, such as the holiday's."), ErrorCode.REQUIRED)
    elif len(name) > NAME_MAX_LENGTH:
        errors.add(
            "name",
            _("At most %(max)s characters.") % {"max": NAME_MAX_LENGTH},
            ErrorCode.INVALID,
        )
    errors.raise_if_any()
    return name
