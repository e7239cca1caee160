"""The demo city's work tasks: the real task list of Weifang's integration plan, loaded once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from govshare.core.actors import system_actor
from govshare.core.models import AuditEvent
from govshare.demo.foundation import load_departments, load_regions
from govshare.demo.worktasks import load_work_tasks
from govshare.inventory import progress
from govshare.inventory.models import Milestone, ProgressReport, WorkTask

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_MONTH = progress.add_months(progress.month_start(TODAY), -1)


def test_the_demo_loads_the_weifang_plan_once(db):
    # given the demo city's departments
    said: list[str] = []
    for step in (load_regions, load_departments, load_work_tasks):
        step(system_actor(), said.append)
    events = AuditEvent.objects.count()

    # when the step runs again, it adds nothing
    load_work_tasks(system_actor(), said.append)
    assert AuditEvent.objects.count() == events

    # then the plan's 19 tasks in its 5 sections, led by 大数据局, due in 2026–2027
    tasks = WorkTask.objects.all()
    assert tasks.count() == 19 and Milestone.objects.count() == 52
    assert progress.categories() == [
        "电子政务云建设",
        "电子政务内网和外网建设",
        "数据资源体系建设",
        "政务服务体系建设",
        "业务协同体系建设",
    ]
    assert {task.lead_unit.name for task in tasks} == {"潍坊市大数据局"}
    first = tasks.get(code="1.1")
    assert first.deadline == dt.date(2027, 6, 30)
    assert first.milestones.first().due == dt.date(2026, 12, 31)
    assert "2026年12月底前" in first.description and "市政府办公室" in first.description
    # and reports for the two months before this one, some units silent, 1.3 delayed
    assert set(ProgressReport.objects.values_list("month", flat=True)) == {
        LAST_MONTH,
        progress.add_months(LAST_MONTH, -1),
    }
    assert ProgressReport.objects.filter(task__code="1.3", status="delayed").exists()
    silent = progress.missing_reports(LAST_MONTH, TODAY)
    assert ("1.1", "寿光市大数据中心") in {(row.task.code, row.department.name) for row in silent}
