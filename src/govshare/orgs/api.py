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

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.permissions import can
from govshare.core.web.api import (
    ApiError,
    InputSchema,
    Pagination,
    PatchSchema,
    auth_user,
    responses,
)
from govshare.core.web.api_inputs import FILLED_TEXT, PLAIN_TEXT, ObjectId, OneOf, Pattern
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
Name = Annotated[str, Field(max_length=100), FILLED_TEXT]
# GB 32100: 8 digits, then 10 of its alphabet. The check characters (18th, mod 31; 17th, the
# GB 11714 organisation code's mod 11) are beyond a pattern: the service names the one that fails.
USCC_PATTERN = "^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$"
Uscc = Annotated[
    str,
    Pattern(USCC_PATTERN, "uscc_format"),
    Field(description="18 characters, check characters included (GB 32100)"),
]
Kind = Annotated[str, OneOf(DepartmentKind)]
Level = Annotated[str, OneOf(RegionLevel, blank=True)]
ShortName = Annotated[str, Field(max_length=32), PLAIN_TEXT]
ContactName = Annotated[str, Field(max_length=50), PLAIN_TEXT]
Phone = Annotated[str, Field(max_length=30), PLAIN_TEXT]
# A subset of what Django's EmailValidator accepts (dot-atom local part, ASCII domain), or empty.
EMAIL_PATTERN = (
    "^([-A-Za-z0-9!#$%&'*+/=?^_`{|}~]+(\\.[-A-Za-z0-9!#$%&'*+/=?^_`{|}~]+)*"
    "@([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63})?$"
)
Email = Annotated[str, Field(max_length=254), Pattern(EMAIL_PATTERN, "email_format")]
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
    uscc: Uscc
    region: RegionCode
    kind: Kind
    short_name: ShortName = ""
    level: Level = ""
    parent: ObjectId | None = None
    is_sharing_authority: bool = False
    contact_name: ContactName = ""
    contact_phone: Phone = ""
    contact_email: Email = ""
    address: Address = ""
    is_active: bool = True


class DepartmentPatch(PatchSchema):
    """Fields to change; absent fields keep their value. Only ``parent`` may be null."""

    nullable = frozenset({"parent"})

    name: Name | None = None
    uscc: Uscc | None = None
    region: RegionCode | None = None
    kind: Kind | None = None
    short_name: ShortName | None = None
    level: Level | None = None
    parent: ObjectId | None = None
    is_sharing_authority: bool | None = None
    contact_name: ContactName | None = None
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    address: Address | None = None
    is_active: bool | None = None


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


def _references(user: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """Turn the region code and parent id of a body into objects the user may see."""
    errors = ErrorCollector()
    resolved: dict[str, Any] = {}
    if "region" in values:
        region = Region.objects.restrict(user, "view").filter(code=values["region"]).first()
        if region is None:
            errors.add("region", _("No region has this code."), ErrorCode.NOT_FOUND)
        resolved["region"] = region
    if values.get("parent") is not None:
        parent = Department.objects.restrict(user, "view").filter(pk=values["parent"]).first()
        if parent is None:
            errors.add("parent", _("No department has this id."), ErrorCode.NOT_FOUND)
        resolved["parent"] = parent
    errors.raise_if_any()
    return resolved


def _merged(user: Actor, department: Department, changes: dict[str, Any]) -> DepartmentData:
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
