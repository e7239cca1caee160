"""The sharing part of the demo city: requests in every state of the workflow, the grants they
became, and credentials for the consuming applications — taken through the services by the
demo accounts (人社局, 住建局, 市场监管局 consume; 公安局, 市场监管局, 大数据局 provide).

Every credential is issued through the service; 人社局's key and the secret the service returned
are kept in var/ and printed, so the API console and curl work at once (README).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from govshare.catalog.choices import ResourceStatus
from govshare.catalog.models import Resource
from govshare.core.actors import Actor
from govshare.core.config import param
from govshare.core.crypto import sm3_hex
from govshare.demo.city import DEPARTMENTS
from govshare.inventory.choices import LIVE_LIFECYCLES
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department
from govshare.sharing import calendar
from govshare.sharing import config as cfg
from govshare.sharing.choices import ItemDecision, RequestState
from govshare.sharing.models import AppCredential, Grant, ShareRequest
from govshare.sharing.services import grants as grant_services
from govshare.sharing.services import requests as flow
from govshare.sharing.services.credentials import (
    IssuedCredential,
    credential_create,
    credential_rotate,
)
from govshare.sharing.services.requests import GrantTerms, ItemAnswer

Say = Callable[[str], None]


@dataclass(frozen=True)
class Plan:
    consumer: str  # department key
    resource: str
    provider: str
    items: int  # how many of the resource's items to ask for (first n)
    state: str
    mode: str = "query"
    purpose: str = "administrative_basis"


PLANS = (
    Plan("rsj", "人口基础信息", "gaj", 6, RequestState.ACTIVE),
    Plan("zjj", "法人单位基础信息", "scj", 6, RequestState.ACTIVE),
    Plan("rsj", "社会信用信息", "dsj", 5, RequestState.ACTIVE, mode="proxy"),
    Plan("zjj", "人口基础信息", "gaj", 3, RequestState.ACTIVE, mode="verify", purpose="data_check"),
    Plan("gaj", "法人单位基础信息", "scj", 4, RequestState.ACTIVE),
    Plan("scj", "人口基础信息", "gaj", 4, RequestState.PROVIDER_REVIEW),
    Plan("bdc", "人口基础信息", "gaj", 2, RequestState.SUBMITTED),
    Plan("rsj", "电子证照目录", "dsj", 4, RequestState.DRAFT),
    Plan("scj", "社会信用信息", "dsj", 3, RequestState.REJECTED),
    Plan("zjj", "社会信用信息", "dsj", 2, RequestState.NEGOTIATION),
    Plan("bdc", "社会信用信息", "dsj", 2, RequestState.COORDINATION),
    Plan("rsj", "法人单位基础信息", "scj", 3, RequestState.SUSPENDED),
    Plan("bdc", "法人单位基础信息", "scj", 2, RequestState.EXPIRED),
    Plan("scj", "电子证照目录", "dsj", 2, RequestState.REVOKED),
    Plan("zjj", "电子证照目录", "dsj", 2, RequestState.CLOSED),
    # Bulk delivery (issue 13): two 库表 subscriptions into 人社局's front-end database, one 文件.
    Plan("rsj", "人口基础信息", "gaj", 6, RequestState.ACTIVE, mode="table"),
    Plan("rsj", "法人单位基础信息", "scj", 6, RequestState.ACTIVE, mode="table"),
    Plan("zjj", "法人单位基础信息", "scj", 5, RequestState.ACTIVE, mode="file"),
)
# In a 库表 grant the name is delivered masked (the key never is: it matches the rows).
TABLE_MASKED = {"XM": "name", "FDDBR": "name"}
# Who acts for each department in the demo (the demo accounts; admin where none).
OFFICERS = {"gaj": "ga_officer", "rsj": "rs_officer", "scj": "sc_officer", "zjj": "zj_officer",
            "bdc": "zj_officer"}  # fmt: skip
PURPOSES = {
    "rsj": (
        "社会保险参保登记和待遇发放时核验参保人身份",
        "《社会保险法》第五十八条",
        "经办窗口受理",
    ),
    "zjj": ("住房保障资格审核和建筑市场主体监管", "《城市房地产管理法》", "保障房资格联审"),
    "scj": ("市场主体登记时核验投资人身份和信用状况", "《市场主体登记管理条例》", "登记窗口核验"),
    "gaj": ("案件办理中核查涉案企业的登记信息", "《中华人民共和国人民警察法》第六条", "案件核查"),
    "bdc": (
        "不动产登记时核验权利人身份和主体资格",
        "《不动产登记暂行条例》第二十七条",
        "不动产登记受理",
    ),
}


def load_sharing(actor: Actor, say: Say) -> None:
    departments = {key: Department.objects.get(name=name) for key, name, *_ in DEPARTMENTS}
    users = {user.username: user for user in get_user_model().objects.all()}
    reviewer, admin = users["reviewer"], users["admin"]
    created = 0
    for number, plan in enumerate(PLANS):
        consumer = departments[plan.consumer]
        resource = _resource(plan, departments)
        if (
            resource is None
            or ShareRequest.objects.filter(
                consumer=consumer, resource=resource, mode=plan.mode
            ).exists()
        ):
            continue
        officer = users.get(OFFICERS.get(plan.consumer, ""), admin)
        provider_officer = users.get(OFFICERS.get(plan.provider, ""), admin)
        share_request = _draft(officer, consumer, resource, plan, number)
        _advance(share_request, plan, officer, provider_officer, reviewer)
        created += 1
    _credentials(users, departments)
    counts = ", ".join(
        f"{state}: {ShareRequest.objects.filter(state=state).count()}" for state in RequestState
    )
    say(f"sharing: {created} requests created ({counts})")


def _resource(plan: Plan, departments: dict[str, Department]) -> Resource | None:
    return (
        Resource.objects.filter(
            name=plan.resource, provider=departments[plan.provider], status=ResourceStatus.PUBLISHED
        )
        .select_related("current_version")
        .first()
    )


def application_of(department: Department) -> InformationSystem:
    systems = InformationSystem.objects.filter(department=department, lifecycle__in=LIVE_LIFECYCLES)
    system = systems.order_by("pk").first()
    if system is None:  # a department without a census entry gets its business system
        system = InformationSystem.objects.create(
            department=department,
            name=f"{department.short_name or department.name}业务办理系统",
            function_description="业务受理、审批和档案管理",
            usage_scope="cross_department",
            usage_frequency="daily",
            active_users=80,
            funding_source="fiscal",
            construction_mode="self_built",
            construction_investment=120,
            annual_om_cost=12,
            go_live_date=dt.date(2019, 6, 1),
            deployment="gov_cloud",
            network_domain="extranet_admin",
        )
    return system


def _draft(
    officer: Any, consumer: Department, resource: Resource, plan: Plan, number: int
) -> ShareRequest:
    version = resource.current_version
    assert version is not None
    items = [
        item.identifier
        for item in version.items.order_by("position")
        if item.share_type != "not_shared"
    ][: plan.items]
    detail, basis, scenario = PURPOSES[plan.consumer]
    today = timezone.localdate()
    return flow.request_create(
        actor=officer,
        consumer=consumer,
        application=application_of(consumer),
        resource=resource,
        data={
            "purpose": plan.purpose,
            "purpose_detail": detail,
            "basis": basis,
            "scenario": scenario,
            "mode": plan.mode,
            "period_start": today,
            "period_end": today + dt.timedelta(days=365 + 30 * (number % 6)),
            "expected_daily_calls": 200 * (1 + number % 5),
        },
        items=items,
    )


def _advance(
    share_request: ShareRequest, plan: Plan, officer: Any, provider: Any, reviewer: Any
) -> None:
    """Take the request through the services to its planned state."""
    target = plan.state
    if target == RequestState.DRAFT:
        return
    flow.request_submit(actor=officer, share_request=share_request, note="请审核")
    if target == RequestState.SUBMITTED:
        return
    if target == RequestState.CLOSED:
        flow.request_withdraw(actor=officer, share_request=share_request, note="业务调整，撤回申请")
        return
    flow.conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    if share_request.state == RequestState.PROVIDER_REVIEW:
        if target == RequestState.PROVIDER_REVIEW:
            _overdue(share_request)
            return
        refuse = target in (RequestState.REJECTED, RequestState.NEGOTIATION,
                            RequestState.COORDINATION)  # fmt: skip
        flow.provider_decide(
            actor=provider,
            share_request=share_request,
            answers=_answers(share_request, refuse, table=plan.mode == "table"),
            terms=GrantTerms(daily_quota=5000, rate_per_minute=300),
            note="同意按申请用途使用" if not refuse else "申请用途与共享条件不符",
        )
    if target in (RequestState.NEGOTIATION, RequestState.COORDINATION):
        flow.negotiation_open(actor=officer, share_request=share_request, note="业务确需，请求协商")
    if target == RequestState.COORDINATION:
        flow.negotiation_escalate(
            actor=officer, share_request=share_request, note="协商未达成一致，提请大数据局协调"
        )
    if target in (RequestState.SUSPENDED, RequestState.REVOKED, RequestState.EXPIRED):
        _end_grant(share_request, target, provider)


def _answers(
    share_request: ShareRequest, refuse: bool, *, table: bool = False
) -> dict[str, ItemAnswer]:
    pending = share_request.items.filter(decision=ItemDecision.PENDING)
    if refuse:
        return {i.identifier: ItemAnswer(grant=False, reason="超出共享条件范围") for i in pending}
    if table:  # each item unmasked but the name: the key must arrive as it is
        return {
            item.identifier: ItemAnswer(
                grant=True, masking=TABLE_MASKED.get(item.identifier, "none")
            )
            for item in pending
        }
    return {item.identifier: ItemAnswer(grant=True) for item in pending}


OVERDUE_SUBMITTED_WORKING_DAYS_AGO = 16


def _overdue(share_request: ShareRequest) -> None:
    """Machine state for the demo: a request submitted and passed 16 working days ago, so the
    provider's 10 working days ran out last week. Its whole timeline moves back together (its
    timestamps and its events), with the deadlines counted on the calendar as the services
    count them."""
    today = timezone.localdate()
    passed = today
    while not calendar.is_working_day(passed) or (
        calendar.working_days_between(passed, today) < OVERDUE_SUBMITTED_WORKING_DAYS_AGO
    ):
        passed -= dt.timedelta(days=1)
    shift = dt.timedelta(days=(today - passed).days)
    ShareRequest.objects.filter(pk=share_request.pk).update(
        created=share_request.created - shift,
        submitted=share_request.submitted - shift if share_request.submitted else None,
        conformity_answered=F("conformity_answered") - shift,
        conformity_due=calendar.add_working_days(passed, int(param(cfg.CONFORMITY_DAYS.key))),
        provider_due=calendar.add_working_days(passed, int(param(cfg.PROVIDER_DAYS.key))),
    )
    share_request.events.update(created=F("created") - shift)


def _end_grant(share_request: ShareRequest, target: str, provider: Any) -> None:
    grant = Grant.objects.get(request=share_request)
    if target == RequestState.SUSPENDED:
        grant_services.grant_suspend(actor=provider, grant=grant, reason="数据核查期间暂停调用")
    elif target == RequestState.REVOKED:
        grant_services.grant_revoke(actor=provider, grant=grant, reason="使用方超范围使用数据")
    else:  # machine state: a grant that ran out yesterday, expired by the sweep
        Grant.objects.filter(pk=grant.pk).update(
            valid_until=timezone.localdate() - dt.timedelta(days=1)
        )
        grant_services.grants_expire()


def _credentials(users: dict[str, Any], departments: dict[str, Department]) -> None:
    """A credential for each consumer application with a live grant, issued through the service
    by the department's officer; 人社局's key and secret are kept for the gateway example."""
    live = Grant.objects.filter(request__state=RequestState.ACTIVE).select_related("application")
    for grant in live:
        application = grant.application
        if AppCredential.objects.filter(application=application).exists():
            continue
        key = next(k for k, d in departments.items() if d.pk == application.department_id)
        officer = users.get(OFFICERS.get(key, ""), users["admin"])
        issued = credential_create(actor=officer, application=application, name="生产环境凭证")
        if key == GATEWAY_CONSUMER:
            _keep(issued)


# --- the gateway example's credential -------------------------------------------------------

GATEWAY_CONSUMER = "rsj"  # 人社局: its application queries 人口基础信息 (README)


def credential_file() -> Path:
    """Where the demo keeps the example credential's secret, which the platform stores only as
    a hash (var/, beside the node's other secrets; readable by its owner only)."""
    return Path(settings.VAR_DIR) / "demo_gateway_credential.json"


def gateway_credential(actor: Actor) -> tuple[AppCredential, str] | None:
    """人社局's live credential and its secret: the secret kept when the demo issued it, or, when
    the kept one is not this credential's (a new database, a lost file), a new secret from
    rotating it through the service, as its officer would."""
    consumer = Department.objects.get(name=_department_name(GATEWAY_CONSUMER))
    credential = (
        AppCredential.objects.filter(application=application_of(consumer), revoked__isnull=True)
        .order_by("pk")
        .first()
    )
    if credential is None:
        return None
    kept = _kept()
    if (
        kept.get("app_key") == credential.app_key
        and sm3_hex(kept.get("app_secret", "")) == credential.secret_hash
    ):
        return credential, kept["app_secret"]
    officer = get_user_model().objects.filter(username=OFFICERS[GATEWAY_CONSUMER]).first()
    issued = credential_rotate(actor=officer or actor, credential=credential)
    _keep(issued)
    return credential, issued.secret


def _department_name(key: str) -> str:
    return next(name for department_key, name, *_rest in DEPARTMENTS if department_key == key)


def _kept() -> dict[str, str]:
    try:
        return json.loads(credential_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _keep(issued: IssuedCredential) -> None:
    path = credential_file()
    temporary = path.with_suffix(".tmp")
    content = {"app_key": issued.credential.app_key, "app_secret": issued.secret}
    temporary.write_text(json.dumps(content), encoding="utf-8")
    temporary.chmod(0o600)
    temporary.replace(path)  # whole or not at all, should two demo loads race
