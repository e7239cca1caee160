"""Factories of the inventory tests."""

from __future__ import annotations

import datetime as dt

import factory

from govshare.inventory.models import InformationSystem
from tests.factories import DepartmentFactory

# Distinct function descriptions, so factory systems do not look like duplicates of each other.
TOPICS = [
    "户籍迁移",
    "医保报销",
    "学籍注册",
    "道路运输",
    "税费申报",
    "土地供应",
    "环境监测",
    "防汛调度",
    "农机补贴",
    "婚姻登记",
    "疫苗接种",
    "公积金缴存",
    "企业年报",
    "应急物资",
]
ACTS = ["受理审批", "档案查询", "统计分析", "监督考核"]


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationSystem

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"测试业务系统{n}")
    function_description = factory.Sequence(
        lambda n: f"{TOPICS[n % len(TOPICS)]}{ACTS[n // len(TOPICS) % len(ACTS)]}"
    )
    usage_scope = "cross_department"
    usage_frequency = "daily"
    active_users = 120
    funding_source = "fiscal"
    construction_mode = "self_built"
    construction_investment = 100
    annual_om_cost = 10
    go_live_date = dt.date(2020, 1, 1)
    last_software_update = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    deployment = "gov_cloud"
    network_domain = "extranet_admin"


def census_data(**overrides) -> dict:
    """A valid census record as a department fills it in."""
    data = {
        "name": "不动产登记业务系统",
        "function_description": "不动产登记受理、审核、登簿和证书打印",
        "usage_scope": "public",
        "usage_frequency": "daily",
        "active_users": 300,
        "funding_source": "fiscal",
        "construction_mode": "self_built",
        "construction_investment": 450,
        "annual_om_cost": 60,
        "go_live_date": dt.date(2019, 6, 1),
        "deployment": "gov_cloud",
        "network_domain": "extranet_admin",
        "protection_level": 3,
        "protection_filing_number": "37070013001-19001",
    }
    data.update(overrides)
    return data
