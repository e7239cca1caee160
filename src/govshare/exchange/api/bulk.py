"""REST endpoints of the bulk exchange (批量交换) at /api/v1/exchange/: a consumer's front-end
databases (前置库) and destination folders, table subscriptions (库表订阅) with their
configuration, their runs with live progress, and the file packages (文件包) of a grant.

Reads go through ``restrict``; writes only through exchange.services, which authorize (the
consumer department's data officer configures; both parties read). Passwords are never returned.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, field_error
from govshare.core.web.api import InputSchema, Pagination, PatchSchema, auth_user, responses
from govshare.core.web.api_inputs import FILLED_TEXT, PLAIN_TEXT, ObjectId, OneOf, Pattern
from govshare.exchange import bulk, services
from govshare.exchange.files.services import build_package
from govshare.exchange.models import (
    Connection,
    ConnectionRole,
    DeleteMode,
    DropFolder,
    Engine,
    FilePackage,
    PackageFormat,
    Subscription,
    SyncMode,
    SyncRun,
)
from govshare.exchange.sync import runner
from govshare.orgs.models import Department
from govshare.sharing.models import Grant

router = Router(tags=["exchange"])

Name = Annotated[str, Field(max_length=100), FILLED_TEXT]
Short = Annotated[str, Field(max_length=255), PLAIN_TEXT]
Side = Annotated[str, OneOf(["consumer", "provider"])]
# A host name (labels of at most 63 characters, RFC 1123 §2.1), an IPv4 or IPv6 address, or
# nothing (SQLite).
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
HOST_PATTERN = f"^({_LABEL}(\\.{_LABEL})*|[0-9A-Fa-f:.]+)?$"
Host = Annotated[
    str,
    Field(max_length=253, description="required for PostgreSQL and MySQL (else 422)"),
    Pattern(HOST_PATTERN, "string_pattern_mismatch"),
]
# An SQL identifier, as the services check it (subscriptions.COLUMN_NAME), or nothing.
COLUMN_PATTERN = "^([A-Za-z_][A-Za-z0-9_]{0,127})?$"
ColumnName = Annotated[
    str, Field(max_length=128), Pattern(COLUMN_PATTERN, "string_pattern_mismatch")
]
DIRECTORY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


# --- schemas --------------------------------------------------------------------------------


class DestinationOut(Schema):
    id: int
    department_id: int
    name: str
    role: str
    engine: str
    host: str
    port: int | None
    database: str
    username: str
    has_password: bool
    last_tested: dt.datetime | None
    last_error: str

    @staticmethod
    def resolve_has_password(connection: Connection) -> bool:
        return bool(connection.password_encrypted)


class DestinationIn(InputSchema):
    """A front-end database; for SQLite, ``database`` is a file name in the sources directory."""

    department_id: ObjectId
    name: Name
    engine: Annotated[str, OneOf(Engine)]
    host: Host = ""
    port: Annotated[int | None, Field(ge=1, le=65535)] = None
    database: Annotated[
        str,
        Field(
            max_length=255,
            description="for SQLite a file name in the node's sources directory (else 422)",
        ),
        FILLED_TEXT,
    ]
    username: Annotated[str, Field(max_length=100), PLAIN_TEXT] = ""
    password: Annotated[str, Field(max_length=500)] = ""


class CheckOut(Schema):
    ok: bool
    message: str


class FolderOut(Schema):
    id: int
    department_id: int
    name: str
    directory: str
    created: dt.datetime


class FolderIn(InputSchema):
    department_id: ObjectId
    name: Name
    directory: Annotated[
        str,
        Field(
            max_length=100,
            description="one directory name under the node's destinations, never with “..” "
            "(else 422)",
        ),
        Pattern(DIRECTORY_PATTERN, "string_pattern_mismatch"),
    ]


class SubscriptionOut(Schema):
    id: int
    grant_id: int
    request_number: str = Field(alias="grant.request.number")
    resource_id: int = Field(alias="grant.resource_id")
    consumer_id: int = Field(alias="grant.consumer_id")
    provider_id: int = Field(alias="grant.provider_id")
    destination_id: int | None
    table: str
    mode: str
    watermark_column: str
    delete_mode: str
    soft_delete_column: str
    soft_delete_value: str
    schedule: str
    state: str
    next_run: dt.datetime | None
    watermark: str
    last_consistent: dt.datetime | None
    last_reconciliation: dict[str, Any]
    created: dt.datetime


class SubscriptionPatch(PatchSchema):
    """The consumer's configuration; a field left out keeps its value."""

    nullable = frozenset({"destination_id"})

    destination_id: ObjectId | None = Field(
        None,
        description="a front-end database of the consumer department (else 422); null: none",
    )
    mode: Annotated[str, OneOf(SyncMode)] | None = None
    watermark_column: ColumnName | None = None
    delete_mode: Annotated[str, OneOf(DeleteMode)] | None = None
    soft_delete_column: ColumnName | None = None
    soft_delete_value: Annotated[str, Field(max_length=64), PLAIN_TEXT] | None = None
    schedule: (
        Annotated[
            str,
            Field(max_length=100, description="five-field cron; empty: the resource's cycle"),
            PLAIN_TEXT,
        ]
        | None
    ) = None


class ProgressOut(Schema):
    status: str
    is_live: bool
    rows_read: int
    rows_total: int | None
    bytes: int
    batches: int
    elapsed_seconds: float
    rows_per_second: float
    bytes_per_second: float
    eta_seconds: float | None
    percent: float | None


class RunOut(Schema):
    id: int
    subscription_id: int
    kind: str
    trigger: str
    status: str
    status_label: str
    attempt: int
    queued: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None
    rows_inserted: int
    rows_updated: int
    rows_deleted: int
    watermark_before: str
    watermark_after: str
    error_code: str
    error: str
    result: dict[str, Any]
    progress: ProgressOut

    @staticmethod
    def resolve_status_label(run: SyncRun) -> str:
        return str(run.get_status_display())

    @staticmethod
    def resolve_progress(run: SyncRun) -> dict[str, Any]:
        return bulk.run_progress(run).as_dict()


class PackageOut(Schema):
    id: int
    grant_id: int
    number: str
    format: str
    status: str
    folder_id: int | None
    file_name: str
    size: int
    sm3: str
    row_count: int
    error: str
    created: dt.datetime
    ready: dt.datetime | None
    expires: dt.datetime | None
    downloads: int


# --- destinations and folders -----------------------------------------------------------------


@router.get(
    "/destinations",
    response=responses({200: list[DestinationOut]}),
    summary="Front-end databases",
)
@paginate(Pagination)
def destination_list(request: HttpRequest) -> QuerySet[Connection]:
    """The front-end databases of the caller's departments (all, for an administrator)."""
    rows = Connection.objects.restrict(auth_user(request), "view")
    return rows.filter(role=ConnectionRole.DESTINATION).order_by("department__name", "name")


@router.post(
    "/destinations",
    response=responses({201: DestinationOut}),
    summary="Register a front-end database",
)
def destination_add(request: HttpRequest, payload: DestinationIn) -> Status[Connection]:
    """The password is stored SM4-encrypted and never returned."""
    values = payload.model_dump()
    department = _department(values.pop("department_id"))
    connection = services.connection_create(
        actor=auth_user(request),
        department=department,
        data=values,
        role=ConnectionRole.DESTINATION,
    )
    return Status(201, connection)


@router.post(
    "/destinations/{id}/test",
    response=responses({200: CheckOut}),
    summary="Test a front-end database",
    operation_id="exchange_destination_test",
)
def destination_test(request: HttpRequest, id: ObjectId) -> dict[str, Any]:
    """Connect and run SELECT 1; the message names what failed (host, login, database)."""
    rows = Connection.objects.restrict(auth_user(request), "view")
    connection = get_object_or_404(rows, pk=id, role=ConnectionRole.DESTINATION)
    result = services.connection_test(actor=auth_user(request), connection=connection)
    return {"ok": result.ok, "message": result.message}


@router.get("/folders", response=responses({200: list[FolderOut]}), summary="Destination folders")
@paginate(Pagination)
def folder_list(request: HttpRequest) -> QuerySet[DropFolder]:
    return DropFolder.objects.restrict(auth_user(request), "view").order_by("name", "pk")


@router.post("/folders", response=responses({201: FolderOut}), summary="Add a destination folder")
def folder_add(request: HttpRequest, payload: FolderIn) -> Status[DropFolder]:
    values = payload.model_dump()
    department = _department(values.pop("department_id"))
    folder = services.drop_folder_create(
        actor=auth_user(request), department=department, data=values
    )
    return Status(201, folder)


# --- subscriptions and runs -------------------------------------------------------------------


@router.get(
    "/subscriptions",
    response=responses({200: list[SubscriptionOut]}),
    summary="Table subscriptions",
)
@paginate(Pagination)
def subscription_list(request: HttpRequest, side: Side | None = None) -> QuerySet[Subscription]:
    """Subscriptions the caller may see; ``side`` narrows to those its departments receive
    (consumer) or provide (provider)."""
    return bulk.subscriptions(auth_user(request), side)


@router.get(
    "/subscriptions/{id}",
    response=responses({200: SubscriptionOut}),
    summary="One table subscription",
)
def subscription_detail(request: HttpRequest, id: ObjectId) -> Subscription:
    return _visible_subscription(request, id)


@router.patch(
    "/subscriptions/{id}",
    response=responses({200: SubscriptionOut}),
    summary="Configure a table subscription",
)
def subscription_change(
    request: HttpRequest, id: ObjectId, payload: SubscriptionPatch
) -> Subscription:
    """Destination, mode, watermark column, deletions and schedule (the consumer's data officer);
    a watermark column makes a full-load subscription incremental."""
    subscription = _visible_subscription(request, id)
    changes = payload.model_dump(exclude_unset=True)
    if "destination_id" in changes:
        changes["destination"] = _destination(auth_user(request), changes.pop("destination_id"))
    try:
        services.subscription_configure(
            actor=auth_user(request), subscription=subscription, data=changes
        )
    except ValidationError as error:
        raise _renamed(error, "destination", "destination_id") from None
    return _visible_subscription(request, id)


@router.post(
    "/subscriptions/{id}/run",
    response=responses({201: RunOut}),
    summary="Run a table subscription now",
    operation_id="exchange_subscription_run",
)
def subscription_run(request: HttpRequest, id: ObjectId) -> Status[SyncRun]:
    """Queue the run the subscription needs next (a full load first, then incremental): the
    consumer's or the provider's data officer, or an admin. 409 while one is queued or running,
    or while the subscription is not active."""
    subscription = _visible_subscription(request, id)
    run = runner.start_run(auth_user(request), subscription)
    return Status(201, run)


@router.post(
    "/subscriptions/{id}/reconcile",
    response=responses({201: RunOut}),
    summary="Reconcile a table subscription now",
    operation_id="exchange_subscription_reconcile",
)
def subscription_reconcile(request: HttpRequest, id: ObjectId) -> Status[SyncRun]:
    """Queue a reconciliation: the source's granted rows against the destination's, by key."""
    subscription = _visible_subscription(request, id)
    run = runner.start_reconcile(auth_user(request), subscription)
    return Status(201, run)


class RunFilter(Schema):
    subscription: ObjectId | None = Field(None, description="subscription id")


@router.get("/runs", response=responses({200: list[RunOut]}), summary="Sync runs")
@paginate(Pagination)
def run_list(request: HttpRequest, filters: Query[RunFilter]) -> QuerySet[SyncRun]:
    """Runs of the subscriptions the caller may see, newest first."""
    return bulk.runs(auth_user(request), filters.subscription)


@router.get(
    "/runs/{id}",
    response=responses({200: RunOut}),
    summary="One sync run",
    url_name="exchange_run_detail",
)
def run_detail(request: HttpRequest, id: ObjectId) -> SyncRun:
    """A run with its live progress (rows, bytes, rate, ETA): the run page polls this."""
    return get_object_or_404(bulk.runs(auth_user(request)), pk=id)


# --- packages ---------------------------------------------------------------------------------


class PackageFilter(Schema):
    grant: ObjectId | None = Field(None, description="grant id")


@router.get("/packages", response=responses({200: list[PackageOut]}), summary="File packages")
@paginate(Pagination)
def package_list(request: HttpRequest, filters: Query[PackageFilter]) -> QuerySet[FilePackage]:
    return bulk.packages(auth_user(request), filters.grant)


class PackageIn(InputSchema):
    grant_id: ObjectId = Field(description="an active 文件 grant the caller is a party of")
    format: Annotated[str, OneOf(PackageFormat)]
    folder_id: ObjectId | None = Field(
        None, description="a destination folder of the consumer department; null: download"
    )


@router.post("/packages", response=responses({201: PackageOut}), summary="Build a file package")
def package_add(request: HttpRequest, payload: PackageIn) -> Status[FilePackage]:
    """Record a package of the grant's data in ``format`` and queue its packing; download it from
    /exchange/packages/{id}/download once ready (or find it in the folder)."""
    user = auth_user(request)
    grants = Grant.objects.restrict(user, "view").select_related("request", "resource")
    grant = grants.filter(pk=payload.grant_id).first()
    if grant is None:
        raise field_error("grant_id", _("No grant has this id."), ErrorCode.NOT_FOUND)
    folder = None
    if payload.folder_id is not None:
        folder = DropFolder.objects.restrict(user, "view").filter(pk=payload.folder_id).first()
        if folder is None:
            raise field_error(
                "folder_id", _("No destination folder has this id."), ErrorCode.NOT_FOUND
            )
    try:
        package = build_package(user, grant, format=payload.format, folder=folder)
    except ValidationError as error:
        raise _renamed(_renamed(error, "grant", "grant_id"), "folder", "folder_id") from None
    return Status(201, package)


@router.get("/packages/{id}", response=responses({200: PackageOut}), summary="One file package")
def package_detail(request: HttpRequest, id: ObjectId) -> FilePackage:
    return get_object_or_404(bulk.packages(auth_user(request)), pk=id)


# --- helpers ----------------------------------------------------------------------------------


def _renamed(error: ValidationError, name: str, api_name: str) -> ValidationError:
    """The service names the model's field; the API's body names the id it was given."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {api_name if field == name else field: errors for field, errors in error.error_dict.items()}
    )


def _visible_subscription(request: HttpRequest, pk: int) -> Subscription:
    return get_object_or_404(bulk.subscriptions(auth_user(request)), pk=pk)


def _department(pk: int) -> Department:
    # The service authorizes the caller for this department; a missing one is named here.
    department = Department.objects.filter(pk=pk, is_active=True).first()
    if department is None:
        raise field_error("department_id", _("No department has this id."), ErrorCode.NOT_FOUND)
    return department


def _destination(user: Actor, pk: int | None) -> Connection | None:
    if pk is None:
        return None
    connection = Connection.objects.restrict(user, "view").filter(pk=pk).first()
    if connection is None:
        raise field_error(
            "destination_id", _("No front-end database has this id."), ErrorCode.NOT_FOUND
        )
    return connection


__all__ = ["router"]
