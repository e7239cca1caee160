"""The demo catalog as written in ``data/catalog.yaml`` (its header explains the notation): the
shared items, the five base resources and the business subjects per department."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govshare.demo.datafiles import joined, load


@dataclass(frozen=True)
class BaseResource:
    """One of the five base information resources (基础信息资源), with all its items."""

    department: str
    category: str
    name: str
    summary: str
    items: str
    system: str
    share: str = "conditional"
    condition: str = ""
    is_open: bool = False
    open_condition: str = ""
    cycle: str = "daily"
    format_type: str = "Oracle"
    mode: str = "api"
    keywords: str = ""
    tags: str = ""


@dataclass(frozen=True)
class Subject:
    """A department's business subject and the views of it that the demo catalogues."""

    stem: str
    category: str
    about: str
    items: str
    views: str = "rcs"  # r record, c change log, s statistics, v verification, d documents
    share: str = "conditional"
    basis: str = ""
    system: str = ""
    cycle: str = "daily"
    is_open: bool = False
    tags: str = ""  # k: key-supervision list (重点监管), g: government-service list (政务服务)
    record: str = ""  # the record's name when "<stem>信息" does not read well


def _with_items(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "items": joined(entry.get("items", []))}


_DATA = load("catalog")
COMMON: dict[str, str] = _DATA["common_items"]
STATISTICS_ITEMS = joined(_DATA["statistics_items"])
CHANGE_ITEMS = joined(_DATA["change_items"])
VERIFY_ITEMS = joined(_DATA["verify_items"])
BASE_RESOURCES = tuple(BaseResource(**_with_items(entry)) for entry in _DATA["base_resources"])
# Per department key (city.yaml), its business subjects.
SUBJECTS: dict[str, tuple[Subject, ...]] = {
    key: tuple(Subject(**_with_items(entry)) for entry in subjects)
    for key, subjects in _DATA["subjects"].items()
}
