"""The indicators this module owns, computed live and for any past month.

- 已编目资源数: resources in the catalog (a version in force, not withdrawn);
- 共享类型构成: the share of 无条件 / 有条件 / 不予共享 among them;
- 开放率: resources open to the public ÷ resources in the catalog;
- 目录挂接率: resources with a mounted slot ÷ resources in the catalog;
- 信息项覆盖率: structured resources (database, spreadsheet) that list their data items ÷
  structured resources;
- 数据元覆盖率: data items linked to a data element ÷ all data items of the versions in force.

Each is given in total, per provider department and per class (类: 基础/主题/部门).

A past month is read at its end (the first instant of the next month, local time): a resource's
version in force then is its latest version that came into force (in force or superseded now)
with a review time before the end, and a resource withdrawn before the end (its "withdraw"
event) no longer counts. Mount slots keep no history yet, so the mount rate of a past month is
unknown ("—") rather than today's state passed off as then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from govshare.catalog.choices import MountStatus, ResourceClass, ResourceStatus, ShareType
from govshare.catalog.choices import VersionStatus as V
from govshare.catalog.models import Mount, Resource, ResourceEvent, ResourceVersion
from govshare.catalog.rules import STRUCTURED_FORMATS
from govshare.core.actors import Actor
from govshare.core.permissions import can
from govshare.inventory.indicators import Indicator, month_end, parse_month
from govshare.orgs.models import Department

__all__ = [
    "SPECS",
    "CatalogReport",
    "GroupIndicators",
    "IndicatorSpec",
    "ResourceState",
    "indicator_values",
    "live_states",
    "month_end",
    "parse_month",
    "states_at",
]

CAME_INTO_FORCE = (V.IN_FORCE, V.SUPERSEDED)
WITHDRAW_ACTION = "withdraw"


# --- the state of a resource, now or at a month's end ---------------------------------------


@dataclass(frozen=True)
class ResourceState:
    """What the indicators read of one catalogued resource and its version in force."""

    resource_id: int
    provider_id: int
    category_code: str
    format_class: str
    share_type: str
    is_open: bool
    item_count: int
    linked_item_count: int
    is_mounted: bool | None  # None: not known (a past month, or mounts the user may not see)

    @property
    def resource_class(self) -> str:
        return self.category_code[:1]

    @property
    def is_structured(self) -> bool:
        return self.format_class in STRUCTURED_FORMATS


def live_states(user: Actor) -> list[ResourceState]:
    """The resources in the catalog now, as far as ``user`` may see them."""
    resources = Resource.objects.restrict(user, "view").filter(status=ResourceStatus.PUBLISHED)
    versions = ResourceVersion.objects.filter(
        resource__in=resources, pk=F("resource__current_version")
    )
    return _states(versions, _mounted_now(user, resources))


def states_at(user: Actor, end: dt.datetime) -> list[ResourceState]:
    """The resources in the catalog at ``end``, each with the version then in force."""
    in_force = ResourceVersion.objects.filter(
        resource=OuterRef("resource"), status__in=CAME_INTO_FORCE, reviewed__lt=end
    ).order_by("-reviewed", "-number")
    withdrawn = ResourceEvent.objects.filter(
        resource=OuterRef("resource"), action=WITHDRAW_ACTION, created__lt=end
    )
    versions = ResourceVersion.objects.filter(
        resource__in=Resource.objects.restrict(user, "view"),
        pk=Subquery(in_force.values("pk")[:1]),
    ).exclude(Exists(withdrawn))
    return _states(versions, None)


def _states(versions: QuerySet[ResourceVersion], mounted: MountView | None) -> list[ResourceState]:
    rows = versions.annotate(
        item_count=Count("items"), linked_item_count=Count("items__element")
    ).values(
        "resource_id",
        "resource__provider_id",
        "category__code",
        "format_class",
        "share_type",
        "is_open",
        "item_count",
        "linked_item_count",
    )
    return [
        ResourceState(
            resource_id=row["resource_id"],
            provider_id=row["resource__provider_id"],
            category_code=row["category__code"],
            format_class=row["format_class"],
            share_type=row["share_type"],
            is_open=row["is_open"],
            item_count=row["item_count"],
            linked_item_count=row["linked_item_count"],
            is_mounted=mounted.of(row["resource_id"], row["resource__provider_id"])
            if mounted
            else None,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class MountView:
    """Which resources have a mounted slot, for the providers whose mounts the user may see
    (mount slots are the provider's: MountPolicy)."""

    mounted: frozenset[int]
    visible_providers: frozenset[int]

    def of(self, resource_id: int, provider_id: int) -> bool | None:
        if provider_id not in self.visible_providers:
            return None
        return resource_id in self.mounted


def _mounted_now(user: Actor, resources: QuerySet[Resource]) -> MountView:
    providers = set(resources.values_list("provider_id", flat=True).distinct())
    # One authorization path: ask the mount policy about a slot of each provider.
    visible = {
        pid for pid in providers if can(user, "view", Mount(resource=Resource(provider_id=pid)))
    }
    mounted = Mount.objects.filter(
        resource__in=resources, resource__provider_id__in=visible, status=MountStatus.MOUNTED
    )
    return MountView(frozenset(mounted.values_list("resource_id", flat=True)), frozenset(visible))


# --- indicator definitions ------------------------------------------------------------------

Measure = Callable[[ResourceState], int | None]


@dataclass(frozen=True)
class IndicatorSpec:
    """An indicator as data: a count, or a rate of two sums over the resources' states.

    A measure returns None when it cannot be known for a resource; a sum with an unknown part
    is unknown.
    """

    key: str
    label: Any
    formula: Any
    numerator: Measure
    denominator: Measure | None = None

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None


def _share(share_type: str) -> Measure:
    return lambda s: int(s.share_type == share_type)


def _mounted(state: ResourceState) -> int | None:
    return None if state.is_mounted is None else int(state.is_mounted)


def _one(state: ResourceState) -> int:
    return 1


CATALOGUED = IndicatorSpec(
    "catalogued",
    gettext_lazy("Resources in the catalog"),
    gettext_lazy("resources with a version in force, not withdrawn"),
    _one,
)
UNCONDITIONAL = IndicatorSpec(
    "unconditional",
    gettext_lazy("Unconditional share"),
    gettext_lazy("resources shared without conditions ÷ resources in the catalog"),
    _share(ShareType.UNCONDITIONAL),
    _one,
)
CONDITIONAL = IndicatorSpec(
    "conditional",
    gettext_lazy("Conditional share"),
    gettext_lazy("resources shared on conditions ÷ resources in the catalog"),
    _share(ShareType.CONDITIONAL),
    _one,
)
NOT_SHARED = IndicatorSpec(
    "not_shared",
    gettext_lazy("Not-shared share"),
    gettext_lazy("resources not shared (with a legal basis) ÷ resources in the catalog"),
    _share(ShareType.NOT_SHARED),
    _one,
)
OPEN = IndicatorSpec(
    "open",
    gettext_lazy("Open rate"),
    gettext_lazy("resources open to the public ÷ resources in the catalog"),
    lambda s: int(s.is_open),
    _one,
)
MOUNT = IndicatorSpec(
    "mount",
    gettext_lazy("Mount rate"),
    gettext_lazy("resources in the catalog with a mounted slot ÷ resources in the catalog"),
    _mounted,
    _one,
)
ITEMS = IndicatorSpec(
    "items",
    gettext_lazy("Data item coverage"),
    gettext_lazy(
        "database and spreadsheet resources in the catalog that list their data items ÷ "
        "database and spreadsheet resources in the catalog"
    ),
    lambda s: int(s.is_structured and s.item_count > 0),
    lambda s: int(s.is_structured),
)
ELEMENTS = IndicatorSpec(
    "elements",
    gettext_lazy("Data element coverage"),
    gettext_lazy("data items linked to a data element ÷ all data items of the versions in force"),
    lambda s: s.linked_item_count,
    lambda s: s.item_count,
)
SPECS = (CATALOGUED, UNCONDITIONAL, CONDITIONAL, NOT_SHARED, OPEN, MOUNT, ITEMS, ELEMENTS)


def _sum(measure: Measure, states: list[ResourceState]) -> int | None:
    values = [measure(state) for state in states]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def compute(spec: IndicatorSpec, states: Iterable[ResourceState]) -> Indicator:
    """One indicator over ``states``; only the resources whose mounts are known count towards
    the mount rate."""
    states = list(states)
    if spec is MOUNT:
        known = [s for s in states if s.is_mounted is not None]
        states = known if known else states
    numerator = _sum(spec.numerator, states)
    if spec.denominator is None:
        return Indicator(spec.key, spec.label, spec.formula, numerator)
    denominator = _sum(spec.denominator, states)
    return Indicator(spec.key, spec.label, spec.formula, numerator, denominator, is_rate=True)


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupIndicators:
    """The indicators of one provider department or one class."""

    key: str
    name: str
    indicators: list[Indicator]


@dataclass(frozen=True)
class CatalogReport:
    """The indicators at a month's end (or now): in total, per department, per class."""

    month: dt.date | None
    as_of: dt.datetime
    knows_mounts: bool  # mount slots keep no history: known now, not at a past month's end
    totals: list[Indicator]
    departments: list[GroupIndicators]
    classes: list[GroupIndicators]

    @property
    def is_live(self) -> bool:
        return self.month is None


def indicator_values(user: Actor, month: dt.date | None = None) -> CatalogReport:
    """The indicators over the resources ``user`` may see: now, or at the end of ``month``."""
    now = timezone.now()
    end = month_end(month) if month is not None else None
    if end is None or end > now:  # the current month is still running: its state is now
        states, as_of, knows_mounts = live_states(user), now, True
    else:
        states, as_of, knows_mounts = states_at(user, end), end, False
    return CatalogReport(
        month=month,
        as_of=as_of,
        knows_mounts=knows_mounts,
        totals=[compute(spec, states) for spec in SPECS],
        departments=_per_department(states),
        classes=_per_class(states),
    )


def _groups(states: list[ResourceState], key: Callable[[ResourceState], Any]) -> dict:
    groups: dict[Any, list[ResourceState]] = {}
    for state in states:
        groups.setdefault(key(state), []).append(state)
    return groups


def _per_department(states: list[ResourceState]) -> list[GroupIndicators]:
    groups = _groups(states, lambda s: s.provider_id)
    names = dict(Department.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    rows = [
        GroupIndicators(str(pk), names.get(pk, "—"), [compute(spec, group) for spec in SPECS])
        for pk, group in groups.items()
    ]
    return sorted(rows, key=lambda row: row.name)


def _per_class(states: list[ResourceState]) -> list[GroupIndicators]:
    groups = _groups(states, lambda s: s.resource_class)
    labels = dict(ResourceClass.choices)
    return [
        GroupIndicators(
            code, str(labels.get(code, code)), [compute(s, groups[code]) for s in SPECS]
        )
        for code in sorted(groups)
    ]
