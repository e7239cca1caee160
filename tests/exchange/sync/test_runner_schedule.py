"""Schedules (exchange/sync/schedule.py): a five-field cron parser of our own and the resource's
update cycle when a subscription names no schedule. Times are the node's (Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govshare.catalog.choices import UpdateCycle
from govshare.exchange.sync.schedule import (
    CYCLE_SCHEDULES,
    CronError,
    next_time,
    parse_cron,
    schedule_of,
)

LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LOCAL)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("* * * * *", at(2026, 12, 7, 10, 15, 30), at(2026, 12, 7, 10, 16)),
        ("0 2 * * *", at(2026, 12, 7, 2, 0), at(2026, 12, 8, 2, 0)),  # strictly after
        ("0 2 * * *", at(2026, 12, 7, 1, 59), at(2026, 12, 7, 2, 0)),
        ("*/15 * * * *", at(2026, 12, 7, 10, 16), at(2026, 12, 7, 10, 30)),
        ("5-10/2 8-18 * * *", at(2026, 12, 7, 18, 10), at(2026, 12, 8, 8, 5)),
        ("30 9 1,15 * *", at(2026, 12, 2, 0, 0), at(2026, 12, 15, 9, 30)),
        ("0 0 * * 0", at(2026, 12, 7, 0, 0), at(2026, 12, 13, 0, 0)),  # Sunday as 0
        ("0 0 * * 7", at(2026, 12, 7, 0, 0), at(2026, 12, 13, 0, 0)),  # and as 7
        ("0 0 1 * 1", at(2026, 12, 2, 0, 0), at(2026, 12, 7, 0, 0)),  # either day field
        ("0 0 29 2 *", at(2026, 3, 1, 0, 0), at(2028, 2, 29, 0, 0)),
        ("0 2 * * *", at(2028, 2, 29, 12, 0), at(2028, 3, 1, 2, 0)),  # from a 29 February
        ("59 23 31 12 *", at(2026, 12, 31, 23, 59), at(2027, 12, 31, 23, 59)),
    ],
)
def test_the_next_time_a_schedule_matches(expression, after, expected):
    assert next_time(expression, after) == expected


def test_an_expression_that_never_matches_has_no_next_time():
    assert next_time("0 0 31 2 *", at(2026, 1, 1, 0, 0)) is None


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("* * * *", "five fields"),
        ("60 * * * *", "from 0 to 59"),
        ("* 24 * * *", "from 0 to 23"),
        ("* * 0 * *", "from 1 to 31"),
        ("* * * 13 *", "from 1 to 12"),
        ("* * * * 8", "from 0 to 7"),
        ("*/0 * * * *", "at least 1"),
        ("a * * * *", "not a number"),
        ("5-1 * * * *", "does not fit"),
        ("1,,2 * * * *", "not a number"),
    ],
)
def test_a_malformed_expression_is_refused_naming_the_field(expression, words, english):
    with pytest.raises(CronError, match=words):
        parse_cron(expression)


@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    after=st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2035, 1, 1)),
)
def test_a_daily_time_comes_within_a_day_and_on_that_minute(minute, hour, after):
    after = after.replace(tzinfo=LOCAL)
    found = next_time(f"{minute} {hour} * * *", after)
    assert found is not None and after < found <= after + dt.timedelta(days=1)
    assert (found.hour, found.minute, found.second) == (hour, minute, 0)


def test_without_a_schedule_the_update_cycle_decides():
    assert schedule_of("", UpdateCycle.DAILY) == "0 2 * * *"
    assert schedule_of("", UpdateCycle.REALTIME) == "*/5 * * * *"
    assert schedule_of("", UpdateCycle.IRREGULAR) is None  # run now only
    assert schedule_of(" 15 3 * * * ", UpdateCycle.DAILY) == "15 3 * * *"
    for cycle, expression in CYCLE_SCHEDULES.items():
        assert expression is None or next_time(expression, at(2026, 1, 1, 0, 0)), cycle
