"""Months typed as YYYY-MM: one parser for reports and indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from govshare.core.months import add_months, parse_month


@pytest.mark.parametrize("text", ["2026-10", "2026-2", " 2026-02 "])
def test_a_month_is_its_first_day(text):
    assert parse_month(text) in (dt.date(2026, 10, 1), dt.date(2026, 2, 1))


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-01", "1899-12", "2026-01-01", "", "x"])
def test_a_malformed_month_names_the_field(text):
    with pytest.raises(ValidationError) as error:
        parse_month(text, field="period")
    assert set(error.value.message_dict) == {"period"}


def test_a_month_after_the_limit_is_refused():
    assert parse_month("2026-11", not_after=dt.date(2026, 11, 30)) == dt.date(2026, 11, 1)
    with pytest.raises(ValidationError):
        parse_month("2026-12", not_after=dt.date(2026, 11, 30))


@pytest.mark.parametrize(
    "day, months, moved",
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 1, 31), 36, dt.date(2029, 1, 31)),
        (dt.date(2028, 2, 29), 12, dt.date(2029, 2, 28)),
        (dt.date(2026, 11, 15), 2, dt.date(2027, 1, 15)),
    ],
)
def test_add_months_stays_within_the_month_it_lands_in(day, months, moved):
    assert add_months(day, months) == moved
