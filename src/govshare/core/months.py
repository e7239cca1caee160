"""Months as people type them (``YYYY-MM``), for reports and indicators of a past month."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.utils.translation import gettext as _

from govshare.core.errors import ErrorCode, field_error

# 2026-02 or 2026-2, from 1900; the REST API states it as the pattern of a month
# (core.web.api_inputs).
MONTH_REGEX = "(19[0-9]{2}|[2-9][0-9]{3})-(0?[1-9]|1[0-2])"
MONTH_PATTERN = re.compile(MONTH_REGEX)


def parse_month(text: str, field: str = "month", *, not_after: dt.date | None = None) -> dt.date:
    """``"2026-10"`` → 2026-10-01; a malformed month, or one after ``not_after``'s month, is a
    validation error naming ``field``."""
    match = MONTH_PATTERN.fullmatch((text or "").strip())
    if match is None:
        raise field_error(field, _("Enter a month as YYYY-MM, e.g. 2026-10."), ErrorCode.INVALID)
    month = dt.date(int(match.group(1)), int(match.group(2)), 1)
    if not_after is not None and month > not_after.replace(day=1):
        raise field_error(field, _("The month has not begun yet."), ErrorCode.CONFLICT)
    return month


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, kept within the month it lands in (01-31 + 1 → 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
