"""National public holidays (法定节假日) and adjusted working days (调休上班日), as data.

Source: the State Council General Office's notices on the holiday arrangements
(国务院办公厅关于2025年部分节假日安排的通知; 国务院办公厅关于2026年部分节假日安排的通知).
Every day of each holiday period is listed, weekend days included, so the calendar page shows
the whole period; the working-day functions give the same answer either way.

``load`` is the data migration's function and is idempotent: a date already in the calendar
(perhaps edited by an administrator) is left alone. Services use ``days_of`` to load a year on
demand and then do overwrite.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

HOLIDAY = "holiday"  # DayKind.HOLIDAY; plain strings so the migration does not import models
WORKDAY = "workday"  # DayKind.WORKDAY


class NationalDay(NamedTuple):
    date: dt.date
    kind: str
    name: str


def _off(name: str, first: str, last: str | None = None) -> list[NationalDay]:
    start = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last or first)
    count = (end - start).days + 1
    return [NationalDay(start + dt.timedelta(days=n), HOLIDAY, name) for n in range(count)]


def _work(name: str, day: str) -> list[NationalDay]:
    return [NationalDay(dt.date.fromisoformat(day), WORKDAY, f"{name}调休上班")]


NATIONAL_DAYS: dict[int, list[NationalDay]] = {
    2025: [
        *_off("元旦", "2025-01-01"),
        *_work("春节", "2025-01-26"),
        *_off("春节", "2025-01-28", "2025-02-04"),
        *_work("春节", "2025-02-08"),
        *_off("清明节", "2025-04-04", "2025-04-06"),
        *_work("劳动节", "2025-04-27"),
        *_off("劳动节", "2025-05-01", "2025-05-05"),
        *_off("端午节", "2025-05-31", "2025-06-02"),
        *_work("国庆节、中秋节", "2025-09-28"),
        *_off("国庆节、中秋节", "2025-10-01", "2025-10-08"),
        *_work("国庆节、中秋节", "2025-10-11"),
    ],
    2026: [
        *_off("元旦", "2026-01-01", "2026-01-03"),
        *_work("元旦", "2026-01-04"),
        *_work("春节", "2026-02-14"),
        *_off("春节", "2026-02-15", "2026-02-23"),
        *_work("春节", "2026-02-28"),
        *_off("清明节", "2026-04-04", "2026-04-06"),
        *_off("劳动节", "2026-05-01", "2026-05-05"),
        *_work("劳动节", "2026-05-09"),
        *_off("端午节", "2026-06-19", "2026-06-21"),
        *_work("国庆节", "2026-09-20"),
        *_off("中秋节", "2026-09-25", "2026-09-27"),
        *_off("国庆节", "2026-10-01", "2026-10-07"),
        *_work("国庆节", "2026-10-10"),
    ],
}


def known_years() -> list[int]:
    return sorted(NATIONAL_DAYS)


def days_of(year: int) -> list[NationalDay]:
    """The holidays and adjusted working days of ``year``; empty when the year is not known."""
    return list(NATIONAL_DAYS.get(year, ()))


def load(apps: Any, schema_editor: Any, years: tuple[int, ...] = (2025, 2026)) -> None:
    """Seed ``years`` into the calendar (data migration; tests call it too). Idempotent."""
    calendar_day = apps.get_model("sharing", "CalendarDay")
    for year in years:
        for day in days_of(year):
            calendar_day.objects.get_or_create(
                date=day.date, defaults={"kind": day.kind, "name": day.name}
            )
