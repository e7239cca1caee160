"""REST endpoints of catalog resources: draft, read, edit, submit, review, change, withdraw.

Reads go through ``restrict`` (drafts only for the provider department and the authority);
writes only through catalog.services. In request bodies the classification is its code and a
data item's element its identifier. Items are numbered from 0 in error fields, like the JSON
array they come from (the services count from 1, as the forms and the workbook do).
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from govshare.catalog import selectors
from govshare.catalog.choices import (
    DataType,
    FormatClass,
    Grade,
    Masking,
    ShareModeClass,
    ShareModeType,
    ShareType,
    UpdateCycle,
)
from govshare.catalog.models import Category, DataElement, Resource, ResourceVersion
from govshare.catalog.services import (
    ITEM_FIELDS,
    VERSION_FIELDS,
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
    version_update,
)
from govshare.catalog.withdrawal import GrantDecision
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.permissions import can
from govshare.core.roles import Role
from govshare.core.web.api import InputSchema, Pagination, PatchSchema, auth_user, responses
from govshare.core.web.api_inputs import FILLED_TEXT, INT_MAX, PLAIN_TEXT, ObjectId, OneOf, Pattern
from govshare.inventory.models import InformationSystem
from govshare.orgs.models import Department
from govshare.orgs.roles import principal_of

router = Router(tags=["catalog"])

# String inputs, bounded like the model columns (PostgreSQL enforces them; SQLite does not).
CategoryCode = Annotated[str, Field(max_length=20), FILLED_TEXT]
# catalog.rules.IDENTIFIER: ASCII letters, digits and underscores, starting with a letter.
Identifier = Annotated[str, Pattern("^[A-Za-z][A-Za-z0-9_]{0,63}$", "identifier_format")]
ElementId = Annotated[str, Field(max_length=64), FILLED_TEXT]
ResourceName = Annotated[str, Field(max_length=200), FILLED_TEXT]
ItemName = Annotated[str, Field(max_length=100), FILLED_TEXT]
ShortText = Annotated[str, Field(max_length=50), PLAIN_TEXT]
ListText = Annotated[str, Field(max_length=300), PLAIN_TEXT]
LongText = Annotated[str, Field(max_length=10_000), PLAIN_TEXT]
Summary = Annotated[str, Field(max_length=10_000), FILLED_TEXT]
Length = Annotated[int, Field(ge=0, le=INT_MAX)]
Format = Annotated[str, OneOf(FormatClass)]
Share = Annotated[str, OneOf(ShareType)]
Cycle = Annotated[str, OneOf(UpdateCycle)]
ModeClass = Annotated[str, OneOf(ShareModeClass)]
ModeType = Annotated[str, OneOf(ShareModeType, blank=True)]


# --- schemas --------------------------------------------------------------------------------


class ItemOut(Schema):
    position: int
    name: str
    identifier: str
    data_type: str
    length: int | None
    description: str
    share_type: str
    is_open: bool
    grade: str
    is_personal: bool
    masking: str
    element: str | None = Field(None, description="data element identifier")

    @staticmethod
    def resolve_element(item: Any) -> str | None:
        return item.element.identifier if item.element_id else None


class VersionSummaryOut(Schema):
    number: int
    status: str
    name: str
    author_name: str
    created: dt.datetime
    submitted: dt.datetime | None
    reviewed: dt.datetime | None
    review_note: str
    publish_date: dt.date | None


class VersionOut(VersionSummaryOut):
    category: str = Field(description="classification code")
    category_name: str
    summary: str
    format_class: str
    format_type: str
    share_type: str
    share_condition: str
    share_basis: str
    share_mode_class: str
    share_mode_type: str
    is_open: bool
    open_condition: str
    update_cycle: str
    keywords: str
    related_codes: str
    is_key_supervision: bool
    is_government_service: bool
    grade: str
    source_systems: list[int]
    items: list[ItemOut]

    @staticmethod
    def resolve_category(version: ResourceVersion) -> str:
        return version.category.code

    @staticmethod
    def resolve_category_name(version: ResourceVersion) -> str:
        return version.category.name

    @staticmethod
    def resolve_source_systems(version: ResourceVersion) -> list[int]:
        return sorted(system.pk for system in version.source_systems.all())

    @staticmethod
    def resolve_items(version: ResourceVersion) -> list[Any]:
        return list(version.items.select_related("element").order_by("position"))


class ResourceOut(Schema):
    id: int
    code: str | None
    name: str
    status: str
    provider_id: int
    provider_name: str = Field(alias="provider.name")
    withdrawn_reason: str
    version_in_force: int | None = Field(None, description="number of the version in force")
    version_being_edited: int | None = Field(None, description="number of the working version")
    version: VersionOut | None = Field(None, description="the version in force, else the draft")

    @staticmethod
    def resolve_version_in_force(resource: Resource) -> int | None:
        return resource.current_version.number if resource.current_version else None

    @staticmethod
    def resolve_version_being_edited(resource: Resource) -> int | None:
        return resource.working_version.number if resource.working_version else None

    @staticmethod
    def resolve_version(resource: Resource) -> ResourceVersion | None:
        return resource.shown_version


class ItemIn(InputSchema):
    """A data item (信息项); ``element`` is a data element identifier."""

    name: ItemName
    identifier: Identifier
    data_type: Annotated[str, OneOf(DataType)]
    share_type: Share
    length: Length | None = None
    description: ListText = ""
    is_open: bool = False
    grade: Annotated[str, OneOf(Grade)] = Grade.GENERAL_1.value
    is_personal: bool = False
    masking: Annotated[str, OneOf(Masking)] = Masking.NONE.value
    element: ElementId | None = None


class ResourceIn(InputSchema):
    """A new draft. ``category`` is a classification code; ``provider_id`` defaults to the one
    department where the caller is data officer."""

    provider_id: ObjectId | None = None
    category: CategoryCode
    name: ResourceName
    summary: Summary
    format_class: Format
    share_type: Share
    update_cycle: Cycle
    format_type: ShortText = ""
    share_condition: LongText = ""
    share_basis: LongText = ""
    share_mode_class: ModeClass = ShareModeClass.PLATFORM.value
    share_mode_type: ModeType = ""
    is_open: bool = False
    open_condition: LongText = ""
    keywords: ListText = ""
    related_codes: ListText = ""
    is_key_supervision: bool = False
    is_government_service: bool = False
    source_systems: list[ObjectId] = Field(default_factory=list, max_length=100)
    items: list[ItemIn] = Field(default_factory=list, max_length=2000)


class ResourcePatch(PatchSchema):
    """Fields of the working version to change; absent fields (and items) keep their value."""

    category: CategoryCode | None = None
    name: ResourceName | None = None
    summary: Summary | None = None
    format_class: Format | None = None
    share_type: Share | None = None
    update_cycle: Cycle | None = None
    format_type: ShortText | None = None
    share_condition: LongText | None = None
    share_basis: LongText | None = None
    share_mode_class: ModeClass | None = None
    share_mode_type: ModeType | None = None
    is_open: bool | None = None
    open_condition: LongText | None = None
    keywords: ListText | None = None
    related_codes: ListText | None = None
    is_key_supervision: bool | None = None
    is_government_service: bool | None = None
    source_systems: list[ObjectId] | None = Field(None, max_length=100)
    items: list[ItemIn] | None = Field(None, max_length=2000)


class NoteIn(InputSchema):
    note: LongText = ""


class ReviewIn(InputSchema):
    approve: bool
    note: LongText = ""


class WithdrawIn(InputSchema):
    reason: Summary
    grants: Annotated[str, OneOf(GrantDecision, blank=True)] = Field(
        "", description="with live grants: revoke or keep (else 409)"
    )


# --- endpoints ------------------------------------------------------------------------------


@router.post("/resources", response=responses({201: ResourceOut}), summary="Draft a resource")
def resource_add(request: HttpRequest, payload: ResourceIn) -> Status[Resource]:
    """Draft a new resource (version 1) with its data items, for a provider department."""
    user = auth_user(request)
    # Authorize before resolving the body's references: refused callers learn nothing from them.
    if not can(user, "add", Resource):
        raise PermissionDenied
    values = payload.model_dump()
    provider = _provider(user, values.pop("provider_id"))
    data, items, systems = _references(user, provider, values)
    resource = _zero_based(
        lambda: resource_create(
            actor=user, provider=provider, data=data, items=items, source_systems=systems
        )
    )
    return Status(201, _visible_resource(request, resource.pk))


@router.get(
    "/resources/{id}",
    response=responses({200: ResourceOut}),
    summary="Get a resource",
    url_name="catalog_resource_detail",
)
def resource_detail(request: HttpRequest, id: ObjectId) -> Resource:
    """The resource with its version in force (else its draft) and that version's items."""
    return _visible_resource(request, id)


@router.get(
    "/resources/{id}/versions",
    response=responses({200: list[VersionSummaryOut]}),
    summary="List a resource's versions",
)
@paginate(Pagination)
def resource_versions(request: HttpRequest, id: ObjectId) -> QuerySet[ResourceVersion]:
    """Every version the caller may see, newest first (drafts: provider and authority only)."""
    resource = _visible_resource(request, id)
    return _visible_versions(request, resource)


@router.get(
    "/resources/{id}/versions/{number}",
    response=responses({200: VersionOut}),
    summary="Get one version of a resource",
)
def resource_version(request: HttpRequest, id: ObjectId, number: ObjectId) -> ResourceVersion:
    resource = _visible_resource(request, id)
    return get_object_or_404(_visible_versions(request, resource), number=number)


@router.patch(
    "/resources/{id}", response=responses({200: ResourceOut}), summary="Edit the working version"
)
def resource_change(request: HttpRequest, id: ObjectId, payload: ResourcePatch) -> Resource:
    """Edit the draft (or the version returned with comments); absent fields keep their value."""
    user = auth_user(request)
    resource = _visible_resource(request, id)
    if not can(user, "change", resource):
        raise PermissionDenied
    changes = payload.model_dump(exclude_unset=True)
    version = resource.working_version
    if version is None:  # the service names the conflict (nothing being edited)
        version_update(actor=user, resource=resource, data={}, items=[])
    assert version is not None
    data, items, systems = _references(user, resource.provider, {**_current(version), **changes})
    _zero_based(
        lambda: version_update(
            actor=user, resource=resource, data=data, items=items, source_systems=systems
        )
    )
    return _visible_resource(request, id)


@router.post(
    "/resources/{id}/submit", response=responses({200: ResourceOut}), summary="Submit for review"
)
def resource_submit_view(request: HttpRequest, id: ObjectId, payload: NoteIn) -> Resource:
    """Send the working version to the sharing authority's review (提交审核)."""
    resource = _visible_resource(request, id)
    _zero_based(
        lambda: resource_submit(actor=auth_user(request), resource=resource, note=payload.note)
    )
    return _visible_resource(request, id)


@router.post(
    "/resources/{id}/review", response=responses({200: ResourceOut}), summary="Review a resource"
)
def resource_review_view(request: HttpRequest, id: ObjectId, payload: ReviewIn) -> Resource:
    """The authority approves the submitted version (published, code allocated) or returns it
    with comments (``note`` required then)."""
    resource = _visible_resource(request, id)
    resource_review(
        actor=auth_user(request), resource=resource, approve=payload.approve, note=payload.note
    )
    return _visible_resource(request, id)


@router.post(
    "/resources/{id}/change", response=responses({200: ResourceOut}), summary="Start a change"
)
def resource_change_start(request: HttpRequest, id: ObjectId, payload: NoteIn) -> Resource:
    """Open a new version of a published resource; the one in force stays until approved."""
    resource = _visible_resource(request, id)
    resource_start_change(actor=auth_user(request), resource=resource, note=payload.note)
    return _visible_resource(request, id)


@router.post("/resources/{id}/withdraw", response=responses({200: ResourceOut}), summary="Withdraw")
def resource_withdraw_view(request: HttpRequest, id: ObjectId, payload: WithdrawIn) -> Resource:
    """Withdraw the resource from the catalog (撤销), with the reason."""
    resource = _visible_resource(request, id)
    resource_withdraw(
        actor=auth_user(request), resource=resource, reason=payload.reason, grants=payload.grants
    )
    return _visible_resource(request, id)


# --- helpers --------------------------------------------------------------------------------


def _visible_resource(request: HttpRequest, pk: int) -> Resource:
    resources = Resource.objects.restrict(auth_user(request), "view").select_related(
        "provider", "current_version__category", "working_version__category"
    )
    return get_object_or_404(resources, pk=pk)


def _visible_versions(request: HttpRequest, resource: Resource) -> QuerySet[ResourceVersion]:
    return selectors.resource_versions(auth_user(request), resource).select_related("category")


def _provider(user: Actor, provider_id: int | None) -> Department:
    """The named department, else the one department where the caller is data officer."""
    if provider_id is not None:
        provider = Department.objects.filter(pk=provider_id).first()
        if provider is None:
            raise field_error("provider_id", _("No department has this id."), ErrorCode.NOT_FOUND)
        return provider
    departments = principal_of(user).departments(Role.DATA_OFFICER)
    if len(departments) != 1:
        message = _("Name the provider department (provider_id).")
        raise field_error("provider_id", message, ErrorCode.REQUIRED)
    return Department.objects.get(pk=next(iter(departments)))


def _current(version: ResourceVersion) -> dict[str, Any]:
    """The working version as a body: codes for the classification and the elements."""
    values = {name: getattr(version, name) for name in VERSION_FIELDS}
    values["category"] = version.category.code
    items = version.items.select_related("element").order_by("position")
    values["items"] = [
        {
            **{name: getattr(item, name) for name in ITEM_FIELDS if name != "element"},
            "element": item.element.identifier if item.element is not None else None,
        }
        for item in items
    ]
    values["source_systems"] = [system.pk for system in version.source_systems.all()]
    return values


def _references(
    user: Actor, provider: Department, values: dict[str, Any]
) -> tuple[dict[str, Any], list[dict[str, Any]], list[InformationSystem]]:
    """Version data, items and source systems with the codes and ids turned into objects."""
    errors = ErrorCollector()
    data = {name: values[name] for name in VERSION_FIELDS}
    data["category"] = (
        Category.objects.restrict(user, "view").filter(code=values["category"]).first()
    )
    if data["category"] is None:
        errors.add("category", _("No classification has this code."), ErrorCode.NOT_FOUND)
    items = [dict(item) for item in values["items"]]
    elements = _elements(user, items)
    for index, item in enumerate(items):
        identifier = item.get("element")
        item["element"] = elements.get(identifier) if identifier else None
        if identifier and item["element"] is None:
            message = _("No data element has this identifier.")
            errors.add(f"items.{index}.element", message, ErrorCode.NOT_FOUND)
    systems = _systems(user, provider, values["source_systems"], errors)
    errors.raise_if_any()
    return data, items, systems


def _elements(user: Actor, items: list[dict[str, Any]]) -> dict[str, DataElement]:
    wanted = {item["element"] for item in items if item.get("element")}
    found = DataElement.objects.restrict(user, "view").filter(identifier__in=wanted)
    return {element.identifier: element for element in found}


def _systems(
    user: Actor, provider: Department, ids: list[int], errors: ErrorCollector
) -> list[InformationSystem]:
    """The provider's own information systems the resource's data comes from."""
    visible = InformationSystem.objects.restrict(user, "view").filter(pk__in=set(ids))
    systems = list(visible.filter(department=provider))
    if len(systems) != len(set(ids)):
        message = _("Source systems must be information systems of the provider department.")
        # none such (404), or another department's (409): core.web.api's service_status
        code = ErrorCode.NOT_FOUND if visible.count() != len(set(ids)) else ErrorCode.CONFLICT
        errors.add("source_systems", message, code)
    return systems


def _zero_based(call: Any) -> Any:
    """Run a service call; its ``items.<n>`` error fields renumbered from 0, as in the body."""
    try:
        return call()
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed: dict[str, list[ValidationError]] = {}
        for name, problems in error.error_dict.items():
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "items" and parts[1].isdigit():
                parts[1] = str(int(parts[1]) - 1)
            renamed[".".join(parts)] = problems
        raise ValidationError(renamed) from error


__all__ = ["router"]
