"""Reads of the catalog with real logic: a resource's versions and their diff, its timeline and
audit trail, the review inbox and the data-element registry. Every queryset starts from
``restrict(user, action)``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from govshare.catalog.choices import MountKind, MountStatus, VersionStatus
from govshare.catalog.models import (
    Category,
    DataElement,
    DataItem,
    Mount,
    Resource,
    ResourceEvent,
    ResourceVersion,
)
from govshare.catalog.services import ITEM_FIELDS, VERSION_FIELDS
from govshare.core.actors import Actor
from govshare.core.evidence import audit
from govshare.core.models import AuditEvent
from govshare.core.permissions import can

HISTORY_ROWS = 50
# Metadata compared between two versions: what the provider edits, and the grade it implies.
# (The publish date is stamped by the approval, so a change under review never has one yet.)
DIFF_FIELDS = (*VERSION_FIELDS, "grade")
ITEM_DIFF_FIELDS = tuple(name for name in ITEM_FIELDS if name != "identifier")


# --- one resource ---------------------------------------------------------------------------


def visible_resources(user: Actor) -> QuerySet[Resource]:
    return Resource.objects.restrict(user, "view").select_related(
        "provider", "current_version", "working_version"
    )


def resource_versions(user: Actor, resource: Resource) -> QuerySet[ResourceVersion]:
    """The versions of ``resource`` that ``user`` may read, newest first: the provider and the
    authority see drafts; everyone else the versions that were in force."""
    versions = ResourceVersion.objects.restrict(user, "view").filter(resource=resource)
    return versions.order_by("-number")


def version_for_display(user: Actor, resource: Resource, number: int) -> ResourceVersion | None:
    """One visible version with what its page shows: classification path, systems, items."""
    versions = resource_versions(user, resource).filter(number=number)
    versions = versions.select_related("category__parent__parent__parent").prefetch_related(
        "source_systems",
        Prefetch("items", DataItem.objects.select_related("element").order_by("position")),
    )
    return versions.first()


def classification_path(category: Category) -> list[Category]:
    """类 / 项 / 目 / 细目 from the top (the parents are select_related by the caller)."""
    path = []
    node: Category | None = category
    while node is not None:
        path.append(node)
        node = node.parent
    return list(reversed(path))


def resource_events(user: Actor, resource: Resource) -> list[ResourceEvent]:
    """The lifecycle steps of the versions ``user`` may read (a change still in review is the
    provider's business, comments included)."""
    numbers = set(resource_versions(user, resource).values_list("number", flat=True))
    events = ResourceEvent.objects.filter(resource=resource, version_number__in=numbers | {0})
    return list(events.order_by("created", "pk"))


def resource_history(user: Actor, resource: Resource) -> list[AuditEvent]:
    """The audit events of the resource that ``user`` may read (newest first)."""
    events = AuditEvent.objects.restrict(user, "view").filter(
        object_type=audit.object_type_of(Resource), object_id=str(resource.pk)
    )
    return list(events.order_by("-seq")[:HISTORY_ROWS])


@dataclass(frozen=True)
class MountSlot:
    """One way the resource's data may be reached, and how it stands (挂接状态)."""

    kind: str
    label: str
    mount: Mount | None

    @property
    def status(self) -> str:
        return self.mount.status if self.mount else MountStatus.UNMOUNTED

    @property
    def status_label(self) -> str:
        return str(MountStatus(self.status).label)


def mount_slots(user: Actor, resource: Resource) -> list[MountSlot] | None:
    """Every mount kind with its slot, or None when ``user`` may not read the mounts."""
    if not can(user, "view", Mount(resource=resource)):
        return None
    mounts = {m.kind: m for m in Mount.objects.restrict(user, "view").filter(resource=resource)}
    return [MountSlot(kind, str(label), mounts.get(kind)) for kind, label in MountKind.choices]


# --- version diff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One field as it was in the earlier version and is in the later one."""

    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    """A data item added, removed or changed between two versions (matched by identifier)."""

    identifier: str
    name: str
    kind: str  # "added", "removed" or "changed"
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class VersionDiff:
    before: ResourceVersion
    after: ResourceVersion
    fields: list[FieldChange]
    items: list[ItemChange]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.items


def diff_versions(before: ResourceVersion, after: ResourceVersion) -> VersionDiff:
    """What changed from ``before`` to ``after``: metadata fields, source systems, data items."""
    fields = [
        change
        for name in DIFF_FIELDS
        if (change := _field_change(ResourceVersion, name, before, after)) is not None
    ]
    systems = _systems_change(before, after)
    if systems is not None:
        fields.append(systems)
    return VersionDiff(before, after, fields, _item_changes(before, after))


def diff_queryset(user: Actor, resource: Resource) -> QuerySet[ResourceVersion]:
    """Versions loaded for comparing (category, systems and items in a few queries)."""
    return (
        resource_versions(user, resource)
        .select_related("category")
        .prefetch_related(
            "source_systems",
            Prefetch("items", DataItem.objects.select_related("element").order_by("position")),
        )
    )


def _field_change(model: type[Model], name: str, before: Any, after: Any) -> FieldChange | None:
    model_field = model._meta.get_field(name)
    attname = model_field.attname  # type: ignore[union-attr]
    if getattr(before, attname) == getattr(after, attname):
        return None
    return FieldChange(
        name=name,
        label=str(model_field.verbose_name),  # type: ignore[union-attr]
        before=display_value(before, name),
        after=display_value(after, name),
    )


def _systems_change(before: ResourceVersion, after: ResourceVersion) -> FieldChange | None:
    left = {s.pk: s.name for s in before.source_systems.all()}
    right = {s.pk: s.name for s in after.source_systems.all()}
    if set(left) == set(right):
        return None
    label = ResourceVersion._meta.get_field("source_systems").verbose_name
    return FieldChange(
        "source_systems",
        str(label),
        "、".join(sorted(left.values())) or "—",
        "、".join(sorted(right.values())) or "—",
    )


def _item_changes(before: ResourceVersion, after: ResourceVersion) -> list[ItemChange]:
    left = {item.identifier.lower(): item for item in before.items.all()}
    right = {item.identifier.lower(): item for item in after.items.all()}
    changes = [
        ItemChange(i.identifier, i.name, "removed") for k, i in left.items() if k not in right
    ]
    for key, item in right.items():
        old = left.get(key)
        if old is None:
            changes.append(ItemChange(item.identifier, item.name, "added"))
            continue
        fields = [
            change
            for name in ITEM_DIFF_FIELDS
            if (change := _field_change(DataItem, name, old, item)) is not None
        ]
        if fields:
            changes.append(ItemChange(item.identifier, item.name, "changed", fields))
    return changes


def display_value(obj: Model, name: str) -> str:
    """A field's value as a person reads it: choice labels, yes/no, names of linked rows."""
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    display = getattr(obj, f"get_{name}_display", None)
    return str(display() if display else value)


# --- review inbox ---------------------------------------------------------------------------


def review_inbox(
    user: Actor,
    *,
    provider_id: int | None = None,
    query: str = "",
    kind: str = "",
    newest_first: bool = False,
) -> QuerySet[ResourceVersion]:
    """Versions waiting for the authority's review, the longest-waiting first (or the newest):
    of one provider, whose name holds ``query``, new resources or changes (``kind``)."""
    versions = ResourceVersion.objects.restrict(user, "review").filter(
        status=VersionStatus.SUBMITTED
    )
    if provider_id:
        versions = versions.filter(resource__provider_id=provider_id)
    if query.strip():
        versions = versions.filter(name__icontains=query.strip())
    if kind in ("new", "change"):
        # A change is a version of a resource that has one in force already.
        versions = versions.filter(resource__current_version__isnull=kind == "new")
    order = ("-submitted", "-pk") if newest_first else ("submitted", "pk")
    return versions.select_related(
        "resource__provider", "resource__current_version", "category"
    ).order_by(*order)


# --- data elements --------------------------------------------------------------------------


def element_list(
    user: Actor,
    *,
    query: str = "",
    data_type: str = "",
    format: str = "",
    has_code_table: bool | None = None,
) -> QuerySet[DataElement]:
    """The data elements matching the filters (name, identifier or definition for ``query``)."""
    elements = DataElement.objects.restrict(user, "view")
    query = query.strip()
    if query:
        elements = elements.filter(
            Q(name__icontains=query)
            | Q(identifier__icontains=query)
            | Q(definition__icontains=query)
        )
    if data_type:
        elements = elements.filter(data_type=data_type)
    if format:
        elements = elements.filter(format=format)
    if has_code_table is not None:
        empty = Q(code_table=[])
        elements = elements.exclude(empty) if has_code_table else elements.filter(empty)
    return elements.order_by("identifier")


def element_formats(user: Actor) -> list[str]:
    """The formats in use in the registry (for the filter)."""
    formats = DataElement.objects.restrict(user, "view").values_list("format", flat=True)
    return sorted(set(formats))


def element_items(user: Actor, element: DataElement) -> QuerySet[DataItem]:
    """Items linked to ``element`` in versions ``user`` may read that are in force or being
    edited (superseded versions are history, not use)."""
    versions = ResourceVersion.objects.restrict(user, "view").exclude(
        status=VersionStatus.SUPERSEDED
    )
    items = DataItem.objects.filter(element=element, version__in=versions)
    return items.select_related("element", "version__resource__provider").order_by(
        "version__resource__provider__name", "version__resource__name", "version__number"
    )
