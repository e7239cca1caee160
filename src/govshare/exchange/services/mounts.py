"""Writes of the exchange's mount side: database connections (数据源) and the configuration of a
resource's mount slots (挂接: table, upstream interface, file set), with their tests.

Each function authorizes (the provider's data officer), validates every rule at once naming the
field (``columns.XM``, ``key_params.GMSFHM``), writes in a transaction, records an audit event
and bumps the gateway's change stamp when what the gateway serves changed. Secrets (the database
password, the upstream's credential) are stored SM4-encrypted and never audited or shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.catalog.choices import MountKind, MountStatus
from govshare.catalog.models import DataItem, Mount, Resource
from govshare.catalog.search.index import reindex_resource
from govshare.core import stamps
from govshare.core.actors import Actor
from govshare.core.crypto import sm4_encrypt
from govshare.core.errors import ErrorCode, ErrorCollector, field_error
from govshare.core.evidence import audit
from govshare.core.permissions import internal, require
from govshare.core.text import join_sentences
from govshare.exchange.connectors import (
    ConnectorError,
    HttpConnector,
    NotConfigured,
    SqlConnector,
)
from govshare.exchange.connectors.http import check_url
from govshare.exchange.connectors.sql import (
    TableNotFound,
    check_connection,
    reflect_table,
    sources_dir,
    sqlite_path,
    temporary_engine,
)
from govshare.exchange.models import (
    ApiMount,
    Connection,
    ConnectionRole,
    Engine,
    FileSet,
    TableMount,
)
from govshare.orgs.models import Department

CONNECTION_FIELDS = ("name", "engine", "host", "port", "database", "username")
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")  # RFC 9110 §5.6.2 token
RECORDS_PATH = re.compile(r"^[\w.]*$")
PATTERN_FORBIDDEN = re.compile(r"[/\\]|\.\.")
TIMEOUT_MS_RANGE = (100, 60_000)
MAX_LISTED_FILES = 1000
GATEWAY_STAMP = "gateway"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a connection or mount test, as shown to the data officer."""

    ok: bool
    message: str


# --- connections ----------------------------------------------------------------------------


def connection_create(
    *,
    actor: Actor,
    department: Department,
    data: Mapping[str, Any],
    role: str = ConnectionRole.SOURCE,
) -> Connection:
    """Register a database of a department: a provider's source (数据源), or with ``role``
    destination a consumer's front-end database (前置库) that table subscriptions write into."""
    if role not in ConnectionRole.values:
        raise field_error("role", _("Choose a role from the list."), ErrorCode.INVALID)
    connection = Connection(department=department, role=role)
    require(actor, "add", connection)
    _apply_connection(connection, data)
    _validate_connection(connection)
    with transaction.atomic():
        connection.save()
        audit.record(
            actor=actor,
            action="exchange.connection.create",
            obj=connection,
            department_id=department.pk,
            after=_connection_snapshot(connection),
        )
        stamps.bump(GATEWAY_STAMP)
    return connection


def connection_update(
    *, actor: Actor, connection: Connection, data: Mapping[str, Any]
) -> Connection:
    """Change a connection; an empty password keeps the stored one."""
    require(actor, "change", connection)
    before = _connection_snapshot(connection)
    _apply_connection(connection, data)
    _validate_connection(connection)
    with transaction.atomic():
        connection.save()
        audit.record(
            actor=actor,
            action="exchange.connection.update",
            obj=connection,
            department_id=connection.department_id,
            before=before,
            after=_connection_snapshot(connection),
        )
        stamps.bump(GATEWAY_STAMP)
    return connection


def connection_test(*, actor: Actor, connection: Connection) -> CheckResult:
    """Connect and run ``SELECT 1``; record when and with what result (last_tested)."""
    require(actor, "change", connection)
    try:
        check_connection(connection)
    except ConnectorError as error:
        result = CheckResult(False, str(error))
    else:
        result = CheckResult(True, _("Connected."))
    connection.last_tested = timezone.now()
    connection.last_error = "" if result.ok else result.message[:500]
    with transaction.atomic():
        # update(), not save(): ``updated`` keys the cached engine and must not move on a test.
        Connection.objects.filter(pk=connection.pk).update(
            last_tested=connection.last_tested, last_error=connection.last_error
        )
        audit.record(
            actor=actor,
            action="exchange.connection.test",
            obj=connection,
            department_id=connection.department_id,
            after={"ok": result.ok, "message": result.message},
        )
    return result


def _apply_connection(connection: Connection, data: Mapping[str, Any]) -> None:
    for name in CONNECTION_FIELDS:
        if name in data:
            value = data[name]
            setattr(connection, name, value.strip() if isinstance(value, str) else value)
    if connection.engine == Engine.SQLITE:
        connection.host, connection.port, connection.username = "", None, ""
    password = data.get("password") or ""
    if password:
        connection.password_encrypted = sm4_encrypt(password)


def _validate_connection(connection: Connection) -> None:
    errors = ErrorCollector()
    try:
        connection.full_clean(exclude=["department"], validate_unique=False)
    except ValidationError as error:
        errors.absorb(error)
    if connection.engine == Engine.SQLITE and connection.database:
        try:
            sqlite_path(connection.database)
        except ConnectorError as error:
            errors.add("database", str(error), ErrorCode.INVALID)
    elif connection.engine in (Engine.POSTGRESQL, Engine.MYSQL) and not connection.host:
        errors.add("host", _("Give the database server's host."), ErrorCode.REQUIRED)
    duplicate = Connection.objects.filter(
        department_id=connection.department_id, name=connection.name
    ).exclude(pk=connection.pk)
    if connection.name and duplicate.exists():
        errors.add(
            "name", _("This department already has a connection of this name."), ErrorCode.DUPLICATE
        )
    errors.raise_if_any()


def _connection_snapshot(connection: Connection) -> dict[str, Any]:
    data = audit.snapshot(connection, exclude=["password_encrypted", "last_tested", "last_error"])
    data["has_password"] = bool(connection.password_encrypted)
    return data


# --- mount slots: shared --------------------------------------------------------------------


@internal("a read of a resource the caller's view or service has restricted")
def mount_slot(resource: Resource, kind: str) -> Mount:
    """The resource's mount of ``kind``; unsaved when the slot was never configured."""
    return Mount.objects.filter(resource=resource, kind=kind).first() or Mount(
        resource=resource, kind=kind
    )


@internal("a read of a resource the caller's view or service has restricted")
def mountable_items(resource: Resource) -> dict[str, DataItem]:
    """Items a mount may serve: those of the version in force, else of the draft."""
    version = resource.current_version or resource.working_version
    if version is None:
        return {}
    return {item.identifier: item for item in version.items.order_by("position")}


def _check_items(
    errors: ErrorCollector, field: str, mapping: Mapping[str, str], items: Mapping[str, Any]
) -> None:
    for item, target in mapping.items():
        if item not in items:
            errors.add(
                f"{field}.{item}",
                _("%(item)s is not a data item of this resource.") % {"item": item},
                ErrorCode.INVALID,
            )
        elif not str(target).strip():
            errors.add(f"{field}.{item}", _("Leave the row empty or name it."), ErrorCode.REQUIRED)


def _save_slot(
    actor: Actor,
    mount: Mount,
    config: TableMount | ApiMount | FileSet,
    *,
    status: str,
    last_error: str,
    description: str,
    after: dict[str, Any],
) -> None:
    """Save the catalog slot and its configuration, audit, and tell the gateway."""
    before = (
        _config_snapshot(type(config).objects.filter(pk=config.pk).first()) if config.pk else {}
    )
    with transaction.atomic():
        mount.status, mount.last_error = status, last_error[:500]
        mount.description = description.strip()[:300]
        mount.save()
        config.mount = mount
        config.save()
        audit.record(
            actor=actor,
            action=f"exchange.mount.{mount.kind}.set",
            obj=mount,
            department_id=mount.resource.provider_id,
            before=before,
            after={**after, "status": status},
        )
        reindex_resource(mount.resource_id)  # the catalog's mount-status facet
        stamps.bump(GATEWAY_STAMP)


def _config_snapshot(config: TableMount | ApiMount | FileSet | None) -> dict[str, Any]:
    if config is None:
        return {}
    data = audit.snapshot(config, exclude=["auth_value_encrypted", "files", "listed"])
    if isinstance(config, ApiMount):
        data["has_auth_value"] = bool(config.auth_value_encrypted)
    return data


def _existing(model: type[Any], mount: Mount) -> Any:
    return (model.objects.filter(mount=mount).first() if mount.pk else None) or model(mount=mount)


# --- table mounts ---------------------------------------------------------------------------


def table_mount_set(*, actor: Actor, resource: Resource, data: Mapping[str, Any]) -> TableMount:
    """Serve the resource from a table: connection, table, key items, item → column, row filter.

    Rules that the input breaks are refused; a source that cannot be reached is saved but marked
    failing (异常) with the reason, so a mount can be prepared while its database is down.
    """
    mount = mount_slot(resource, MountKind.TABLE)
    config: TableMount = _existing(TableMount, mount)
    require(actor, "change", config)
    if data.get("connection") is not None:
        config.connection = data["connection"]
    config.table = str(data.get("table") or "").strip()
    config.columns = {k: str(v).strip() for k, v in (data.get("columns") or {}).items() if v}
    items = mountable_items(resource)
    wanted = list(data.get("key_items") or ())
    # Key items in the order of the resource's items; unknown ones kept to be refused.
    config.key_items = [item for item in items if item in wanted]
    config.key_items += [item for item in wanted if item not in items]
    config.row_filter = dict(data.get("row_filter") or {})
    _validate_table_mount(config, resource, items)
    status, last_error = _check_table_mount(config)
    _save_slot(
        actor,
        mount,
        config,
        status=status,
        last_error=last_error,
        description=str(data.get("description") or ""),
        after=_config_snapshot(config),
    )
    return config


def _validate_table_mount(
    config: TableMount, resource: Resource, items: Mapping[str, DataItem]
) -> None:
    errors = ErrorCollector()
    connection = config.connection if config.connection_id else None
    if connection is None:
        errors.add("connection", _("Choose the database connection."), ErrorCode.REQUIRED)
    elif connection.department_id != resource.provider_id:
        errors.add(
            "connection", _("Choose a connection of the provider department."), ErrorCode.INVALID
        )
    elif connection.role != ConnectionRole.SOURCE:
        errors.add(
            "connection",
            _("A front-end database is written by subscriptions; choose a data source."),
            ErrorCode.INVALID,
        )
    if not config.table:
        errors.add("table", _("Name the table."), ErrorCode.REQUIRED)
    if not items:
        errors.add("columns", _("The resource has no data items to serve."), ErrorCode.INVALID)
    elif not config.columns:
        errors.add("columns", _("Map at least one data item to a column."), ErrorCode.REQUIRED)
    _check_items(errors, "columns", config.columns, items)
    for item in config.key_items:
        if item not in config.columns:
            errors.add(
                "key_items",
                _("Key item %(item)s must be mapped to a column.") % {"item": item},
                ErrorCode.INVALID,
            )
    if any(not str(column).strip() for column in config.row_filter):
        errors.add("row_filter", _("Each row condition names a column."), ErrorCode.INVALID)
    errors.raise_if_any()


def _check_table_mount(config: TableMount) -> tuple[str, str]:
    """Reflect the table: missing table or columns are refused; an unreachable source only
    marks the mount failing."""
    errors = ErrorCollector()
    try:
        with temporary_engine(config.connection) as engine:
            table = reflect_table(engine, config.table)
    except TableNotFound as error:
        errors.add("table", str(error), ErrorCode.NOT_FOUND)
        errors.raise_if_any()
    except ConnectorError as error:
        return MountStatus.FAILING, str(error)
    present = set(table.c.keys())
    for item, column in config.columns.items():
        if column not in present:
            errors.add(
                f"columns.{item}",
                _("The table has no column %(column)s.") % {"column": column},
                ErrorCode.NOT_FOUND,
            )
    missing = sorted(column for column in config.row_filter if column not in present)
    if missing:
        errors.add(
            "row_filter",
            _("The table has no column %(column)s.") % {"column": ", ".join(missing)},
            ErrorCode.NOT_FOUND,
        )
    errors.raise_if_any()
    return MountStatus.MOUNTED, ""


# --- API mounts -----------------------------------------------------------------------------


def api_mount_set(*, actor: Actor, resource: Resource, data: Mapping[str, Any]) -> ApiMount:
    """Serve the resource through an upstream interface called with the provider's credential.

    ``auth_value`` empty keeps the stored credential; an empty ``auth_header`` removes it.
    """
    mount = mount_slot(resource, MountKind.API)
    config: ApiMount = _existing(ApiMount, mount)
    require(actor, "change", config)
    config.base_url = str(data.get("base_url") or "").strip()
    config.method = str(data.get("method") or "GET")
    config.auth_header = str(data.get("auth_header") or "").strip()
    config.timeout_ms = data.get("timeout_ms") or 5000
    config.records_path = str(data.get("records_path") or "").strip()
    config.key_params = {k: str(v).strip() for k, v in (data.get("key_params") or {}).items() if v}
    config.fields = {k: str(v).strip() for k, v in (data.get("fields") or {}).items() if v}
    if data.get("auth_value"):
        config.auth_value_encrypted = sm4_encrypt(str(data["auth_value"]))
    if not config.auth_header:
        config.auth_value_encrypted = ""
    _validate_api_mount(config, mountable_items(resource))
    _save_slot(
        actor,
        mount,
        config,
        status=MountStatus.MOUNTED,
        last_error="",
        description=str(data.get("description") or ""),
        after=_config_snapshot(config),
    )
    return config


def _validate_api_mount(config: ApiMount, items: Mapping[str, DataItem]) -> None:
    errors = ErrorCollector()
    try:
        config.full_clean(exclude=["mount", "key_params", "fields"], validate_unique=False)
    except ValidationError as error:
        errors.absorb(error)
    if config.base_url and "base_url" not in errors.errors:
        try:
            check_url(config.base_url)
        except NotConfigured as error:
            errors.add("base_url", str(error), ErrorCode.INVALID)
    if config.auth_header and not HEADER_NAME.match(config.auth_header):
        errors.add("auth_header", _("Not a valid header name."), ErrorCode.INVALID)
    low, high = TIMEOUT_MS_RANGE
    if not low <= int(config.timeout_ms) <= high:
        errors.add(
            "timeout_ms",
            _("Between %(low)s and %(high)s milliseconds.") % {"low": low, "high": high},
            ErrorCode.INVALID,
        )
    if not RECORDS_PATH.match(config.records_path):
        errors.add("records_path", _("Field names separated by dots."), ErrorCode.INVALID)
    if not config.fields:
        errors.add("fields", _("Map at least one data item to a field."), ErrorCode.REQUIRED)
    _check_items(errors, "fields", config.fields, items)
    _check_items(errors, "key_params", config.key_params, items)
    errors.raise_if_any()


# --- file sets ------------------------------------------------------------------------------


def fileset_set(*, actor: Actor, resource: Resource, data: Mapping[str, Any]) -> FileSet:
    """Register a directory of the data-source area and a file-name pattern, and list it."""
    mount = mount_slot(resource, MountKind.FILES)
    config: FileSet = _existing(FileSet, mount)
    require(actor, "change", config)
    config.location = str(data.get("location") or "").strip().strip("/")
    config.pattern = str(data.get("pattern") or "*").strip()
    errors = ErrorCollector()
    directory = _fileset_directory(errors, config.location)
    if PATTERN_FORBIDDEN.search(config.pattern) or not config.pattern:
        errors.add("pattern", _("A file-name pattern such as *.csv."), ErrorCode.INVALID)
    errors.raise_if_any()
    assert directory is not None
    config.files, config.listed = _list_files(directory, config.pattern), timezone.now()
    _save_slot(
        actor,
        mount,
        config,
        status=MountStatus.MOUNTED,
        last_error="",
        description=str(data.get("description") or ""),
        after={**_config_snapshot(config), "files": len(config.files)},
    )
    return config


def fileset_list(*, actor: Actor, fileset: FileSet) -> list[str]:
    """List the file set again; a directory that has gone marks the mount failing."""
    require(actor, "change", fileset)
    errors = ErrorCollector()
    directory = _fileset_directory(errors, fileset.location)
    mount = fileset.mount
    if directory is None:
        fileset.files = []
        mount.status = MountStatus.FAILING
        mount.last_error = join_sentences(e.messages[0] for e in errors.errors.get("location", []))
    else:
        fileset.files = _list_files(directory, fileset.pattern)
        mount.status, mount.last_error = MountStatus.MOUNTED, ""
    fileset.listed = timezone.now()
    with transaction.atomic():
        fileset.save(update_fields=["files", "listed"])
        mount.save(update_fields=["status", "last_error", "updated"])
        audit.record(
            actor=actor,
            action="exchange.mount.files.list",
            obj=mount,
            department_id=mount.resource.provider_id,
            after={"files": len(fileset.files), "status": mount.status},
        )
    return list(fileset.files)


def _fileset_directory(errors: ErrorCollector, location: str) -> Path | None:
    """The directory below the sources directory, or None with the reason in ``errors``."""
    root = sources_dir()
    if not location:
        errors.add("location", _("Name a directory."), ErrorCode.REQUIRED)
        return None
    directory = (root / location).resolve()
    if ".." in Path(location).parts or (directory != root and root not in directory.parents):
        errors.add(
            "location",
            _("The directory must be inside the data-source directory."),
            ErrorCode.INVALID,
        )
        return None
    if not directory.is_dir():
        errors.add("location", _("The directory does not exist."), ErrorCode.NOT_FOUND)
        return None
    return directory


def _list_files(directory: Path, pattern: str) -> list[str]:
    root = sources_dir()
    names = []
    for path in sorted(directory.iterdir()):
        # A link pointing out of the sources directory is not part of the set.
        inside = root in path.resolve().parents
        if inside and path.is_file() and fnmatch(path.name, pattern):
            names.append(path.name)
        if len(names) >= MAX_LISTED_FILES:
            break
    return names


# --- testing a mount ------------------------------------------------------------------------


def mount_test(
    *, actor: Actor, mount: Mount, params: Mapping[str, str] | None = None
) -> CheckResult:
    """Fetch one row (table), call the upstream (API) or list the files, and record the status.

    ``params`` are sample key parameters for an upstream that needs some.
    """
    require(actor, "change", mount)
    fileset = FileSet.objects.filter(mount=mount).first() if mount.pk else None
    if fileset is not None:
        files = fileset_list(actor=actor, fileset=fileset)
        if fileset.mount.status == MountStatus.FAILING:
            return CheckResult(False, fileset.mount.last_error)
        return CheckResult(True, _("%(count)s files listed.") % {"count": len(files)})
    try:
        result = CheckResult(True, _run_sample(mount, dict(params or {})))
    except ConnectorError as error:
        result = CheckResult(False, str(error))
    return _record_test(actor, mount, result)


def _run_sample(mount: Mount, params: dict[str, str]) -> str:
    if mount.kind == MountKind.TABLE:
        config = TableMount.objects.select_related("connection").filter(mount=mount).first()
        config = config if mount.pk else None
        if config is None:
            raise NotConfigured(_("Not configured yet."))
        rows = SqlConnector.from_config(config).query({}, list(config.columns), {}, 1, 0)
        return _("Read %(count)s row.") % {"count": len(rows)}
    api = ApiMount.objects.filter(mount=mount).first() if mount.kind == MountKind.API else None
    if api is None:
        raise NotConfigured(_("Not configured yet."))
    connector = HttpConnector.from_config(api)
    try:
        records = connector.proxy(params, list(api.fields))
    finally:
        connector.close()
    return _("The upstream answered with %(count)s records.") % {"count": len(records)}


def _record_test(actor: Actor, mount: Mount, result: CheckResult) -> CheckResult:
    status = MountStatus.MOUNTED if result.ok else MountStatus.FAILING
    changed = status != mount.status
    with transaction.atomic():
        if mount.pk is not None:
            mount.status, mount.last_error = status, "" if result.ok else result.message[:500]
            mount.save(update_fields=["status", "last_error", "updated"])
        audit.record(
            actor=actor,
            action="exchange.mount.test",
            obj=mount if mount.pk else None,
            department_id=mount.resource.provider_id,
            after={"kind": mount.kind, "ok": result.ok, "message": result.message},
        )
        if changed:
            reindex_resource(mount.resource_id)
            stamps.bump(GATEWAY_STAMP)
    return result
