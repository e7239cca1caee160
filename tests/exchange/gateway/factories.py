"""A world for gateway tests, built straight through the ORM: a provider's published resource
mounted on a SQLite table, a consumer's application with credentials, and active grants.

The sharing services (request → review → grant) have their own tests; here a grant is simply
written as the services would leave it, then the gateway's change stamp is bumped.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from govshare.catalog.models import Mount, Resource
from govshare.catalog.services import resource_create, resource_review, resource_submit
from govshare.core import stamps
from govshare.core.crypto import sm3_hex
from govshare.core.roles import Role
from govshare.exchange.models import ApiMount, Connection, TableMount
from govshare.orgs.models import Department
from govshare.sharing.models import AppCredential, Grant, GrantItem, ShareRequest
from tests.catalog.factories import items_data, resource_data
from tests.factories import DepartmentFactory, member
from tests.inventory.factories import SystemFactory

SOURCE_FILE = "population.sqlite3"
# item identifier → column of the provider's table
ITEMS = {
    "GMSFHM": "sfzh",
    "XM": "xm",
    "XBDM": "xb",
    "CSRQ": "csrq",
    "LXDH": "lxdh",
    "ZZ": "zz",
}
EXTRA_ITEMS = [
    {"name": "出生日期", "identifier": "CSRQ", "data_type": "D", "share_type": "conditional"},
    {
        "name": "联系电话",
        "identifier": "LXDH",
        "data_type": "C",
        "length": 20,
        "share_type": "conditional",
        "is_personal": True,
        "masking": "phone",
    },
    {
        "name": "住址",
        "identifier": "ZZ",
        "data_type": "C",
        "length": 200,
        "share_type": "conditional",
        "is_personal": True,
        "masking": "address",
    },
]
MASKING = {"GMSFHM": "id_number", "XM": "name", "LXDH": "phone", "ZZ": "address"}
PEOPLE = [
    ("370702199001011234", "张三", "1", "1990-01-01", "13812345678",
     "山东省潍坊市潍城区和平路1号", "370702"),
    ("370702198505052345", "李四", "2", "1985-05-05", "13987654321",
     "山东省潍坊市潍城区胜利街8号", "370702"),
    ("37070319700303345X", "欧阳娜娜", "2", "1970-03-03", "13700001111",
     "山东省潍坊市寒亭区民主街3号", "370703"),
]  # fmt: skip
KEY_ITEMS = ["GMSFHM", "XM"]


def write_source(directory: Path, rows: int = 0) -> Path:
    """The provider's table: the three people, plus ``rows`` generated ones (benchmarks)."""
    path = directory / SOURCE_FILE
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, sfzh TEXT NOT NULL UNIQUE, xm TEXT, "
        "xb TEXT, csrq TEXT, lxdh TEXT, zz TEXT, qh TEXT)"
    )
    db.execute("CREATE INDEX person_xm ON person (xm)")
    db.executemany(
        "INSERT INTO person (sfzh, xm, xb, csrq, lxdh, zz, qh) VALUES (?, ?, ?, ?, ?, ?, ?)",
        PEOPLE,
    )
    db.executemany(
        "INSERT INTO person (sfzh, xm, xb, csrq, lxdh, zz, qh) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (generated_person(n) for n in range(rows)),
    )
    db.commit()
    db.close()
    return path


def generated_person(n: int) -> tuple[str, ...]:
    return (
        generated_id(n),
        f"测试{n}",
        str(n % 2 + 1),
        "1980-01-01",
        f"139{n:08d}",
        f"山东省潍坊市奎文区测试路{n}号",
        "370705",
    )


def generated_id(n: int) -> str:
    return f"370705{n:012d}"


@dataclass
class World:
    provider: Any
    consumer: Any
    officer: Any
    resource: Resource
    mount: Mount
    application: Any
    credential: AppCredential
    secret: str
    grants: list[Grant] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return self.resource.code


def published_resource(officer: Any, reviewer: Any, provider: Any) -> Resource:
    resource = resource_create(
        actor=officer,
        provider=provider,
        data=resource_data(),
        items=[*items_data(), *EXTRA_ITEMS],
    )
    resource_submit(actor=officer, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    resource.refresh_from_db()
    return resource


def table_mount(resource: Resource, provider: Any, row_filter: dict | None = None) -> Mount:
    connection = Connection.objects.create(
        department=provider, name="人口库", engine="sqlite", database=SOURCE_FILE
    )
    mount, _ = Mount.objects.update_or_create(
        resource=resource, kind="table", defaults={"status": "mounted"}
    )
    TableMount.objects.create(
        mount=mount,
        connection=connection,
        table="person",
        key_items=KEY_ITEMS,
        columns=ITEMS,
        row_filter=row_filter or {},
    )
    return mount


def api_mount(resource: Resource, base_url: str, timeout_ms: int = 2000) -> Mount:
    mount, _ = Mount.objects.update_or_create(
        resource=resource, kind="api", defaults={"status": "mounted"}
    )
    ApiMount.objects.create(
        mount=mount,
        base_url=base_url,
        timeout_ms=timeout_ms,
        key_params={"GMSFHM": "sfzh"},
        records_path="data",
        fields={"GMSFHM": "sfzh", "XM": "xm", "XBDM": "xb", "LXDH": "lxdh"},
    )
    return mount


def credential_for(application: Any, officer: Any, **fields: Any) -> tuple[AppCredential, str]:
    secret = secrets.token_urlsafe(24)
    credential = AppCredential.objects.create(
        application=application,
        department=application.department,
        name="测试凭证",
        app_key=secrets.token_hex(8),
        secret_hash=sm3_hex(secret),
        created_by=officer,
        **fields,
    )
    return credential, secret


def grant(
    world_or_parts: World,
    items: dict[str, str] | list[str],
    mode: str = "query",
    state: str = "active",
    **fields: Any,
) -> Grant:
    """An approved request and its grant; ``items`` as {identifier: masking} or identifiers
    (then masked as MASKING says)."""
    world = world_or_parts
    if isinstance(items, list):
        items = {identifier: MASKING.get(identifier, "none") for identifier in items}
    today = timezone.localdate()
    request = ShareRequest.objects.create(
        number=f"SQ{secrets.token_hex(6)}",
        consumer=world.consumer,
        provider=world.provider,
        application=world.application,
        resource=world.resource,
        resource_version=world.resource.current_version,
        state=state,
        purpose="administrative_basis",
        purpose_detail="窗口受理时核验身份",
        basis="《社会保险法》第五十八条",
        scenario="经办人员查询",
        mode=mode,
        period_start=today,
        period_end=today + dt.timedelta(days=365),
        expected_daily_calls=1000,
        created_by=world.officer,
    )
    values = {
        "valid_from": today - dt.timedelta(days=1),
        "valid_until": today + dt.timedelta(days=365),
        "daily_quota": 100_000,
        "rate_per_minute": 100_000,
        **fields,
    }
    created = Grant.objects.create(
        request=request,
        application=world.application,
        consumer=world.consumer,
        provider=world.provider,
        resource=world.resource,
        mode=mode,
        **values,
    )
    names = {item.identifier: item.name for item in world.resource.current_version.items.all()}
    GrantItem.objects.bulk_create(
        GrantItem(grant=created, identifier=i, name=names.get(i, i), masking=m)
        for i, m in items.items()
    )
    world.grants.append(created)
    stamps.bump("gateway")
    return created


def build_world(sources_dir: Path, source_rows: int = 0) -> World:
    """Provider 市公安局 with a mounted resource; consumer 市人社局 with an application and a
    credential (no grant yet)."""
    write_source(sources_dir, source_rows)
    authority = Department.objects.filter(is_sharing_authority=True).first()
    authority = authority or DepartmentFactory(name="市大数据中心", is_sharing_authority=True)
    provider = DepartmentFactory(name="市公安局")
    consumer = DepartmentFactory(name="市人社局")
    reviewer = member(authority, Role.REVIEWER)
    officer = member(provider, Role.DATA_OFFICER)
    consumer_officer = member(consumer, Role.DATA_OFFICER)
    resource = published_resource(officer, reviewer, provider)
    mount = table_mount(resource, provider)
    application = SystemFactory(department=consumer, name="社保经办系统")
    credential, secret = credential_for(application, consumer_officer)
    stamps.bump("gateway")
    return World(
        provider=provider,
        consumer=consumer,
        officer=consumer_officer,
        resource=resource,
        mount=mount,
        application=application,
        credential=credential,
        secret=secret,
    )
