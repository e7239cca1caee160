"""REST endpoints of the orgs package: regions, departments and their members.

Reads go through ``restrict`` (the policies the UI uses); writes only through orgs.services.
"""

import datetime as dt
from dataclasses import fields as dataclass_fields
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from govshare.core.api import (
    PLAIN_TEXT,
    ApiError,
    InputSchema,
    ObjectId,
    Pagination,
    auth_user,
    responses,
)
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.permissions import can
from govshare.orgs.choices import DepartmentKind, RegionLevel
from govshare.orgs.models import Department, Membership, Region
from govshare.orgs.selectors import department_list, department_members
from govshare.orgs.services import (
    CONTACT_FIELDS,
    DepartmentData,
    department_create,
    department_update,
    department_update_contact,
)

router = Router(tags=["orgs"])

# String inputs, bounded like the model columns (PostgreSQL enforces them; SQLite does not).
RegionCode = Annotated[str, Field(max_length=12), PLAIN_TEXT]
SearchText = Annotated[str, Field(max_length=100), PLAIN_TEXT]
Name = Annotated[str, Field(max_length=100), PLAIN_TEXT]
# Longer than 18: the service strips spaces and dashes, then names the GB 32100 check that fails.
UsccText = Annotated[str, Field(max_length=64), PLAIN_TEXT]
ChoiceText = Annotated[str, Field(max_length=16), PLAIN_TEXT]
ShortName = Annotated[str, Field(max_length=32), PLAIN_TEXT]
ContactName = Annotated[str, Field(max_length=50), PLAIN_TEXT]
Phone = Annotated[str, Field(max_length=30), PLAIN_TEXT]
Email = Annotated[str, Field(max_length=254), PLAIN_TEXT]
Address = Annotated[str, Field(max_length=200), PLAIN_TEXT]


# --- schemas --------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None

    @staticmethod
    def resolve_parent(region: Region) -> str | None:
        return region.parent.code if region.parent else None


class DepartmentOut(Schema):
    id: int
    name: str
    short_name: str
    uscc: str
    region: str = Field(description="GB/T 2260 region code")
    level: str
    kind: str
    parent: int | None = Field(None, alias="parent_id")
    is_sharing_authority: bool
    is_active: bool
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    member_count: int
    created: dt.datetime
    updated: dt.datetime

    @staticmethod
    def resolve_region(department: Department) -> str:
        return department.region.code


class DepartmentIn(InputSchema):
    """A new department. ``region`` is a region code; ``parent`` a department id."""

    name: Name
    uscc: UsccText
    region: RegionCode
    kind: ChoiceText
    short_name: ShortName = ""
    level: ChoiceText = ""
    parent: ObjectId | None = None
    is_sharing_authority: bool = False
    contact_name: ContactName = ""
    contact_phone: Phone = ""
    contact_email: Email = ""
    address: Address = ""
    is_active: bool = True


NOT_NULL_FIELDS = tuple(name for name in DepartmentIn.model_fields if name != "parent")


class DepartmentPatch(InputSchema):
    """Fields to change; absent fields keep their value. Only ``parent`` may be null."""

    name: Name | None = None
    uscc: UsccText | None = None
    region: RegionCode | None = None
    kind: ChoiceText | None = None
    short_name: ShortName | None = None
    level: ChoiceText | None = None
    parent: ObjectId | None = None
    is_sharing_authority: bool | None = None
    contact_name: ContactName | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    address: Address | None = None
    is_active: bool | None = None

    @field_validator(*NOT_NULL_FIELDS, mode="before")
    @classmethod
    def not_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("not_null", "this field may not be null")
        return value


class MemberOut(Schema):
    user_id: int
    username: str = Field(alias="user.username")
    full_name: str = Field(alias="user.first_name")
    department_id: int
    role: str
    role_label: str
    created: dt.datetime

    @staticmethod
    def resolve_role_label(membership: Membership) -> str:
        return str(membership.get_role_display())


# --- regions --------------------------------------------------------------------------------


@router.get("/regions", response=responses({200: list[RegionOut]}), summary="List regions")
@paginate(Pagination)
def region_list(
    request: HttpRequest,
    level: RegionLevel | None = None,
    parent: RegionCode | None = None,
) -> QuerySet[Region]:
    """Regions (行政区划), filtered by level and by parent region code."""
    regions = Region.objects.restrict(auth_user(request), "view").select_related("parent")
    if level:
        regions = regions.filter(level=level)
    if parent:
        regions = regions.filter(parent__code=parent)
    return regions


@router.get("/regions/{code}", response=responses({200: RegionOut}), summary="Get a region")
def region_detail(request: HttpRequest, code: RegionCode) -> Region:
    regions = Region.objects.restrict(auth_user(request), "view").select_related("parent")
    return get_object_or_404(regions, code=code)


# --- departments ----------------------------------------------------------------------------


@router.get(
    "/departments", response=responses({200: list[DepartmentOut]}), summary="List departments"
)
@paginate(Pagination)
def department_index(
    request: HttpRequest,
    q: SearchText = "",
    region: RegionCode = "",
    kind: DepartmentKind | None = None,
    is_active: bool | None = None,
) -> QuerySet[Department]:
    """Departments (部门): search by name or exact USCC, filter by region code, kind, status."""
    departments = department_list(
        auth_user(request), query=q, region_code=region, kind=kind or "", include_inactive=True
    )
    if is_active is not None:
        departments = departments.filter(is_active=is_active)
    return departments


@router.get(
    "/departments/{id}", response=responses({200: DepartmentOut}), summary="Get a department"
)
def department_detail(request: HttpRequest, id: ObjectId) -> Department:
    return _visible_department(request, id)


@router.post(
    "/departments", response=responses({201: DepartmentOut}), summary="Register a department"
)
def department_add(request: HttpRequest, payload: DepartmentIn) -> Status[Department]:
    """Register a department (platform admins)."""
    user = auth_user(request)
    # Authorize before resolving the body's references: refused callers learn nothing from them.
    if not can(user, "add", Department):
        raise PermissionDenied
    values = payload.model_dump()
    data = DepartmentData(**{**values, **_references(user, values)})
    department = department_create(actor=user, data=data)
    return Status(201, _visible_department(request, department.pk))


@router.patch(
    "/departments/{id}", response=responses({200: DepartmentOut}), summary="Change a department"
)
def department_change(request: HttpRequest, id: ObjectId, payload: DepartmentPatch) -> Department:
    """Change a department: admins change any field, its data officer the contact details."""
    user = auth_user(request)
    department = _visible_department(request, id)
    changes = payload.model_dump(exclude_unset=True)
    if can(user, "change", department):
        department_update(
            actor=user, department=department, data=_merged(user, department, changes)
        )
    elif can(user, "change_contact", department):
        department_update_contact(
            actor=user, department=department, contact=_contact_changes(department, changes)
        )
    else:
        raise PermissionDenied
    return _visible_department(request, id)


@router.get(
    "/departments/{id}/members",
    response=responses({200: list[MemberOut]}),
    summary="List a department's members",
)
@paginate(Pagination)
def department_member_list(request: HttpRequest, id: ObjectId) -> QuerySet[Membership]:
    """Who holds which role in a department: its own members, overseers and admins only."""
    user = auth_user(request)
    department = _visible_department(request, id)
    # Ask the Membership policy about this department: who works where is private to it.
    if not can(user, "view", Membership(department_id=department.pk)):
        raise PermissionDenied
    return department_members(user, department)


# --- helpers --------------------------------------------------------------------------------


def _visible_department(request: HttpRequest, pk: int) -> Department:
    departments = department_list(auth_user(request), include_inactive=True)
    return get_object_or_404(departments, pk=pk)


def _references(user: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Turn the region code and parent id of a body into objects the user may see."""
    errors = ErrorCollector()
    resolved: dict[str, Any] = {}
    if "region" in values:
        region = Region.objects.restrict(user, "view").filter(code=values["region"]).first()
        if region is None:
            errors.add("region", _("No region has this code."), ErrorCode.INVALID)
        resolved["region"] = region
    if values.get("parent") is not None:
        parent = Department.objects.restrict(user, "view").filter(pk=values["parent"]).first()
        if parent is None:
            errors.add("parent", _("No department has this id."), ErrorCode.INVALID)
        resolved["parent"] = parent
    errors.raise_if_any()
    return resolved


def _merged(user: Any, department: Department, changes: dict[str, Any]) -> DepartmentData:
    current = {f.name: getattr(department, f.name) for f in dataclass_fields(DepartmentData)}
    return DepartmentData(**{**current, **changes, **_references(user, changes)})


def _contact_changes(department: Department, changes: dict[str, Any]) -> dict[str, str]:
    """A data officer's PATCH: contact fields only; any other field is refused as a whole."""
    refused = sorted(set(changes) - set(CONTACT_FIELDS))
    if refused:
        message = _("You may change only the contact details of this department.")
        raise ApiError(403, ErrorCode.PERMISSION_DENIED, message, dict.fromkeys(refused, [message]))
    return {name: changes.get(name, getattr(department, name)) for name in CONTACT_FIELDS}


__all__ = ["router"]
