"""The demo city's work tasks: the real task list of Weifang's integration plan, and some reports.

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

from govshare.demo.city import DEPARTMENTS
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
CITY_UNITS = "市直有关部门、单位"
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


# fmt: off
SECTIONS: list[tuple[str, list[PlanTask]]] = [
    ("电子政务云建设", [
        PlanTask(
            "1.1", "加强全市电子政务云一体化管理",
            "按照省级电子政务云统筹建设要求，对全市建设规模小、运行成本高、支撑能力弱的政务云和"
            "行业云实施归并整合，纳入全省统一的云服务管理体系；尚未建设电子政务云的县市区，今后不"
            "再新建，依托市级电子政务云开展服务。2017年12月底前，完成政务云平台普查工作，梳理我市政"
            "务云建设现状。2018年2月底前，配合全省政务云服务能力评估，完成我市政务云评估工作，并形"
            "成评估报告。2018年4月底前，结合评估报告及全省政务云规范整合工作方案，制定我市政务云整"
            "合计划，启动政务云规范整合工作。2018年6月底前，根据全省政务云管理体系建设要求，实现政"
            "务云容灾、监管和运维一体化。",
            "市政府办公室", ("gaj", "rsj", "wjw", "sgdsj"),
        ),
        PlanTask(
            "1.2", "提升公共服务云服务质量，加快行政服务云建设",
            "继续加强我市电子政务公共服务云建设，强化安全保障和监督管理，提升服务和运行质量，加强"
            "公共服务云的安全建设，满足全市社会管理和公共服务的要求。加快推进我市行政服务云建设改"
            "造，2017年12月底前，完成对我市行政服务域基础设施的梳理工作，结合省行政服务云建设规划"
            "，形成我市行政服务域基础设施整合计划。2018年3月底前，整合各级各部门机房、计算、存储资"
            "源，完成全市行政服务云建设整合工作，并将改造后的行政服务域资源纳入全省统一的管理体系。",
            "市政府办公室", ("gaj", "rsj", "czj", "sgdsj"),
        ),
        PlanTask(
            "1.3", "加快部门业务系统迁移整合",
            "开展专项普查，全面梳理现有业务系统，全面清理“僵尸”系统、整合“影子”系统，整合通用基"
            "础业务系统，加快部门业务系统迁移整合。2017年12月底前，完成全市政务信息系统专项普查工"
            "作，摸清政务信息系统情况，形成系统清理名单和清理计划；2018年3月底前，完成清理任务。"
            "2017年12月底前，对电子邮件系统、即时通讯系统、网络会议系统和视频监控系统进行全面梳理，"
            "并根据省通用系统整合要求，制定迁移和关停计划；2018年3月底前，启用全省统一互联网邮件系"
            "统，完成人员、账号配置等工作；2018年6月底前，根据全省统一电子邮件系统、即时通讯系统、"
            "网络会议系统和视频监控系统建设计划，制定网络会议系统和视频监控系统的整合应用方案，完成"
            "自建邮件系统、即时通讯系统的迁移和关停工作；2018年12月底前，根据省统一要求，完成网络会"
            "议系统和视频监控系统整合工作。2018年3月底前，根据各部门业务对网络方面的要求，制定部门"
            "业务系统上云迁移清单和计划；2018年6月底前，全市业务系统迁移上云比例达到70%；2018年12"
            "月底前，全面完成全市业务系统上云工作。除涉密等原因外，原则上不再批准部门新建或部署独立"
            "运行的业务应用系统。",
            "市政府办公室", ("gaj", "rsj", "scj", "zjj", "jyj"),
        ),
    ]),
    ("电子政务内网和外网建设", [
        PlanTask(
            "2.1", "电子政务内网建设",
            "根据全省电子政务内网建设要求，2018年6月底前，完成政府系统市级电子政务内网建设，实现与"
            "省级网络中心连接；完成有业务需求的市直部门、单位内网建设并接入内网市级网络结点。2018"
            "年12月底前，分类梳理部门涉密业务，完成各涉密业务向内网的迁移工作。",
            "市专用通信局", ("gaj", "czj", "sjj"),
        ),
        PlanTask(
            "2.2", "提升市电子政务外网支撑能力",
            "进一步优化外网网络结构，统筹外网公共服务域和行政服务域发展，扩大覆盖范围，推动各级各"
            "部门各单位规范接入，提高对业务量大、覆盖广、实时要求高的业务应用支撑水平。2017年12月"
            "底前，根据省外网网络结构优化要求，制定全市外网扩容提升实施方案，完成外网（含行政服务域"
            "、公共服务域）至市、县各政务部门的优化工作。2018年6月底前，外网公共服务域实现镇（街道"
            "）全覆盖，基本具备跨层级、跨地域、跨部门、跨业务的支撑服务能力。",
            "市智慧办", ("rsj", "mzj", "sgdsj", "qzgaj"),
        ),
        PlanTask(
            "2.3", "推进部门业务专网整合",
            "全面整合各类业务专网（专线），除个别确需保留、经批准暂时实行网络对接的外，各类业务专网"
            "（含国家、省垂直业务专网的市以下部分）向全市电子政务内网或外网分类迁移。2017年12月底前"
            "，完成电子政务网络普查，摸清全市电子政务网络（含国家、省部门垂直部署网络）有关情况。"
            "2018年1月底前，根据业务专网整合要求，制定各类业务专网接入外网（行政服务域、公共服务域"
            "）、内网实施方案和整合计划。2018年12月底前，全面完成业务专网整合工作。",
            "市政府办公室、市专用通信局", ("gaj", "sw", "rsj", "qzgaj"),
        ),
        PlanTask(
            "2.4", "互联网出口整合",
            "依托全市电子政务外网公共服务域，整合部门、单位互联网出口，根据省市县三级互联网统一接入"
            "要求，建设市县一体化接入平台，县级以下统一接入县级平台。2018年3月底前，根据全省互联网"
            "出口整合要求制定全市互联网出口整合方案。2018年6月底前，完成互联网出口整合工作。",
            "市政府办公室", ("scj", "jtj", "sgdsj"),
        ),
    ]),
    ("数据资源体系建设", [
        PlanTask(
            "3.1", "规范政务信息资源目录",
            "2017年12月底前，根据全省政务信息资源目录规范要求，结合政务信息资源共享交换工作推进情况"
            "，对目录进行初步规范调整。2018年12月底前，根据省统一要求，结合政务信息资源共享交换、公"
            "共数据开放以及大数据管理等工作推进情况，对目录进一步规范。",
            "市政府办公室", ("gaj", "rsj", "scj", "zrj"),
        ),
        PlanTask(
            "3.2", "政务信息资源共享交换",
            "按省统一部署要求，完成市级政务信息资源共享交换平台与省级平台的对接工作。2017年12月底前"
            "，组织开展跨部门、跨地域、跨层级政务信息资源共享交换应用试点。配合完成全省重点领域跨层"
            "级、跨地域政务信息资源共享交换应用。2018年3月底前，依托全市统一的共享交换平台整合各级各"
            "部门自有的数据归集渠道。2018年6月底前，全面开展跨部门、跨地域、跨层级政务信息资源共享交"
            "换应用。",
            "市政府办公室", ("gaj", "rsj", "scj", "wjw", "sw"),
        ),
        PlanTask(
            "3.3", "政务信息资源统筹管理",
            "加强基础信息资源库建设，健全分工协作、动态更新、有效利用的工作机制。2018年6月底前，建设"
            "完善全市人口、法人单位、空间地理、公共信用、电子证照等重点基础信息资源库。2018年3月底前"
            "，利用省政务信息资源和大数据管理平台，配合并组织开展政务大数据在社会态势感知、综合分析"
            "、预警预测、辅助决策等领域的示范应用以及与通信、供电、供水等公共企事业单位和其他社会大"
            "数据资源协作应用试点示范。",
            "市政府办公室", ("gaj", "scj", "zrj", "rsj"),
        ),
        PlanTask(
            "3.4", "推进公共数据开放",
            "2018年3月底前，明确可开放公共数据资源，形成可开放公共数据资源目录清单。完成开放数据资源"
            "与统一数据开放平台的对接，在全省统一的公共数据资源开放平台及开放网站发布数据或数据开放"
            "接口。",
            "市政府办公室", ("scj", "jtj", "swj", "nyj"),
        ),
        PlanTask(
            "3.5", "完善数据资源政策和标准",
            "健全电子政务、大数据发展有关政策标准，为数据资源共享开放提供制度保障。2018年1月底前，根"
            "据《山东省公共数据和电子政务管理办法》，完善电子政务建设和应用标准规范，为推进政务信息"
            "系统整合共享提供标准和依据。",
            "市政府办公室", ("czj", "sjj", "scj"), CITY_UNITS,
        ),
    ]),
    ("政务服务体系建设", [
        PlanTask(
            "4.1", "政务服务平台",
            "深入推进“互联网+政务服务”，继续完善全市政务服务平台功能，不断深化平台应用，提升服务水平"
            "。2017年12月底前，按照《关于印发2017年全省政务服务平台完善提升工作实施方案的通知》（鲁"
            "政办字〔2017〕56号）确定的任务分工，实现公共服务、行政处罚、行政强制等政务服务事项在政"
            "务服务平台上运行；完成部门自建行政许可、公共服务等业务系统与市级政务服务平台的对接和数"
            "据共享；配合完成省政务服务“中介超市”上线运行有关工作；开展政务信息资源共享在政务服务平"
            "台中的应用试点。2018年6月底前，完成部门自建行政处罚、行政强制等业务系统与政务服务平台的"
            "对接和数据共享；在对部门热线资源统一整合的基础上，接入市共享交换平台，进行数据分析，提"
            "供领导决策；完成并联审批、物流平台、网上预约、第三方代办等政务服务试点工作。2018年12月"
            "底前，按照省统一部署，完成有关行政权力事项在政务服务平台运行；完成面向公众服务的部门自"
            "建系统与政务服务平台的对接；配合完成并联审批、物流寄送、网上预约、第三方代办等统一服务"
            "的实施部署和业务调整工作；开展政务信息资源共享在政务服务平台中的综合应用。",
            "市编办、市法制办、市政务服务办、市智慧办", ("gaj", "rsj", "scj", "zjj", "bdc"),
        ),
        PlanTask(
            "4.2", "政府门户网站",
            "2017年12月底前，升级扩容全市统一的政府网站技术平台，逐步整合各级各类政府网站信息资源，"
            "推进政府网站集中管理工作。2018年6月底前，根据《政府网站发展指引》，完成全市政府网站整合"
            "清理工作，按照统一政务服务门户要求，完成政府门户网站、政务公开平台和政务服务平台前端整"
            "合。2018年12月底前，完成全市政府网站到省政府网站统一技术平台的迁移工作。",
            "市政府办公室", ("jyj", "wjw", "mzj", "sgdsj"),
        ),
        PlanTask(
            "4.3", "统一身份认证",
            "按省统一部署要求，完成市级网上政务大厅与省统一身份认证系统对接接口升级改造。2018年6月底"
            "前，实现全市政府门户网站、主要市直部门网站接入省统一身份认证体系。2018年12月底前，整合"
            "全市面向公众服务的互联网网站和业务系统，接入省统一身份认证体系。",
            "市智慧办、市政务服务办", ("gaj", "rsj", "scj", "zjj"),
        ),
        PlanTask(
            "4.4", "一体化政务服务门户",
            "2017年12月底前，依托市政府门户网站，初步建成市级一体化政务服务门户。2018年6月底前，对面"
            "向公众服务的应用系统进行优化整合，按照省统一政务服务门户建设要求，完成各部门与一体化政"
            "务服务门户的前端整合。",
            "市智慧办、市政务服务办", ("rsj", "zjj", "scj", "mzj"),
        ),
        PlanTask(
            "4.5", "电子证照库",
            "开展网上验证核对，优化网上服务流程，推动电子证照、电子文件、电子印章、电子签名、电子档"
            "案在“互联网+政务服务”工作中的应用。2017年12月底前，建设完成全市电子证照系统和电子证照"
            "库。2018年6月底前，将系统整合共享完成度较好的部门、单位和事项纳入全市电子证照应用范围重"
            "点推广。2018年12月底前，与省内具备对接条件的地区建立跨区域电子证照互认共享机制，逐步实"
            "现跨区域业务办理。",
            "市政府办公室", ("gaj", "mzj", "scj", "bdc"),
        ),
    ]),
    ("业务协同体系建设", [
        PlanTask(
            "5.1", "全市统一业务协同平台",
            "2017年12月底前，完成办公业务系统与省电子公文交换系统对接，实现跨层级、跨地域、跨部门的"
            "电子公文交换。2018年3月底前，完成现有内部办公业务系统梳理工作，制定向外网行政服务域整合"
            "、迁移方案。2018年12月底前，根据省《实施方案》要求完成会议、督查、档案、应急管理等相关业"
            "务系统的整合、迁移工作。",
            "市政府办公室", ("czj", "sjj", "swj", "sgdsj"),
        ),
        PlanTask(
            "5.2", "全市一体化移动办公服务平台",
            "2017年12月底前，梳理现有各类移动办公业务系统。2018年3月底前，根据前期梳理情况，制定移动"
            "办公业务系统与全省一体化移动办公服务平台对接方案。2018年12月底前，结合办公业务系统整合"
            "、迁移工作，完成移动办公业务系统与一体化移动办公服务平台的对接工作。",
            "市智慧办", ("gaj", "rsj", "cgj", "qzgaj"),
        ),
    ]),
]
# fmt: on

# Pairs (task, unit) that send nothing in the latest month, and in the month before it: the
# reminder list's content.
SILENT_LAST_MONTH = {
    ("1.1", "sgdsj"),
    ("1.3", "jyj"),
    ("2.2", "qzgaj"),
    ("3.4", "nyj"),
    ("4.2", "jyj"),
    ("4.5", "bdc"),
    ("5.2", "cgj"),
}
SILENT_MONTH_BEFORE = {("1.3", "jyj"), ("3.4", "nyj"), ("3.4", "swj"), ("5.1", "sgdsj")}
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


def load_work_tasks(actor: Any, say: Say) -> None:
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
    actor: Any,
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


def _report_progress(actor: Any, task: WorkTask, departments: dict[str, Department]) -> int:
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
    actor: Any,
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
