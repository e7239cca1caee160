"""Catalog of the demo city (潍坊市): the five base resources written out in full, and per
department the business subjects (业务对象) from which demo.py derives its other resources.

A subject yields up to five resources ("views" below): its record (X信息), its change log
(X变更记录), monthly statistics by district (X统计数据, open to the public), a verification
service (X核验服务, answers 一致/不一致 only) and its documents. So ~100 subjects give the ~300
resources of the demo without 300 hand-written entries.

Data items are written as one string, separated by "; ": each ``"名称 IDENT TYPE[LENGTH] flags…"``,
or ``"@IDENT"`` for one of the COMMON items. Flags:

- grade ``core``/``imp``/``g4``…``g1`` (default ``g1``, 一般数据 level 1);
- ``pi``: personal information; ``m=<policy>``: default masking (name, id_number, phone,
  address, bank_card, email, custom);
- ``=ELEMENT``: linked data element when it is not the item's own identifier (an item whose
  identifier names a data element is linked to it);
- ``cs``/``ns``: the item is stricter than its resource (有条件 / 不予共享);
- ``closed``: not opened even when the resource is open.
"""

from govshare.demo.catalog_data import subjects_a, subjects_b, subjects_c
from govshare.demo.catalog_data.base import BASE_RESOURCES
from govshare.demo.catalog_data.specs import (
    CHANGE_ITEMS,
    COMMON,
    PIPL_34,
    STATISTICS_ITEMS,
    VERIFY_ITEMS,
    BaseResource,
    Subject,
)

# Per department key (demo/city.py), its business subjects.
SUBJECTS = {**subjects_a.SUBJECTS, **subjects_b.SUBJECTS, **subjects_c.SUBJECTS}

__all__ = [
    "BASE_RESOURCES",
    "CHANGE_ITEMS",
    "COMMON",
    "PIPL_34",
    "STATISTICS_ITEMS",
    "SUBJECTS",
    "VERIFY_ITEMS",
    "BaseResource",
    "Subject",
]
