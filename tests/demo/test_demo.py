"""The demo city loads through the services, twice without duplicating anything."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from govshare.core.chain import verify_chain
from govshare.core.models import AuditEvent
from govshare.inventory.models import InformationSystem, ZombieFinding
from govshare.orgs.models import Department, Membership, Region

pytestmark = pytest.mark.django_db


def test_the_demo_city_is_complete_idempotent_and_audited(capsys):
    call_command("demo")
    counts = (
        Region.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        InformationSystem.objects.count(),
    )
    call_command("demo")
    assert (
        Region.objects.count(),
        Department.objects.count(),
        Membership.objects.count(),
        InformationSystem.objects.count(),
    ) == counts
    names = set(Department.objects.values_list("short_name", flat=True))
    assert {
        "公安局",
        "人社局",
        "财政局",
        "住建局",
        "自然资源和规划局",
        "城管局",
        "不动产登记中心",
        "农业农村局",
        "水务局",
        "教育局",
        "卫健委",
        "交通运输局",
        "税务局",
        "市场监管局",
        "民政局",
        "大数据局",
    } <= names
    assert Region.objects.get(code="370783").parent.code == "370700"
    assert InformationSystem.objects.count() >= 80
    assert set(ZombieFinding.objects.values_list("rule", flat=True)) == {
        "detached",
        "replaceable",
        "idle",
    }
    assert verify_chain(AuditEvent).is_intact
    out = capsys.readouterr().out
    assert "ga_officer" in out and "Demo#Weifang2026" in out
