"""Months as people type them (``YYYY-MM``), for reports and indicators of a past month."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from govshare.core.errors import ErrorCode, field_error

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")  # 2026-02 or 2026-2


def parse_month(text: str, field: str = "month", *, not_after: dt.date | None = None) -> dt.date:
    """``"2026-10"`` → 2026-10-01; a malformed month, or one after ``not_after``'s month, is a
    validation error naming ``field``."""
    match = MONTH_PATTERN.match((text or "").strip())
    number = int(match.group(2)) if match else 0
    if match is None or not 1 <= number <= 12 or int(match.group(1)) < 1900:
        raise field_error(field, _("Enter a month as YYYY-MM, e.g. 2026-10."), ErrorCode.INVALID)
    month = dt.date(int(match.group(1)), number, 1)
    if not_after is not None and month > not_after.replace(day=1):
        raise field_error(field, _("The month has not begun yet."), ErrorCode.INVALID)
    return month
