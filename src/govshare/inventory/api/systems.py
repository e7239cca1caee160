"""REST endpoints: systems, usage reports, zombies and indicators (under /api/v1/inventory/).

Reads go through ``restrict``; writes only through the inventory services. A system reports
its own use with its credential (``Authorization: Bearer gsr_<keyid>_<secret>``), which
``SystemKeyAuth`` accepts on the usage-report endpoint only.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.pagination import paginate
from ninja.security import HttpBearer

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.permissions import can
from govshare.core.roles import Role
from govshare.core.web.api import (
    ApiError,
    InputSchema,
    Pagination,
    PatchSchema,
    auth_user,
    default_auth,
    responses,
)
from govshare.core.web.api_inputs import (
    FILLED_TEXT,
    PLAIN_TEXT,
    Amount,
    Count,
    Day,
    ObjectId,
    OneOf,
    OptionalMonth,
    Pattern,
)
from govshare.inventory import selectors
from govshare.inventory.choices import (
    CloudStatus,
    Connection,
    ConstructionMode,
    Deployment,
    FundingSource,
    Lifecycle,
    NetworkDomain,
    UsageFrequency,
    UsageScope,
    VerticalOrigin,
    ZombieRule,
)
from govshare.inventory.indicators import indicator_values, parse_month
from govshare.inventory.models import (
    InformationSystem,
    SystemRevision,
    UsageReport,
    ZombieFinding,
)
from govshare.inventory.services import (
    SystemReporter,
    system_authenticate_report_key,
    system_create,
    system_issue_report_key,
    system_set_lifecycle,
    system_update,
    usage_report_by_name,
    usage_report_submit,
    zombie_assess,
)
from govshare.inventory.services.usage import REPORT_KEY_PREFIX
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

router = Router(tags=["inventory"])

# String inputs, bounded like the model columns (PostgreSQL enforces them; SQLite does not).
Name = Annotated[str, Field(max_length=150), FILLED_TEXT]
LongText = Annotated[str, Field(max_length=4000), FILLED_TEXT]
ShortText = Annotated[str, Field(max_length=100), PLAIN_TEXT]
FilingNumber = Annotated[str, Field(max_length=60), PLAIN_TEXT]
Note = Annotated[str, Field(max_length=300), PLAIN_TEXT]
SearchText = Annotated[str, Field(max_length=100), PLAIN_TEXT]
MonthText = OptionalMonth
ProtectionLevel = Annotated[int, Field(ge=1, le=5, description="等级保护 1–5")]
# What Django's URLValidator and the census (no link-local, multicast or unspecified address:
# inventory.health) both accept: http(s) or ftp(s), a host name with a letter TLD or an IPv4
# address from 1.0.0.0 to 223.255.255.255 outside 169.254.0.0/16, a port, a path; or empty.
_OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4 = (
    f"(169\\.(25[0-3]|2[0-4][0-9]|1[0-9]{{2}}|[1-9]?[0-9])"
    f"|([1-9]|[1-9][0-9]|1[0-57-9][0-9]|16[0-8]|2[01][0-9]|22[0-3])\\.{_OCTET})"
    f"(\\.{_OCTET}){{2}}"
)
_LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?"
_HOST = f"(({_LABEL}\\.)+[A-Za-z]{{2,63}}|localhost|{_IPV4})"
URL_PATTERN = (
    f"^((https?|ftps?)://{_HOST}(:[0-9]{{1,5}})?([/?#][^\\u0000-\\u0020\\u007f-\\u00a0"
    f"\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]*)?)?$"
)
Url = Annotated[str, Field(max_length=300), Pattern(URL_PATTERN, "url_format")]
UsageScopeChoice = Annotated[str, OneOf(UsageScope)]
FrequencyChoice = Annotated[str, OneOf(UsageFrequency)]
FundingChoice = Annotated[str, OneOf(FundingSource)]
ModeChoice = Annotated[str, OneOf(ConstructionMode)]
DeploymentChoice = Annotated[str, OneOf(Deployment)]
DomainChoice = Annotated[str, OneOf(NetworkDomain)]
CloudChoice = Annotated[str, OneOf(CloudStatus)]
OriginChoice = Annotated[str, OneOf(VerticalOrigin)]
ConnectionChoice = Annotated[str, OneOf(Connection)]
# Dates of the census lie in the past: a future one is refused with 409 (core.web.api).
PastDay = Annotated[Day, Field(description="not after today (else 409)")]


# --- authentication of a reporting system ---------------------------------------------------


class SystemKeyAuth(HttpBearer):
    """``Authorization: Bearer gsr_<keyid>_<secret>``: a system's own usage-report credential.

    Any other bearer token is left to the personal-token authentication that follows; a
    ``gsr_`` credential that does not match is refused outright.
    """

    def __call__(self, request: HttpRequest) -> Any | None:
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip().startswith(REPORT_KEY_PREFIX):
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> SystemReporter:
        system = system_authenticate_report_key(token.strip())
        if system is None:
            raise AuthenticationError()
        return SystemReporter(system)


# --- schemas --------------------------------------------------------------------------------


class SystemOut(Schema):
    id: int
    department: int = Field(alias="department_id")
    department_name: str = Field(alias="department.name")
    name: str
    function_description: str
    usage_scope: str
    usage_frequency: str
    active_users: int
    approving_department: str
    approval_date: dt.date | None
    funding_source: str
    construction_mode: str
    construction_investment: Decimal
    annual_om_cost: Decimal
    go_live_date: dt.date | None
    last_software_update: dt.date | None
    deployment: str
    cloud_status: str
    network_domain: str
    vertical_origin: str
    protection_level: int | None
    protection_filing_number: str
    is_secret: bool
    sso_status: str
    sharing_status: str
    health_url: str
    lifecycle: str
    merged_into: int | None = Field(None, alias="merged_into_id")
    has_report_key: bool
    is_zombie: bool
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_has_report_key(system: InformationSystem) -> bool:
        return bool(system.report_key_id)

    @staticmethod
    def resolve_is_zombie(system: InformationSystem) -> bool:
        return bool(getattr(system, "is_zombie", False))


class SystemIn(InputSchema):
    """A census record (系统普查). ``department_id``: needed only by an officer of several
    departments (or an admin); otherwise the caller's data-officer department.

    Rules between fields (422): the go-live date is not before the approval date; protection
    level 2 and above needs the filing number; a classified system (``is_secret``) is not
    connected to the sharing platform (``sharing_status``)."""

    name: Name
    function_description: LongText
    usage_scope: UsageScopeChoice
    usage_frequency: FrequencyChoice
    funding_source: FundingChoice
    construction_mode: ModeChoice
    deployment: DeploymentChoice
    network_domain: DomainChoice
    active_users: Count = 0
    approving_department: ShortText = ""
    approval_date: PastDay | None = None
    construction_investment: Amount = Decimal(0)
    annual_om_cost: Amount = Decimal(0)
    go_live_date: PastDay | None = None
    last_software_update: PastDay | None = None
    cloud_status: CloudChoice = CloudStatus.NOT_PLANNED.value
    vertical_origin: OriginChoice = VerticalOrigin.LOCAL.value
    protection_level: ProtectionLevel | None = None
    protection_filing_number: FilingNumber = ""
    is_secret: bool = False
    sso_status: ConnectionChoice = Connection.NOT_CONNECTED.value
    sharing_status: ConnectionChoice = Connection.NOT_CONNECTED.value
    health_url: Url = ""
    department_id: ObjectId | None = None


class SystemPatch(PatchSchema):
    """Census fields to change; absent fields keep their value. The rules between fields are
    those of a new record, over the changed record."""

    nullable = frozenset(
        {"approval_date", "go_live_date", "last_software_update", "protection_level"}
    )

    name: Name | None = None
    function_description: LongText | None = None
    usage_scope: UsageScopeChoice | None = None
    usage_frequency: FrequencyChoice | None = None
    funding_source: FundingChoice | None = None
    construction_mode: ModeChoice | None = None
    deployment: DeploymentChoice | None = None
    network_domain: DomainChoice | None = None
    active_users: Count | None = None
    approving_department: ShortText | None = None
    approval_date: PastDay | None = None
    construction_investment: Amount | None = None
    annual_om_cost: Amount | None = None
    go_live_date: PastDay | None = None
    last_software_update: PastDay | None = None
    cloud_status: CloudChoice | None = None
    vertical_origin: OriginChoice | None = None
    protection_level: ProtectionLevel | None = None
    protection_filing_number: FilingNumber | None = None
    is_secret: bool | None = None
    sso_status: ConnectionChoice | None = None
    sharing_status: ConnectionChoice | None = None
    health_url: Url | None = None


class LifecycleIn(InputSchema):
    """A lifecycle move (在建 → 在用 → 停用/已整合/已清理); merging names the target system."""

    lifecycle: Lifecycle
    merged_into: ObjectId | None = None
    note: Note = ""


class RevisionOut(Schema):
    number: int
    data: dict[str, Any]
    changed_fields: list[str]
    after_confirmation: bool
    actor_name: str
    note: str
    created: dt.datetime


class ReportKeyOut(Schema):
    system: int
    key_id: str
    key: str = Field(description="shown once: send as 'Authorization: Bearer <key>'")


class UsageIn(InputSchema):
    """One day of use. With a system credential: date and counts only. With a data officer's
    token: also ``system``, the system's census name (and ``department_id`` if ambiguous)."""

    date: Annotated[Day, Field(description="today or up to 400 days back (else 409)")]
    active_users: Count
    requests: Count
    system: Name | None = None
    department_id: ObjectId | None = None


class UsageOut(Schema):
    status: Literal["recorded"] = "recorded"
    system: int = Field(alias="system_id")
    system_name: str = Field(alias="system.name")
    date: dt.date
    active_users: int
    requests: int
    received: dt.datetime


class ShadowOut(Schema):
    status: Literal["shadow"] = "shadow"
    name: str
    shadow_id: int
    message: str


class ZombieOut(Schema):
    system: int = Field(alias="system_id")
    system_name: str = Field(alias="system.name")
    department: int = Field(alias="system.department_id")
    department_name: str = Field(alias="system.department.name")
    rule: str
    rule_label: str
    evidence: dict[str, Any]
    score: float | None
    matched_system: int | None = Field(None, alias="matched_system_id")
    matched_system_name: str | None
    assessed: dt.datetime

    @staticmethod
    def resolve_rule_label(finding: ZombieFinding) -> str:
        return str(finding.get_rule_display())

    @staticmethod
    def resolve_matched_system_name(finding: ZombieFinding) -> str | None:
        return finding.matched_system.name if finding.matched_system else None


class AssessmentOut(Schema):
    findings: int
    systems: int
    assessed: dt.datetime


class IndicatorOut(Schema):
    key: str
    label: str
    formula: str
    value: float | None
    numerator: int | None
    denominator: int | None
    is_rate: bool


class DepartmentIndicatorsOut(Schema):
    department: int | None
    name: str
    indicators: list[IndicatorOut]


class IndicatorsOut(Schema):
    month: str | None = Field(description="YYYY-MM, or null for live figures")
    as_of: dt.datetime
    totals: list[IndicatorOut]
    departments: list[DepartmentIndicatorsOut]


# --- systems --------------------------------------------------------------------------------


def _visible_system(request: HttpRequest, pk: int) -> InformationSystem:
    return get_object_or_404(selectors.system_list(auth_user(request)), pk=pk)


@router.get("/systems", response=responses({200: list[SystemOut]}))
@paginate(Pagination)
def system_index(
    request: HttpRequest,
    department: ObjectId | None = None,
    lifecycle: Lifecycle | None = None,
    network_domain: NetworkDomain | None = None,
    deployment: Deployment | None = None,
    zombie: bool | None = None,
    q: SearchText = "",
) -> QuerySet[InformationSystem]:
    """The census (系统普查): systems the caller may see, filtered."""
    return selectors.system_list(
        auth_user(request),
        department_id=department,
        lifecycle=lifecycle or "",
        network_domain=network_domain or "",
        deployment=deployment or "",
        is_zombie=zombie,
        query=q,
    )


@router.get("/systems/{id}", response=responses({200: SystemOut}))
def system_detail(request: HttpRequest, id: ObjectId) -> InformationSystem:
    return _visible_system(request, id)


@router.post("/systems", response=responses({201: SystemOut}))
def system_add(request: HttpRequest, payload: SystemIn) -> Status[InformationSystem]:
    """Register a system in a department's census (its data officer)."""
    user = auth_user(request)
    if not can(user, "add", InformationSystem):
        raise PermissionDenied
    data = payload.model_dump(exclude_unset=True)
    department = _target_department(user, data.pop("department_id", None))
    system = system_create(actor=user, department=department, data=data)
    return Status(201, _visible_system(request, system.pk))


def _target_department(user: Actor, department_id: int | None) -> Department:
    """The named department, or the caller's only data-officer department."""
    if department_id is not None:
        department = Department.objects.filter(pk=department_id, is_active=True).first()
        if department is None:
            raise field_error("department_id", _("No department has this id."), ErrorCode.NOT_FOUND)
        return department  # the service checks the caller's role there
    held = principal_of(user).departments(Role.DATA_OFFICER)
    if len(held) == 1:
        return Department.objects.get(pk=next(iter(held)))
    raise field_error(
        "department_id",
        _("Name the department (department_id) the system belongs to."),
        ErrorCode.REQUIRED,
    )


@router.patch("/systems/{id}", response=responses({200: SystemOut}))
def system_change(request: HttpRequest, id: ObjectId, payload: SystemPatch) -> InformationSystem:
    """Change census fields; a new version is kept (see /revisions)."""
    system = _visible_system(request, id)
    system_update(
        actor=auth_user(request), system=system, data=payload.model_dump(exclude_unset=True)
    )
    return _visible_system(request, id)


@router.post("/systems/{id}/lifecycle", response=responses({200: SystemOut}))
def system_lifecycle(request: HttpRequest, id: ObjectId, payload: LifecycleIn) -> InformationSystem:
    """Move the system through its lifecycle; merging names a system the caller may see."""
    user = auth_user(request)
    system = _visible_system(request, id)
    target = None
    if payload.merged_into is not None:
        visible = InformationSystem.objects.restrict(user, "view")
        target = visible.filter(pk=payload.merged_into).first()
        if target is None:
            raise field_error("merged_into", _("No system has this id."), ErrorCode.NOT_FOUND)
    system_set_lifecycle(
        actor=user,
        system=system,
        lifecycle=payload.lifecycle,
        merged_into=target,
        note=payload.note,
    )
    return _visible_system(request, id)


@router.get("/systems/{id}/revisions", response=responses({200: list[RevisionOut]}))
@paginate(Pagination)
def system_revisions(request: HttpRequest, id: ObjectId) -> QuerySet[SystemRevision]:
    """The versions of a system's census record, newest first (变更版本)."""
    return selectors.system_revisions(auth_user(request), _visible_system(request, id))


@router.post("/systems/{id}/report-key", response=responses({201: ReportKeyOut}))
def system_report_key(request: HttpRequest, id: ObjectId) -> Status[dict[str, Any]]:
    """Issue the system's usage-report credential; shown once, a new one replaces the old."""
    system = _visible_system(request, id)
    key = system_issue_report_key(actor=auth_user(request), system=system)
    return Status(201, {"system": system.pk, "key_id": system.report_key_id, "key": key})


# --- usage reports --------------------------------------------------------------------------


@router.post(
    "/usage-reports",
    auth=[SystemKeyAuth(), *default_auth()],
    response=responses({200: UsageOut, 202: ShadowOut}),
)
def usage_report(request: HttpRequest, payload: UsageIn) -> Any:
    """Report a day of use (使用情况上报): by the system with its credential, or by a data officer
    naming the system; a name missing from the census becomes a shadow system (202)."""
    caller = auth_user(request)
    if isinstance(caller, SystemReporter):
        return _report_as_system(caller, payload)
    return _report_by_name(caller, payload)


def _report_as_system(reporter: SystemReporter, payload: UsageIn) -> UsageReport:
    extra = [name for name in ("system", "department_id") if getattr(payload, name) is not None]
    if extra:
        message = _("A system credential reports for its own system: leave this out.")
        raise ApiError(422, ErrorCode.INVALID, message, {name: [message] for name in extra})
    return usage_report_submit(
        actor=reporter,
        system=reporter.system,
        date=payload.date,
        active_users=payload.active_users,
        requests=payload.requests,
    )


def _report_by_name(user: Actor, payload: UsageIn) -> Any:
    if not payload.system or not payload.system.strip():
        raise field_error("system", _("Name the system you report for."), ErrorCode.REQUIRED)
    department = None
    if payload.department_id is not None:
        department = Department.objects.filter(pk=payload.department_id).first()
        if department is None:
            raise field_error("department_id", _("No department has this id."), ErrorCode.NOT_FOUND)
    outcome = usage_report_by_name(
        actor=user,
        name=payload.system,
        date=payload.date,
        active_users=payload.active_users,
        requests=payload.requests,
        department=department,
    )
    if outcome.report is not None:
        return outcome.report
    shadow = outcome.shadow
    assert shadow is not None  # one of the two is always set
    message = _("No system of yours has this name; it is listed as a shadow system.")
    return Status(202, {"name": shadow.name, "shadow_id": shadow.pk, "message": message})


# --- zombies --------------------------------------------------------------------------------


@router.get("/zombies", response=responses({200: list[ZombieOut]}))
@paginate(Pagination)
def zombie_list(
    request: HttpRequest, rule: ZombieRule | None = None, department: ObjectId | None = None
) -> QuerySet[ZombieFinding]:
    """The latest zombie findings (僵尸系统清理清单) with their evidence, less those on
    systems merged or retired since."""
    findings = (
        ZombieFinding.objects.restrict(auth_user(request), "view")
        .standing()
        .select_related("system__department", "matched_system")
    )
    if rule is not None:
        findings = findings.filter(rule=rule)
    if department is not None:
        findings = findings.filter(system__department_id=department)
    return findings.order_by("system__department__name", "system__name", "rule", "pk")


@router.post("/zombies/assess", response=responses({200: AssessmentOut}))
def zombie_run(request: HttpRequest) -> dict[str, Any]:
    """Run the zombie rules now and replace the list (the sharing authority)."""
    findings = zombie_assess(actor=auth_user(request))
    assessed = selectors.latest_assessment() or timezone.now()
    systems = len({finding.system_id for finding in findings})
    return {"findings": len(findings), "systems": systems, "assessed": assessed}


# --- indicators -----------------------------------------------------------------------------


@router.get("/indicators", response=responses({200: IndicatorsOut}))
def indicators(request: HttpRequest, month: MonthText = "") -> dict[str, Any]:
    """The module's indicators with their formulas: live, or at the end of ``month``."""
    parsed = parse_month(month) if month.strip() else None
    report = indicator_values(auth_user(request), parsed)
    return {
        "month": parsed.strftime("%Y-%m") if parsed else None,
        "as_of": report.as_of,
        "totals": [item.as_dict() for item in report.totals],
        "departments": [
            {
                "department": row.department_id,
                "name": row.name,
                "indicators": [item.as_dict() for item in row.indicators],
            }
            for row in report.departments
        ],
    }


__all__ = ["SystemKeyAuth", "router"]
