"""Zombie rules: each flags with its evidence; thresholds come from the settings."""

from __future__ import annotations

import datetime as dt

import pytest

from govshare.core.config import param_set
from govshare.inventory.models import UsageReport, ZombieFinding
from govshare.inventory.services import cleanup_decide, zombie_assess
from govshare.inventory.zombies import Thresholds, assess
from tests.factories import DepartmentFactory
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _rules(findings, system):
    return {f.rule for f in findings if f.system.pk == system.pk}


def test_a_system_unused_for_longer_than_the_threshold_is_detached():
    used = SystemFactory()
    UsageReport.objects.create(
        system=used, date=TODAY - dt.timedelta(days=3), active_users=40, requests=900
    )
    unused = SystemFactory()
    UsageReport.objects.create(
        system=unused, date=TODAY - dt.timedelta(days=200), active_users=5, requests=10
    )
    findings = assess(
        TODAY, Thresholds(unused_days=90, stale_months=24, similarity=0.99, idle_users=0)
    )
    assert _rules(findings, used) == set()
    detached = next(f for f in findings if f.system.pk == unused.pk)
    assert detached.rule == "detached" and detached.evidence["days_without_use"] == 200


def test_a_system_without_updates_for_m_months_is_detached():
    stale = SystemFactory(last_software_update=TODAY - dt.timedelta(days=800))
    UsageReport.objects.create(system=stale, date=TODAY, active_users=40, requests=900)
    finding = assess(TODAY, Thresholds(90, 24, 0.99, 0))[0]
    assert finding.system == stale and finding.evidence["months_without_update"] >= 24


def test_duplicates_are_matched_in_the_same_department_first_and_the_weaker_is_flagged():
    department = DepartmentFactory()
    strong = SystemFactory(
        department=department,
        name="网格化社会治理平台",
        active_users=800,
        function_description="网格员采集上报社会治理事件，事件分拨处置和考核",
    )
    weak = SystemFactory(
        department=department,
        name="社会治理网格事件系统",
        active_users=30,
        function_description="网格员上报社会治理事件，事件分拨处置",
    )
    other = SystemFactory(name="中小学学籍管理系统", function_description="中小学学生学籍注册转学")
    findings = assess(TODAY, Thresholds(100000, 1000, 0.4, 0))
    duplicate = next(f for f in findings if f.rule == "replaceable")
    assert duplicate.system == weak and duplicate.matched_system == strong
    assert duplicate.evidence["same_department"] is True and duplicate.score >= 0.4
    assert {"社会", "治理", "网格"} <= set(duplicate.evidence["shared_terms"])
    assert _rules(findings, other) == set()


def test_idle_systems_cost_money_but_serve_few_rarely():
    idle = SystemFactory(
        usage_scope="internal", usage_frequency="rarely", active_users=3, annual_om_cost=20
    )
    free = SystemFactory(
        usage_scope="internal", usage_frequency="rarely", active_users=3, annual_om_cost=0
    )
    findings = assess(TODAY, Thresholds(100000, 1000, 0.99, 10))
    assert _rules(findings, idle) == {"idle"} and _rules(findings, free) == set()


def test_changing_a_threshold_changes_the_list(admin_user, reviewer):
    system = SystemFactory(usage_scope="internal", usage_frequency="monthly", active_users=25)
    UsageReport.objects.create(system=system, date=TODAY, active_users=25, requests=40)
    zombie_assess(actor=reviewer)
    assert not ZombieFinding.objects.filter(system=system).exists()
    param_set(actor=admin_user, key="inventory.zombie.idle_max_active_users", value="30")
    zombie_assess(actor=reviewer)
    assert ZombieFinding.objects.get(system=system).rule == "idle"


def test_the_authority_decides_to_merge_a_flagged_system(reviewer):
    system = SystemFactory(usage_scope="internal", usage_frequency="rarely", active_users=1)
    target = SystemFactory(department=system.department)
    zombie_assess(actor=reviewer)
    record = cleanup_decide(
        actor=reviewer, system=system, decision="merge", reason="功能重复", merge_target=target
    )
    system.refresh_from_db()
    assert system.lifecycle == "merged" and system.merged_into == target
    assert "idle" in record.rules


def test_departments_cannot_decide_clean_up(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        cleanup_decide(actor=officer_a, system=system, decision="keep", reason="我们还在用")


def test_earlier_assessments_are_kept_as_history(reviewer):
    system = SystemFactory(usage_scope="internal", usage_frequency="rarely", active_users=1)
    zombie_assess(actor=reviewer)
    zombie_assess(actor=reviewer)
    current = ZombieFinding.objects.filter(system=system).count()
    assert current >= 1
    assert ZombieFinding.history.filter(system=system).count() == 2 * current


def test_a_recent_successful_health_check_counts_as_use():
    from django.utils import timezone

    from govshare.inventory.models import HealthCheck

    system = SystemFactory()
    HealthCheck.objects.create(
        system=system, checked=timezone.now(), is_up=True, status_code=200, latency_ms=20
    )
    findings = assess(
        TODAY, Thresholds(unused_days=90, stale_months=1000, similarity=0.99, idle_users=0)
    )
    assert _rules(findings, system) == set()


def test_an_assessment_that_finds_nothing_still_counts_as_the_last_run(reviewer):
    # given an earlier run, and a node where nothing is a zombie now
    from govshare.inventory.selectors import latest_assessment

    zombie_assess(actor=reviewer)
    first = latest_assessment()

    # when the rules run again and find nothing
    rows = zombie_assess(actor=reviewer)

    # then the last-assessed time is this run's
    assert rows == []
    assert latest_assessment() > first
