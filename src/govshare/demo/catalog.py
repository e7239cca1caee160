"""The catalog part of the demo city: ~300 resources of the demo departments in every state of
the lifecycle, drafted, reviewed, changed and withdrawn through the services, with mount slots.

Plans come from data/catalog.yaml: the five base resources as written there, and for each
department's business subject the views its ``views`` string names. Each plan is taken to its
lifecycle state by its position, so every state occurs in every run and in the same places.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count
from django.utils import timezone

from govshare.catalog.choices import (
    GRADE_RANK,
    SHARE_STRICTNESS,
    Grade,
    Masking,
    MountKind,
    MountStatus,
    ResourceStatus,
    ShareModeType,
    ShareType,
    VersionStatus,
)
from govshare.catalog.models import (
    Category,
    DataElement,
    Mount,
    Resource,
    ResourceEvent,
    ResourceVersion,
)
from govshare.catalog.search.index import reindex_resources
from govshare.catalog.services import (
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
    version_update,
)
from govshare.core.actors import Actor
from govshare.demo.catalog_data import (
    BASE_RESOURCES,
    CHANGE_ITEMS,
    COMMON,
    STATISTICS_ITEMS,
    SUBJECTS,
    VERIFY_ITEMS,
    BaseResource,
    Subject,
)
from govshare.demo.city import DEPARTMENTS
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department

Say = Callable[[str], None]

ITEM_SPEC = re.compile(r"^(?P<name>\S+) (?P<identifier>[A-Za-z]\w*) (?P<type>[A-Z])(?P<length>\d*)")
GRADES = {"core": Grade.CORE, "imp": Grade.IMPORTANT, "g4": Grade.GENERAL_4}
GRADES |= {"g3": Grade.GENERAL_3, "g2": Grade.GENERAL_2, "g1": Grade.GENERAL_1}
DATABASES = ("Oracle", "达梦DM8", "KingbaseES", "MySQL", "PostgreSQL", "SQL Server")
STATISTICS_OPEN = "按区县、按月汇总，不含个人和单个主体明细，通过公共数据开放网站开放下载"
VERIFY_CONDITION = "仅提供核验比对，返回“一致/不一致”，不返回明细；调用须有办事人授权或法定依据"
RETURN_NOTES = (
    "共享条件表述不具体，请写明可使用的部门范围和用途",
    "信息项缺少数据长度，请按编制指南补充",
    "摘要过于简单，请说明数据范围、统计口径和更新方式",
    "请关联本资源的来源信息系统",
    "个人信息项请补充脱敏规则",
)
WITHDRAW_REASONS = (
    "职能划转，数据改由承接部门编目提供",
    "与同部门另一资源重复，合并后撤销",
)
MOUNT_ERRORS = {
    MountKind.TABLE: "连接前置库超时（10秒）",
    MountKind.API: "上游接口返回 HTTP 503",
    MountKind.FILES: "文件目录不存在或无读权限",
}

# The lifecycle state of the n-th derived resource, by n mod 20; the rest are published.
STATES = {0: "draft", 7: "submitted", 13: "returned", 4: "changing", 17: "change_submitted"}
WITHDRAWN_AT = frozenset({61, 161, 261})  # published, then withdrawn (撤销)


# --- plans ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    """One data item of data/catalog.yaml, parsed; share type and openness follow the resource."""

    name: str
    identifier: str
    data_type: str
    length: int | None
    grade: str = Grade.GENERAL_1
    is_personal: bool = False
    masking: str = Masking.NONE
    element: str = ""
    stricter: str = ""
    is_closed: bool = False


@dataclass(frozen=True)
class Plan:
    """A resource to create and the lifecycle state to take it to."""

    department: str
    name: str
    category: str
    summary: str
    format_class: str
    format_type: str
    share_type: str
    mode: str
    cycle: str
    items: tuple[ItemSpec, ...] = ()
    condition: str = ""
    basis: str = ""
    is_open: bool = False
    open_condition: str = ""
    keywords: str = ""
    tags: str = ""
    system: str = ""
    state: str = "published"


def parse_item(spec: str) -> ItemSpec:
    """``"名称 IDENT TYPE[LENGTH] flags…"`` or ``"@IDENT"`` → ItemSpec (see data/catalog.yaml)."""
    spec = COMMON[spec[1:]] if spec.startswith("@") else spec
    match = ITEM_SPEC.match(spec)
    if match is None:
        raise ValueError(f"bad item spec: {spec}")
    item = ItemSpec(
        match["name"],
        match["identifier"],
        match["type"],
        int(match["length"]) if match["length"] else None,
    )
    for flag in spec[match.end() :].split():
        item = _apply_flag(item, flag)
    return item


def _apply_flag(item: ItemSpec, flag: str) -> ItemSpec:
    if flag in GRADES:
        return replace(item, grade=GRADES[flag])
    if flag == "pi":
        return replace(item, is_personal=True)
    if flag.startswith("m="):
        return replace(item, masking=Masking(flag[2:]))
    if flag.startswith("="):
        return replace(item, element=flag[1:])
    if flag in ("cs", "ns"):
        return replace(
            item, stricter=ShareType.CONDITIONAL if flag == "cs" else ShareType.NOT_SHARED
        )
    if flag == "closed":
        return replace(item, is_closed=True)
    raise ValueError(f"bad item flag: {flag}")


def items_of(specs: str) -> tuple[ItemSpec, ...]:
    """Items written one after another, separated by "; "."""
    return tuple(parse_item(spec.strip()) for spec in specs.split(";") if spec.strip())


def plans() -> Iterator[Plan]:
    """Every resource of the demo, the five base resources first."""
    for base in BASE_RESOURCES:
        yield _base_plan(base)
    derived = (
        plan
        for number, (key, *_rest) in enumerate(DEPARTMENTS)
        for subject in SUBJECTS.get(key, ())
        for plan in _subject_plans(key, number, subject)
    )
    for position, plan in enumerate(derived):
        yield replace(plan, state=_state(position))


def _state(position: int) -> str:
    if position in WITHDRAWN_AT:
        return "withdrawn"
    return STATES.get(position % 20, "published")


def _base_plan(base: BaseResource) -> Plan:
    return Plan(
        department=base.department,
        name=base.name,
        category=base.category,
        summary=base.summary,
        format_class="database",
        format_type=base.format_type,
        share_type=base.share,
        mode=base.mode,
        cycle=base.cycle,
        items=items_of(base.items),
        condition=base.condition,
        is_open=base.is_open,
        open_condition=base.open_condition,
        keywords=base.keywords,
        tags=base.tags,
        system=base.system,
    )


@dataclass(frozen=True)
class SubjectViews:
    """What every resource derived from one subject shares."""

    key: str
    short_name: str
    database: str
    subject: Subject
    items: tuple[ItemSpec, ...]

    def plan(self, **fields: Any) -> Plan:
        subject = self.subject
        fields.setdefault("tags", subject.tags)
        return Plan(
            department=self.key,
            category=subject.category,
            system=subject.system,
            keywords=f"{subject.stem} {self.short_name}",
            **fields,
        )

    def condition(self, share_type: str) -> str:
        if share_type != ShareType.CONDITIONAL:
            return ""
        return (
            f"因履行法定职责需要使用{self.subject.stem}数据的政务部门，说明用途和使用范围，"
            f"经{self.short_name}审核同意后通过共享平台获取，不得用于申请用途以外的事项"
        )


def _subject_plans(key: str, number: int, subject: Subject) -> Iterator[Plan]:
    views = SubjectViews(
        key=key,
        short_name=DEPARTMENTS[number][2],
        database=DATABASES[number % len(DATABASES)],
        subject=subject,
        items=items_of(subject.items),
    )
    builders = {
        "r": _record,
        "c": _change_log,
        "s": _statistics,
        "v": _verification,
        "d": _documents,
    }
    for view in subject.views:
        yield builders[view](views)


def _record(views: SubjectViews) -> Plan:
    subject, items = views.subject, views.items
    if not any(item.identifier == "SJGXSJ" for item in items):
        items = (*items, parse_item("@SJGXSJ"))
    return views.plan(
        name=subject.record or f"{subject.stem}信息",
        summary=f"{subject.about}，包括{'、'.join(i.name for i in items[:3])}等信息项",
        format_class="database",
        format_type=views.database,
        share_type=subject.share,
        mode="api" if "v" in subject.views or subject.cycle == "realtime" else "table",
        cycle=subject.cycle,
        items=items,
        condition=views.condition(subject.share),
        basis=subject.basis,
        is_open=subject.is_open,
        open_condition="不含个人信息的字段通过公共数据开放网站开放" if subject.is_open else "",
    )


def _change_log(views: SubjectViews) -> Plan:
    subject = views.subject
    shared = ShareType.UNCONDITIONAL if subject.share == ShareType.UNCONDITIONAL else "conditional"
    return views.plan(
        name=f"{subject.stem}变更记录",
        summary=f"{subject.about}中登记事项的变更记录，供使用部门增量比对更新",
        format_class="database",
        format_type=views.database,
        share_type=shared,
        mode="table",
        cycle="daily",
        items=(*views.items[:2], *items_of(CHANGE_ITEMS)),
        condition=views.condition(shared),
    )


def _statistics(views: SubjectViews) -> Plan:
    """Aggregates by district and month: shared and opened without conditions."""
    subject = views.subject
    return views.plan(
        name=f"{subject.stem}统计数据",
        summary=f"按区县、按月汇总的{subject.stem}统计数据（{subject.about}）",
        format_class="spreadsheet",
        format_type="xlsx",
        share_type=ShareType.UNCONDITIONAL,
        mode="file",
        cycle="monthly",
        items=items_of(STATISTICS_ITEMS),
        is_open=True,
        open_condition=STATISTICS_OPEN,
    )


def _verification(views: SubjectViews) -> Plan:
    """A 核验 interface: answers 一致/不一致 for the subject's key items, never the record."""
    subject, items = views.subject, views.items
    return views.plan(
        name=f"{subject.stem}核验服务",
        summary=f"按{items[0].name}核验{subject.stem}记录是否一致，只返回核验结果，不返回明细",
        format_class="service",
        format_type="RESTful JSON",
        share_type=ShareType.CONDITIONAL,
        mode="api",
        cycle="realtime",
        items=(*items[:2], *items_of(VERIFY_ITEMS)),
        condition=VERIFY_CONDITION,
        tags=subject.tags + "g",
    )


def _documents(views: SubjectViews) -> Plan:
    subject = views.subject
    return views.plan(
        name=f"{subject.stem}电子文件",
        summary=f"{subject.about}形成的电子文件（版式文件）",
        format_class="document",
        format_type="OFD",
        share_type=subject.share,
        mode="file",
        cycle=subject.cycle,
        condition=views.condition(subject.share),
        basis=subject.basis,
        is_open=subject.is_open,
        open_condition="全文通过公共数据开放网站公开" if subject.is_open else "",
    )


# --- from plan to service input -------------------------------------------------------------


@dataclass
class Lookups:
    """What the plans name, read once: departments, classifications, elements, systems."""

    departments: dict[str, Department]
    categories: dict[str, Category]
    elements: dict[str, DataElement]
    systems: dict[tuple[int, str], InformationSystem]

    @classmethod
    def load(cls) -> Lookups:
        departments = {key: Department.objects.get(name=name) for key, name, *_r in DEPARTMENTS}
        systems = {
            (system.department_id, system.name): system
            for system in InformationSystem.objects.filter(
                department__in=list(departments.values())
            )
        }
        return cls(
            departments,
            Category.objects.in_bulk(field_name="code"),
            DataElement.objects.in_bulk(field_name="identifier"),
            systems,
        )


def version_data(plan: Plan, lookups: Lookups) -> dict[str, Any]:
    return {
        "category": lookups.categories[plan.category],
        "name": plan.name,
        "summary": plan.summary,
        "format_class": plan.format_class,
        "format_type": plan.format_type,
        "share_type": plan.share_type,
        "share_condition": plan.condition,
        "share_basis": plan.basis,
        "share_mode_class": "platform",
        "share_mode_type": plan.mode,
        "is_open": plan.is_open,
        "open_condition": plan.open_condition,
        "update_cycle": plan.cycle,
        "keywords": plan.keywords,
        "is_key_supervision": "k" in plan.tags,
        "is_government_service": "g" in plan.tags,
    }


def item_data(item: ItemSpec, plan: Plan, lookups: Lookups) -> dict[str, Any]:
    """The item as the service takes it: never looser than the resource, a core item never
    unconditional, open only with its resource and only when it is not personal (编制指南)."""
    share = max(
        (plan.share_type, item.stricter or plan.share_type),
        key=lambda value: SHARE_STRICTNESS[value],
    )
    if item.grade == Grade.CORE and share == ShareType.UNCONDITIONAL:
        share = ShareType.CONDITIONAL
    sensitive = GRADE_RANK[item.grade] >= GRADE_RANK[Grade.IMPORTANT] or item.is_personal
    return {
        "name": item.name,
        "identifier": item.identifier,
        "data_type": item.data_type,
        "length": item.length,
        "share_type": share,
        "is_open": plan.is_open and not sensitive and not item.is_closed,
        "grade": item.grade,
        "is_personal": item.is_personal,
        "masking": item.masking,
        "element": lookups.elements.get(item.element or item.identifier),
    }


def systems_of(plan: Plan, provider: Department, lookups: Lookups) -> list[InformationSystem]:
    system = lookups.systems.get((provider.pk, plan.system))
    return [system] if system else []


# --- the step -------------------------------------------------------------------------------


def load_catalog(actor: Actor, say: Say) -> None:
    lookups = Lookups.load()
    existing = set(Resource.objects.values_list("provider_id", "name"))
    created: list[Resource] = []
    for number, plan in enumerate(plans()):
        provider = lookups.departments[plan.department]
        if (provider.pk, plan.name) in existing:
            continue
        created.append(build(actor, plan, number, provider, lookups))
    mount_slots(created)
    spread_history(created)
    # The mount slots were written directly: bring their resources' facets up to date.
    reindex_resources(r.pk for r in created)
    counts = dict(Resource.objects.values_list("status").annotate(n=Count("pk")))
    say(
        f"catalog: {len(created)} resources created, {sum(counts.values())} in all "
        f"({counts.get(ResourceStatus.PUBLISHED, 0)} published)"
    )


def build(
    actor: Actor, plan: Plan, number: int, provider: Department, lookups: Lookups
) -> Resource:
    """Create the resource and take it through the services to its planned state."""
    items = [item_data(item, plan, lookups) for item in plan.items]
    systems = systems_of(plan, provider, lookups)
    resource = resource_create(
        actor=actor,
        provider=provider,
        data=version_data(plan, lookups),
        items=items,
        source_systems=systems,
    )
    if plan.state == "draft":
        return resource
    resource_submit(actor=actor, resource=resource, note="提请审核")
    if plan.state == "submitted":
        return resource
    if plan.state == "returned":
        note = RETURN_NOTES[number % len(RETURN_NOTES)]
        return resource_review(actor=actor, resource=resource, approve=False, note=note)
    resource_review(actor=actor, resource=resource, approve=True, note="符合编制要求，同意发布")
    if plan.state == "withdrawn":
        reason = WITHDRAW_REASONS[number % len(WITHDRAW_REASONS)]
        return resource_withdraw(actor=actor, resource=resource, reason=reason)
    if plan.state in ("changing", "change_submitted"):
        _change(actor, resource, plan, items, systems, lookups)
    return resource


def _change(actor: Actor, resource: Resource, plan: Plan, items: list, systems: list, lookups):
    """Version 2: a data item added and the summary extended; version 1 stays in force."""
    resource_start_change(actor=actor, resource=resource, note="新增数据来源信息项")
    added = item_data(parse_item("数据来源系统 SJLYXT C200"), plan, lookups)
    data = version_data(plan, lookups)
    data["summary"] = plan.summary + "；新增数据来源系统信息项，便于使用部门追溯"
    version_update(
        actor=actor,
        resource=resource,
        data=data,
        items=[*items, added] if plan.format_class != "document" else [],
        source_systems=systems,
    )
    if plan.state == "change_submitted":
        resource_submit(actor=actor, resource=resource, note="变更提请审核")


# --- machine state: mount slots -------------------------------------------------------------

MOUNT_KINDS: dict[str, MountKind] = {
    ShareModeType.TABLE: MountKind.TABLE,
    ShareModeType.API: MountKind.API,
    ShareModeType.FILE: MountKind.FILES,
}


def mount_slots(resources: list[Resource]) -> None:
    """Mount slots of the published resources: most mounted, some failing, some not mounted,
    some with no slot yet.

    These slots are the catalog's plan: the exchange part of the demo (demo/exchange.py) then
    puts a real connector, through the exchange services, behind every slot planned as mounted;
    failing and unmounted slots stay as planned, to show those states.
    """
    rows = []
    published = [r for r in resources if r.status == ResourceStatus.PUBLISHED]
    for position, resource in enumerate(published):
        if position % 12 == 5:
            continue  # not mounted yet: no slot
        version = resource.current_version
        assert version is not None, "a published resource has a version in force"
        kind = MOUNT_KINDS[version.share_mode_type]
        status, error = MountStatus.MOUNTED, ""
        if position % 12 == 9:
            status = MountStatus.UNMOUNTED
        elif position % 25 == 3:
            status, error = MountStatus.FAILING, MOUNT_ERRORS[kind]
        rows.append(
            Mount(
                resource=resource,
                kind=kind,
                status=status,
                description=_mount_description(resource, kind),
                last_error=error,
            )
        )
    Mount.objects.bulk_create(rows, ignore_conflicts=True)


def _mount_description(resource: Resource, kind: str) -> str:
    table = f"ZY_{resource.pk:05d}"
    if kind == MountKind.TABLE:
        return f"前置库 qzk_{resource.provider_id:03d} 表 {table}"
    if kind == MountKind.API:
        return f"上游接口 /gateway/upstream/{resource.provider_id}/{table.lower()}"
    return f"文件目录 /exchange/files/{resource.provider_id}/{table.lower()}/"


# --- history: the catalog grew over the past year -------------------------------------------

GAPS = {  # days before each action, after the previous one
    "create": (0, 0),
    "submit": (1, 6),
    "return": (1, 5),
    "approve": (2, 8),
    "change": (20, 120),
    "withdraw": (15, 90),
}


def spread_history(resources: list[Resource]) -> None:
    """Move each new resource's history back into the past year.

    The services stamp every step "now", so a freshly loaded demo would show nothing for past
    months. The catalog's own record of its lifecycle — event times, version submit and review
    times, publish dates — is moved back here, keeping each resource's order of steps, so the
    indicators of past months have a history to rebuild. The audit trail keeps the real load
    time: its chain is not touched.
    """
    rng = random.Random(20170)  # 发改高技〔2017〕1272号
    now = timezone.now()
    events = _grouped(ResourceEvent.objects.filter(resource__in=resources).order_by("pk"))
    versions = _grouped(ResourceVersion.objects.filter(resource__in=resources))
    for resource in resources:
        own = events[resource.pk]
        times = _event_times(own, rng, now, resource.status)
        for event, when in zip(own, times, strict=True):
            event.created = when
        for version in versions[resource.pk]:
            _version_times(version, own)
        resource.created = times[0]
    ResourceEvent.objects.bulk_update(
        [e for group in events.values() for e in group], ["created"], batch_size=500
    )
    ResourceVersion.objects.bulk_update(
        [v for group in versions.values() for v in group],
        ["created", "submitted", "reviewed", "publish_date"],
        batch_size=500,
    )
    Resource.objects.bulk_update(resources, ["created"], batch_size=500)


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.resource_id].append(row)
    return groups


def _event_times(
    events: list[ResourceEvent], rng: random.Random, now: dt.datetime, status: str
) -> list[dt.datetime]:
    offsets, day = [], 0.0
    for event in events:
        low, high = GAPS.get(event.action, (1, 3))
        day += rng.uniform(low, high)
        offsets.append(day)
    in_progress = status != ResourceStatus.PUBLISHED or events[-1].action != "approve"
    horizon = 30 if in_progress else 400  # work in progress is recent; the catalog is older
    start = now - dt.timedelta(days=offsets[-1] + rng.uniform(1, max(2, horizon - offsets[-1])))
    return [start + dt.timedelta(days=offset) for offset in offsets]


def _version_times(version: ResourceVersion, events: list[ResourceEvent]) -> None:
    own = [e for e in events if e.version_number == version.number]
    opened = [e.created for e in own if e.action in ("create", "change")]
    submitted = [e.created for e in own if e.action == "submit"]
    reviewed = [e.created for e in own if e.action in ("approve", "return")]
    version.created = opened[0] if opened else version.created
    version.submitted = submitted[-1] if submitted else None
    version.reviewed = reviewed[-1] if reviewed else None
    if version.status in (VersionStatus.IN_FORCE, VersionStatus.SUPERSEDED):
        version.publish_date = timezone.localdate(version.reviewed)
