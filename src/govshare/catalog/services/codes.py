"""Resource codes (信息资源代码, 编制指南 §1.3): 前段码/后段码.

前段码 = the classification code padded to 类(1)+项(2)+目(3) digits, then the provider number
(configurable digits); 后段码 = the next number from the prefix's counter (configurable digits).
The counter row is locked while a number is taken, so two concurrent publishes under one
prefix never receive the same code; the unique constraint on the code is the last guard.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from govshare.catalog.config import PROVIDER_DIGITS, SEQUENCE_DIGITS
from govshare.catalog.models import Category, CodeCounter
from govshare.core.config import param
from govshare.core.permissions import internal

CLASS_PART_DIGITS = 6  # 类 1 + 项 2 + 目 3


@internal("part of numbering a resource inside resource services, which authorize")
def code_prefix(category: Category, provider_id: int) -> str:
    classification = category.code[:CLASS_PART_DIGITS].ljust(CLASS_PART_DIGITS, "0")
    extra = category.code[CLASS_PART_DIGITS:]  # 细目, when the category is that deep
    digits = int(param(PROVIDER_DIGITS.key))
    return f"{classification}{extra}{provider_id:0{digits}d}"


@internal("numbers a resource inside resource services, which authorize")
def allocate_code(category: Category, provider_id: int) -> str:
    """Take the next code under the prefix; call inside the publishing transaction."""
    prefix = code_prefix(category, provider_id)
    counter = _locked_counter(prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    digits = int(param(SEQUENCE_DIGITS.key))
    return f"{prefix}/{counter.last:0{digits}d}"


def _locked_counter(prefix: str) -> CodeCounter:
    counter = CodeCounter.objects.select_for_update().filter(prefix=prefix).first()
    if counter is not None:
        return counter
    try:  # first code under this prefix: create the row; a concurrent creator wins the race
        with transaction.atomic():
            CodeCounter.objects.create(prefix=prefix)
    except IntegrityError:
        pass
    return CodeCounter.objects.select_for_update().get(prefix=prefix)
