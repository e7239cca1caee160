"""What a plausible value of a data item is, checked independently of how the demo makes it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from stdnum.cn import ric, uscc

from govshare.demo.values import OPTIONAL


def assert_plausible(item: Any, value: object, resource: str) -> None:
    """``item`` has a name, identifier, data type and length (a DataItem or an ItemSpec)."""
    where = (resource, item.name, value)
    if value is None:
        assert item.identifier in OPTIONAL, where
        return
    text = str(value)
    assert text.strip(), where
    if item.data_type == "C" and item.length:
        assert len(text) <= item.length, where
    if item.data_type == "D":
        assert 1900 <= dt.date.fromisoformat(text).year <= timezone.localdate().year + 30, where
    if item.data_type == "T":
        dt.datetime.fromisoformat(text)
    if item.data_type in ("N", "I", "Y"):
        number = Decimal(text)
        assert 0 <= abs(number) < Decimal(10) ** (item.length or 18), where
    if item.identifier == "FKJE":  # 道路交通安全法: a traffic fine is at most 2,000 元
        assert 0 < Decimal(text) <= 2000, where
    if item.name.endswith("记分"):  # a licence holds at most 12 points
        assert 0 <= int(text) <= 12, where
    if item.length == 18 and re.search("身份号码|证件号码", item.name):
        assert ric.is_valid(text), where
    if "统一社会信用代码" in item.name:
        assert uscc.is_valid(text), where
