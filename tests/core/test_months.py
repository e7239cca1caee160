"""Months typed as YYYY-MM: one parser for reports and indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from govshare.core.months import parse_month


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
