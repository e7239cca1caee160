"""The demo city's work tasks: the real task list of Weifang's integration plan (``data/
worktasks.yaml``), and some reports.

Source: 《潍坊市政务信息系统整合共享实施方案》(潍政办字〔2017〕133号), 二、重点任务, sections
(一)–(五): 电子政务云, 电子政务内网和外网, 数据资源体系, 政务服务体系, 业务协同体系. One
WorkTask per numbered task, its text converted from traditional to simplified characters; each
"YYYY年M月底前" step of the text becomes a milestone due at that month's end, and the task's
deadline is the last of them.

Adapted to the demo city:
- the plan's dates (2017-12 … 2018-12) are shifted by +9 years to 2026-12 … 2027-12, so the
  demo is current;
- the plan's lead units 市政府办公室 and 市智慧办 became 潍坊市大数据局; lead units the demo city
  lacks (市专用通信局, 市编办, 市法制办, 市政务服务办) fall back to it too, and the description
  keeps the plan's own wording;
- "各县市区政府，市属各开发区管委会，市直有关部门、单位" became a handful of demo departments
  per task (only those that exist are used);
- progress reports for the two months before the current one, with some units missing and one
  task (1.3) delayed, so the reminder list and the monthly workbook have content. (They
  precede the shifted plan's start; they are there to show the reporting, not history.)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from govshare.core.actors import Actor
from govshare.demo.city import DEPARTMENTS
from govshare.demo.datafiles import load
from govshare.inventory.choices import TaskStatus
from govshare.inventory.models import Milestone, WorkTask
from govshare.inventory.progress import add_months, month_start
from govshare.inventory.services import (
    TaskData,
    milestone_add,
    progress_report,
    task_create,
)
from govshare.orgs.models import Department

Say = Callable[[str], None]

YEARS_SHIFT = 9
PLAN = "《潍坊市政务信息系统整合共享实施方案》（潍政办字〔2017〕133号）"
LEAD_KEY = "dsj"  # 潍坊市大数据局, for 市政府办公室/市智慧办 and leads the demo city lacks
ALL_UNITS = "各县市区政府，市属各开发区管委会，市直有关部门、单位"
STEP = re.compile(r"(\d{4})年(\d{1,2})月底前，?")


@dataclass(frozen=True)
class PlanTask:
    """A numbered task of the plan: its text, the plan's own units, the demo's units."""

    code: str
    title: str
    text: str
    plan_lead: str
    units: tuple[str, ...]  # keys of govshare.demo.city.DEPARTMENTS
    plan_units: str = ALL_UNITS


def _plan_task(entry: dict[str, Any]) -> PlanTask:
    return PlanTask(
        code=entry["code"],
        title=entry["title"],
        text=entry["text"],
        plan_lead=entry["plan_lead"],
        units=tuple(entry["units"]),
        plan_units=entry.get("plan_units", ALL_UNITS),
    )


def _pairs(entries: list[str]) -> set[tuple[str, str]]:
    return {(code, key) for code, key in (entry.split() for entry in entries)}


_DATA = load("worktasks")
SECTIONS: list[tuple[str, list[PlanTask]]] = [
    (section["category"], [_plan_task(entry) for entry in section["tasks"]])
    for section in _DATA["sections"]
]
# Pairs (task, unit) that send nothing in the latest month, and in the month before it: the
# reminder list's content.
SILENT_LAST_MONTH = _pairs(_DATA["silent_last_month"])
SILENT_MONTH_BEFORE = _pairs(_DATA["silent_month_before"])
DELAYED_TASK = "1.3"
DELAY_PROBLEM = (
    "部分业务系统依托国家、省垂直部署，迁移上云需等待上级统一改造；自建视频会议系统合同未到期，"
    "关停计划需与服务商重新协商。"
)


# --- the plan's text ------------------------------------------------------------------------


def shifted_month_end(year: int, month: int) -> dt.date:
    """The end of the plan's month, ``YEARS_SHIFT`` years on (底前 = by the month's last day)."""
    year += YEARS_SHIFT
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def milestones_of(text: str) -> list[tuple[dt.date, str]]:
    """Each "YYYY年M月底前，…" step of the text: its due date and its first sentence."""
    steps = []
    for match in STEP.finditer(text):
        rest = text[match.end() :]
        following = STEP.search(rest)
        sentence = rest[: following.start() if following else len(rest)].split("。")[0]
        title = sentence.strip().rstrip("；，;, ")
        steps.append((shifted_month_end(int(match[1]), int(match[2])), title[:300]))
    return steps


def description_of(plan_task: PlanTask) -> str:
    """The plan's text with its dates shifted, and the plan's own lead and responsible units."""

    def shift(match: re.Match[str]) -> str:
        return f"{int(match[1]) + YEARS_SHIFT}年{match[2]}月底前，"

    return (
        f"{STEP.sub(shift, plan_task.text)}\n\n"
        f"{PLAN}：牵头单位：{plan_task.plan_lead}；责任单位：{plan_task.plan_units}。"
    )


def demo_departments() -> dict[str, Department]:
    """The demo city's departments that exist, by key."""
    names = {key: name for key, name, *_rest in DEPARTMENTS}
    found = {d.name: d for d in Department.objects.filter(name__in=names.values(), is_active=True)}
    return {key: found[name] for key, name in names.items() if name in found}


# --- the step -------------------------------------------------------------------------------


def load_work_tasks(actor: Actor, say: Say) -> None:
    """Create the plan's tasks that do not exist yet (by number), with some progress reports."""
    departments = demo_departments()
    lead = departments.get(LEAD_KEY)
    if lead is None:
        say("work tasks: skipped, the demo departments are missing")
        return
    created = []
    for category, plan_tasks in SECTIONS:
        for plan_task in plan_tasks:
            if WorkTask.objects.filter(code=plan_task.code).exists():
                continue
            created.append(_create_task(actor, category, plan_task, lead, departments))
    reports = sum(_report_progress(actor, task, departments) for task in created)
    say(
        f"work tasks: {len(created)} created, {WorkTask.objects.count()} in all; "
        f"{reports} progress reports"
    )


def _create_task(
    actor: Actor,
    category: str,
    plan_task: PlanTask,
    lead: Department,
    departments: dict[str, Department],
) -> WorkTask:
    steps = milestones_of(plan_task.text)
    units = [departments[key] for key in plan_task.units if key in departments] or [lead]
    data = TaskData(
        code=plan_task.code,
        category=category,
        title=plan_task.title,
        description=description_of(plan_task),
        lead_unit=lead,
        responsible_units=units,
        deadline=max(due for due, _title in steps),
    )
    task = task_create(actor=actor, data=data)
    for due, title in steps:
        milestone_add(actor=actor, task=task, title=title, due=due)
    return task


def _report_progress(actor: Actor, task: WorkTask, departments: dict[str, Department]) -> int:
    """Reports of the two months before this one, leaving out the silent pairs."""
    latest = add_months(month_start(timezone.localdate()), -1)
    keys = {department.pk: key for key, department in departments.items()}
    next_step = Milestone.objects.filter(task=task).order_by("due").first()
    sent = 0
    months = ((add_months(latest, -1), SILENT_MONTH_BEFORE, 10), (latest, SILENT_LAST_MONTH, 25))
    for month, silent, percent in months:
        for department in task.responsible_units.order_by("name"):
            if (task.code, keys.get(department.pk)) in silent:
                continue
            _send(actor, task, department, month, percent, next_step)
            sent += 1
    return sent


def _send(
    actor: Actor,
    task: WorkTask,
    department: Department,
    month: dt.date,
    percent: int,
    next_step: Milestone | None,
) -> None:
    is_delayed = task.code == DELAYED_TASK and percent > 10
    step = f"“{next_step.title}”" if next_step else "下一节点"
    progress_report(
        actor=actor,
        task=task,
        department=department,
        month=month,
        progress=_progress_text(department, percent, is_delayed),
        problems=DELAY_PROBLEM if is_delayed else "",
        next_steps=f"对照{step}节点要求，按期完成本单位任务。",
        status=TaskStatus.DELAYED if is_delayed else TaskStatus.ON_TRACK,
        percent_done=percent - 10 if is_delayed else percent,
    )


def _progress_text(department: Department, percent: int, is_delayed: bool) -> str:
    if is_delayed:
        return f"{department.display_name}已完成系统梳理，迁移和关停计划尚未定稿。"
    if percent <= 10:
        return f"{department.display_name}已成立工作专班，完成任务分解和责任落实。"
    return f"{department.display_name}已完成现状梳理，形成初步工作方案，正在组织实施。"
