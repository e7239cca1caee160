"""REST endpoints of IT projects (项目备案) and the funding gate, at /api/v1/inventory/.

Reads go through ``restrict`` (the policies the pages use); writes only through the services.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.permissions import can
from govshare.core.web.api import InputSchema, Pagination, PatchSchema, auth_user, responses
from govshare.core.web.api_inputs import FILLED_TEXT, PLAIN_TEXT, Amount, ObjectId, OneOf
from govshare.inventory import funding
from govshare.inventory.choices import FilingStatus, FundingSource, ProjectStage
from govshare.inventory.models import InformationSystem, Project
from govshare.inventory.services import project_create, project_update
from govshare.orgs.models import Department

router = Router(tags=["inventory"])

ProjectName = Annotated[str, Field(max_length=150), FILLED_TEXT]
LongText = Annotated[str, Field(max_length=10_000), PLAIN_TEXT]
Funding = Annotated[str, OneOf(FundingSource)]
Filing = Annotated[str, OneOf(FilingStatus)]
Stage = Annotated[str, OneOf(ProjectStage)]
# The building department's own systems (else 409); unknown ids: 404.
SystemIds = Annotated[list[ObjectId], Field(max_length=500)]


# --- schemas --------------------------------------------------------------------------------


class ProjectOut(Schema):
    id: int
    department_id: int
    department: str
    name: str
    investment: Decimal
    annual_om_cost: Decimal
    funding_channel: str
    data_resources: str
    systems: list[int]
    filing_status: str
    stage: str
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_department(project: Project) -> str:
        return project.department.name

    @staticmethod
    def resolve_systems(project: Project) -> list[int]:
        return sorted(system.pk for system in project.systems.all())


class ProjectIn(InputSchema):
    """A new project filing; ``department`` and ``systems`` are ids."""

    department: ObjectId
    name: ProjectName
    funding_channel: Funding
    investment: Amount = Decimal(0)
    annual_om_cost: Amount = Decimal(0)
    data_resources: LongText = ""
    systems: SystemIds = []
    filing_status: Filing = FilingStatus.NOT_FILED.value
    stage: Stage = ProjectStage.APPROVAL.value


class ProjectPatch(PatchSchema):
    """Fields to change; absent fields keep their value, ``systems`` replaces the list."""

    name: ProjectName | None = None
    funding_channel: Funding | None = None
    investment: Amount | None = None
    annual_om_cost: Amount | None = None
    data_resources: LongText | None = None
    systems: SystemIds | None = None
    filing_status: Filing | None = None
    stage: Stage | None = None


class FailureOut(Schema):
    code: str
    message: str


class GateRowOut(Schema):
    kind: str
    id: int = Field(alias="pk")
    name: str
    department_id: int
    department: str
    annual_om_cost: Decimal
    fails: bool
    failures: list[FailureOut]


class GateOut(Schema):
    resources_checked: bool = Field(
        description="False until the catalog registers resources: 'no_resources' is not checked."
    )
    count: int
    failing: int
    items: list[GateRowOut]


# --- projects -------------------------------------------------------------------------------


@router.get("/projects", response=responses({200: list[ProjectOut]}))
@paginate(Pagination)
def project_index(
    request: HttpRequest,
    department: ObjectId | None = None,
    stage: ProjectStage | None = None,
    funding_channel: FundingSource | None = None,
) -> QuerySet[Project]:
    """IT projects the caller may see, filtered by department id, stage and funding channel."""
    projects = _projects(request)
    filters = {"department_id": department, "stage": stage, "funding_channel": funding_channel}
    return projects.filter(**{k: v for k, v in filters.items() if v is not None})


@router.get("/projects/{id}", response=responses({200: ProjectOut}))
def project_detail(request: HttpRequest, id: ObjectId) -> Project:
    return get_object_or_404(_projects(request), pk=id)


@router.post("/projects", response=responses({201: ProjectOut}))
def project_add(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    """File a project for a department where the caller is the data officer."""
    user = auth_user(request)
    if not can(user, "add", Project):
        raise PermissionDenied
    values = payload.model_dump()
    department, systems = _department(user, values.pop("department")), values.pop("systems")
    project = project_create(
        actor=user, department=department, data=values, systems=_systems(user, systems)
    )
    return Status(201, get_object_or_404(_projects(request), pk=project.pk))


@router.patch("/projects/{id}", response=responses({200: ProjectOut}))
def project_change(request: HttpRequest, id: ObjectId, payload: ProjectPatch) -> Project:
    user = auth_user(request)
    project = get_object_or_404(_projects(request), pk=id)
    changes = payload.model_dump(exclude_unset=True)
    system_ids = changes.pop("systems", None)
    systems = None if system_ids is None else _systems(user, system_ids)
    project_update(actor=user, project=project, data=changes, systems=systems)
    return get_object_or_404(_projects(request), pk=id)


# --- the funding gate -----------------------------------------------------------------------


@router.get("/funding-gate", response=responses({200: GateOut}))
def funding_gate(
    request: HttpRequest, department: ObjectId | None = None, failing_only: bool = False
) -> dict[str, Any]:
    """Projects and live systems with the reasons they fail the sharing requirement."""
    rows = funding.funding_gate(auth_user(request), department)
    failed = funding.failing(rows)
    return {
        "resources_checked": funding.checks_resources(),
        "count": len(rows),
        "failing": len(failed),
        "items": failed if failing_only else rows,
    }


# --- helpers --------------------------------------------------------------------------------


def _projects(request: HttpRequest) -> QuerySet[Project]:
    projects = Project.objects.restrict(auth_user(request), "view")
    return projects.select_related("department").prefetch_related("systems").order_by("pk")


def _department(user: Actor, department_id: int) -> Department:
    department = Department.objects.restrict(user, "view").filter(pk=department_id).first()
    if department is None:
        errors = ErrorCollector()
        errors.add("department", _("No department has this id."), ErrorCode.NOT_FOUND)
        errors.raise_if_any()
    return department  # type: ignore[return-value]


def _systems(user: Actor, ids: list[int]) -> list[InformationSystem]:
    """The systems the ids name, among those the caller may see; unknown ids are an error."""
    found = list(InformationSystem.objects.restrict(user, "view").filter(pk__in=ids))
    unknown = sorted(set(ids) - {system.pk for system in found})
    if unknown:
        errors = ErrorCollector()
        message = _("No system has these ids: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
        errors.add("systems", message, ErrorCode.NOT_FOUND)
        errors.raise_if_any()
    return found


__all__ = ["router"]
