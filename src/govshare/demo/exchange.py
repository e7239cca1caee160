"""The exchange part of the demo city: real connectors behind the catalog's mount slots.

- 人口基础信息 (公安局) and 法人单位基础信息 (市场监管局) are served from a provider database
  (SQLite files in the data-source directory) of 100,000 people and 20,000 legal entities;
- 社会信用信息 (大数据局) is served by an upstream HTTP interface that the platform itself
  simulates under /demo/upstream/ (``make run`` serves it);
- every other published resource whose slot the catalog demo marked mounted gets a front-end
  table (前置库) of a few generated rows, so each "mounted" status has a connector behind it.

Everything goes through the exchange services, as a provider's data officer would do it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from govshare.catalog.choices import MountKind, MountStatus, ResourceStatus
from govshare.catalog.models import Mount, Resource
from govshare.core.actors import Actor
from govshare.demo.base_data import Rows, build
from govshare.demo.city import DEPARTMENTS
from govshare.demo.inventory import demo_base_url
from govshare.demo.values import BINARY_TYPES, Column
from govshare.exchange.connectors.sql import sources_dir
from govshare.exchange.models import ApiMount, Connection, FileSet, TableMount
from govshare.exchange.services.mounts import api_mount_set, connection_create, table_mount_set
from govshare.orgs.models import Department

Say = Callable[[str], None]

POPULATION_ROWS = 100_000
ENTITY_ROWS = 20_000
FRONT_ROWS = 30
# (resource name, provider key, database file, table, key item, rows)
BASE_TABLES = (
    ("人口基础信息", "gaj", "demo_gaj_population.sqlite3", "rk_jbxx", "GMSFHM", POPULATION_ROWS),
    ("法人单位基础信息", "scj", "demo_scj_entities.sqlite3", "fr_jbxx", "TYSHXYDM", ENTITY_ROWS),
)
UPSTREAM_RESOURCES = (("社会信用信息", "dsj", "TYSHXYDM"),)
KEY_PREFERENCE = ("GMSFHM", "TYSHXYDM", "ZZBH", "BDCQZH", "XMDM")


def load_exchange(actor: Actor, say: Say) -> None:
    sources_dir().mkdir(parents=True, exist_ok=True)
    served = 0
    for name, key, filename, table, key_item, rows in BASE_TABLES:
        resource = _published(name, key)
        if resource is not None and _mount_base(actor, resource, filename, table, key_item, rows):
            served += 1
    for name, key, key_item in UPSTREAM_RESOURCES:
        resource = _published(name, key)
        if resource is not None and _mount_upstream(actor, resource, key_item):
            served += 1
    served += _mount_front_tables(actor)
    _drop_superseded_slots()
    say(f"exchange: {served} mount(s) configured; provider database in {sources_dir()}")


def _published(name: str, department_key: str) -> Resource | None:
    department_name = next(d[1] for d in DEPARTMENTS if d[0] == department_key)
    return (
        Resource.objects.filter(
            name=name, provider__name=department_name, status=ResourceStatus.PUBLISHED
        )
        .select_related("provider", "current_version")
        .first()
    )


def _items(resource: Resource) -> list[Column]:
    version = resource.current_version
    assert version is not None
    return [
        Column(item.identifier, item.data_type, item.name, item.length)
        for item in version.items.order_by("position")
        if item.data_type not in BINARY_TYPES
    ]


def _connection(actor: Actor, department: Department, filename: str, label: str) -> Connection:
    existing = Connection.objects.filter(department=department, database=filename).first()
    if existing is not None:
        return existing
    return connection_create(
        actor=actor,
        department=department,
        data={"name": label, "engine": "sqlite", "database": filename},
    )


def _mount_base(
    actor: Actor, resource: Resource, filename: str, table: str, key_item: str, rows: int
) -> bool:
    if TableMount.objects.filter(mount__resource=resource).exists():
        return False
    items = _items(resource)
    maker = Rows(rows).person if key_item == "GMSFHM" else Rows(rows).entity
    path = sources_dir() / filename
    if _row_count(path, table) != rows:
        build(path, table, items, key_item, rows, maker, seed=rows)
    connection = _connection(actor, resource.provider, filename, f"{resource.name}库（演示）")
    table_mount_set(
        actor=actor,
        resource=resource,
        data={
            "connection": connection,
            "table": table,
            "key_items": [key_item],
            "columns": {column.identifier: column.identifier.lower() for column in items},
            "description": f"{filename} 表 {table}",
        },
    )
    return True


def _mount_upstream(actor: Actor, resource: Resource, key_item: str) -> bool:
    if ApiMount.objects.filter(mount__resource=resource).exists():
        return False
    items = _items(resource)
    api_mount_set(
        actor=actor,
        resource=resource,
        data={
            "base_url": f"{demo_base_url()}/demo/upstream/records/{resource.pk}",
            "method": "GET",
            "auth_header": "X-Upstream-Key",
            "auth_value": f"demo-upstream-{resource.pk}",
            "timeout_ms": 3000,
            "key_params": {key_item: key_item.lower()},
            "records_path": "data",
            "fields": {column.identifier: column.identifier.lower() for column in items},
            "description": "信用信息共享接口（演示上游）",
        },
    )
    return True


def _mount_front_tables(actor: Actor) -> int:
    """A front-end table for each published resource whose slot says mounted without a
    connector behind it (the catalog demo planned the slots before connectors existed)."""
    configured = _configured_slots()
    served = Mount.objects.filter(pk__in=configured).values("resource_id")
    slots = (
        Mount.objects.filter(status=MountStatus.MOUNTED, resource__status=ResourceStatus.PUBLISHED)
        .exclude(pk__in=configured)
        .exclude(resource_id__in=served)  # a resource with a connector keeps it
        .select_related("resource__provider", "resource__current_version")
        .order_by("pk")
    )
    count = 0
    for slot in slots:
        resource = slot.resource
        items = _items(resource)
        if not items:
            continue
        filename = f"demo_front_{resource.provider_id:03d}.sqlite3"
        table = f"zy_{resource.pk:05d}"
        key_item = _key_item(items)
        _front_table(filename, table, items, key_item, seed=resource.pk)
        label = f"{resource.provider.short_name or resource.provider.name}前置库（演示）"
        connection = _connection(actor, resource.provider, filename, label)
        if slot.kind != MountKind.TABLE:
            slot.delete()  # the resource is served from its front table instead
        table_mount_set(
            actor=actor,
            resource=resource,
            data={
                "connection": connection,
                "table": table,
                "key_items": [key_item],
                "columns": {column.identifier: column.identifier.lower() for column in items},
                "description": f"前置库 {filename} 表 {table}",
            },
        )
        count += 1
    return count


def _drop_superseded_slots() -> None:
    """Slots the catalog demo planned (without a connector) for resources now served by
    another slot: the resource is reached through the configured one."""
    configured = _configured_slots()
    served = Mount.objects.filter(pk__in=configured).values("resource_id")
    Mount.objects.filter(resource_id__in=served).exclude(pk__in=configured).delete()


def _configured_slots() -> set[int]:
    configured = set(TableMount.objects.values_list("mount_id", flat=True))
    configured |= set(ApiMount.objects.values_list("mount_id", flat=True))
    return configured | set(FileSet.objects.values_list("mount_id", flat=True))


def _key_item(items: list[Column]) -> str:
    identifiers = [column.identifier for column in items]
    return next((key for key in KEY_PREFERENCE if key in identifiers), identifiers[0])


def _front_table(filename: str, table: str, items: list[Column], key_item: str, seed: int) -> None:
    path = sources_dir() / filename
    if _row_count(path, table) == FRONT_ROWS:
        return
    rows = Rows(seed)
    people = key_item != "TYSHXYDM"
    key = next(column for column in items if column.identifier == key_item)

    def make(index: int) -> dict[str, object]:
        values = rows.person(index) if people else rows.entity(index)
        if key_item not in KEY_PREFERENCE:  # a generated key, unique in the table
            values[key_item] = rows.values.key(key, index)
        return values

    build(path, table, items, key_item, FRONT_ROWS, make, seed=seed)


def _row_count(path: Any, table: str) -> int:
    if not path.exists():
        return -1
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    except sqlite3.Error:
        return -1
    finally:
        connection.close()
