"""Writes of file exchange (文件交换): building a 文件 grant's package, its downloads, the sweep.

``build_package`` authorizes, validates and records the package (status building), and queues
the job that packs it (``tasks.build_file_package`` → ``package_build``): the provider's
registered files or an export of the granted items of its table, then the signed manifest. A
built package is ready for ``GOVSHARE_PACKAGE_TTL_HOURS``, is one record in the delivery log
(CallMode.FILE, the package's SM3 as the body digest) and, when a destination folder is named,
is also written there atomically. ``expire_packages`` deletes the files of expired packages.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from govshare.catalog.choices import Masking, MountKind
from govshare.core.actors import Actor, person_of, system_actor
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.core.evidence import audit
from govshare.core.evidence.chain import append_records
from govshare.core.evidence.signing import load_or_create_node_key
from govshare.core.jobs import job_start
from govshare.core.permissions import internal, require
from govshare.exchange.connectors.base import ConnectorError
from govshare.exchange.connectors.sql import sources_dir
from govshare.exchange.files import tasks
from govshare.exchange.files.export import export_table
from govshare.exchange.files.packing import pack, publish
from govshare.exchange.files.paths import destinations_dir, is_directory_name, packages_dir
from govshare.exchange.models import (
    CallMode,
    DeliveryRecord,
    DropFolder,
    FilePackage,
    FileSet,
    PackageFormat,
    PackageStatus,
)
from govshare.exchange.sync.spec import spec_for_grant
from govshare.sharing.choices import DeliveryMode, RequestState
from govshare.sharing.models import Grant

logger = logging.getLogger(__name__)

TABLE_FORMATS = frozenset(
    {PackageFormat.CSV, PackageFormat.XLSX, PackageFormat.JSON, PackageFormat.PARQUET}
)
MAX_ERROR = 2000
# A build this old that has not finished was interrupted (a worker killed mid-build): no export
# runs this long, and a job that did is safe to fail — a late finish finds it no longer building.
STALE_BUILD = dt.timedelta(hours=24)
SAFE_STEM = re.compile(r"[^\w.\-]+")


class PackageUnavailable(Exception):
    """A package that cannot be downloaded (now): ``status`` 410 once expired, 409 while it is
    being built or after it failed; ``message`` says which, in words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- where packages live --------------------------------------------------------------------


@internal("where a package's file lives: a read about a package its caller already holds")
def package_path(package: FilePackage) -> Path:
    """Where the platform keeps the package's ZIP (until it expires)."""
    return packages_dir() / f"{package.number}.zip"


@internal("where a destination folder lives: a read about a folder its caller already holds")
def folder_path(folder: DropFolder) -> Path:
    """The destination folder's directory: a single name below the destinations directory."""
    name = folder.directory
    if not is_directory_name(name):
        raise ConnectorError(
            _("The destination folder %(name)s is not a directory name.") % {"name": name}
        )
    return destinations_dir() / name


def _ttl() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.GOVSHARE_PACKAGE_TTL_HOURS))


# --- building -------------------------------------------------------------------------------


def build_package(
    actor: Actor, grant: Grant, *, format: str, folder: DropFolder | None = None
) -> FilePackage:
    """Record a package of ``grant`` in ``format`` (PackageFormat) and queue its building.

    The consumer's or the provider's data officer, or an admin; the grant must be an active
    文件 grant whose resource has the mount the format needs; ``folder`` must be the consumer's.
    """
    package = FilePackage(grant=grant, format=format, folder=folder, created_by=person_of(actor))
    require(actor, "add", package)
    _validate_build(grant, format, folder)
    with transaction.atomic():
        package.number = f"tmp-{uuid.uuid4().hex[:16]}"
        package.save()
        package.number = f"WJ{timezone.localdate():%Y}{package.pk:06d}"
        package.save(update_fields=["number"])
        audit.record(
            actor=actor,
            action="exchange.package.build",
            obj=package,
            department_id=grant.consumer_id,
            after={
                "grant": grant.pk,
                "format": format,
                "folder": folder.pk if folder else None,
            },
        )
        job_start(
            actor=actor,
            task=tasks.build_file_package,
            name=_("Build file package %(number)s") % {"number": package.number},
            args=(package.pk,),
            department_id=grant.consumer_id,
        )
    return package


def _validate_build(grant: Grant, format: str, folder: DropFolder | None) -> None:
    errors = ErrorCollector()
    if grant.mode != DeliveryMode.FILE:
        errors.add(
            "grant", _("Packages are delivered for file exchange grants only."), ErrorCode.INVALID
        )
    not_in_force = _not_in_force(grant)
    if not_in_force:
        errors.add("grant", not_in_force, ErrorCode.CONFLICT)
    if format not in PackageFormat.values:
        errors.add("format", _("Choose one of the package formats."), ErrorCode.INVALID)
    elif not _has_mount_for(grant, format):
        message = (
            _("The resource has no registered file set.")
            if format == PackageFormat.FILES
            else _("The resource has no mounted database table to export.")
        )
        errors.add("format", message, ErrorCode.INVALID)
    if folder is not None and folder.department_id != grant.consumer_id:
        errors.add(
            "folder",
            _("Choose a destination folder of the consumer department."),
            ErrorCode.OTHER_DEPARTMENT,
        )
    elif folder is not None and not is_directory_name(folder.directory):
        errors.add(
            "folder",
            _("The destination folder %(name)s is not a directory name.")
            % {"name": folder.directory},
            ErrorCode.INVALID,
        )
    errors.raise_if_any()


def _not_in_force(grant: Grant) -> str:
    """Why the grant delivers nothing now (suspended, revoked, expired, not yet valid), or ""."""
    if grant.state != RequestState.ACTIVE or grant.is_not_yet_valid:
        return _("The grant is not in force.")
    if grant.valid_until < timezone.localdate():
        return _("The grant's validity has ended.")
    return ""


def _has_mount_for(grant: Grant, format: str) -> bool:
    kind = MountKind.FILES if format == PackageFormat.FILES else MountKind.TABLE
    mounts = grant.resource.mounts.filter(kind=kind)
    if kind == MountKind.FILES:
        return FileSet.objects.filter(mount__in=mounts).exists()
    return mounts.filter(table_config__isnull=False).exists()


@internal("the package's build job runs it, after build_package authorized and validated")
def package_build(package_id: int) -> FilePackage:
    """Pack a package recorded as building: ready (with its delivery record) or failed."""
    package = FilePackage.objects.select_related(
        "grant__request", "grant__resource", "grant__consumer", "grant__provider", "folder"
    ).get(pk=package_id)
    if package.status != PackageStatus.BUILDING:
        return package
    # Suspended or revoked since it was asked for: nothing more leaves under the grant.
    not_in_force = _not_in_force(package.grant)
    if not_in_force:
        return _fail(package, not_in_force)
    started = time.monotonic()
    try:
        with _work_directory(package) as work:
            files, row_count = _contents(package, work)
            built = _pack(package, files)
        if package.folder is not None:
            _copy_to_folder(package, package.folder)
    except (ConnectorError, OSError) as error:
        return _fail(package, str(error) or type(error).__name__)
    except Exception as error:  # a bug: recorded on the package, logged with its traceback
        logger.exception("file package %s failed", package.number)
        return _fail(package, _("Packing failed: %(error)s") % {"error": type(error).__name__})
    return _ready(package, built, row_count, (time.monotonic() - started) * 1000)


@contextmanager
def _work_directory(package: FilePackage) -> Iterator[Path]:
    work = packages_dir() / f".{package.number}.work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _contents(package: FilePackage, work: Path) -> tuple[list[tuple[str, Path]], int]:
    """The data files to pack, as (name in the package, path), and the rows exported."""
    if package.format == PackageFormat.FILES:
        return _registered_files(package.grant), 0
    spec = spec_for_grant(package.grant)
    # Resource codes hold "/" (1010010002/00001): one file name, never a path.
    stem = SAFE_STEM.sub("-", package.grant.resource.code or "") or "data"
    exported = export_table(spec, package.format, work, stem)
    return [(exported.path.name, exported.path)], exported.row_count


def _registered_files(grant: Grant) -> list[tuple[str, Path]]:
    """The file set's listed files, each checked to be a file below the sources directory."""
    fileset = FileSet.objects.filter(mount__resource=grant.resource).first()
    if fileset is None:
        raise ConnectorError(_("The resource has no registered file set."))
    root = sources_dir()
    directory = (root / fileset.location).resolve()
    files = []
    for name in fileset.files:
        path = (directory / name).resolve()
        if root not in path.parents or not path.is_file():
            raise ConnectorError(
                _("The registered file %(name)s is missing; list the file set again.")
                % {"name": name}
            )
        files.append((path.name, path))
    if not files:
        raise ConnectorError(_("The file set lists no files."))
    return files


@dataclass(frozen=True)
class _Built:
    size: int
    sm3: str
    manifest: dict[str, Any]
    expires: dt.datetime


def _pack(package: FilePackage, files: list[tuple[str, Path]]) -> _Built:
    created = timezone.now()
    expires = created + _ttl()
    final = package_path(package)
    temporary = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        packed = pack(
            temporary, _header(package, created, expires), files, load_or_create_node_key()
        )
        publish(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    return _Built(packed.size, packed.sm3, packed.manifest, expires)


def _header(package: FilePackage, created: dt.datetime, expires: dt.datetime) -> dict[str, Any]:
    grant = package.grant
    items = list(grant.items.order_by("pk"))
    return {
        "package": package.number,
        "request": grant.request.number,
        "grant": grant.pk,
        "resource": {"code": grant.resource.code or "", "name": grant.resource.name},
        "consumer": {"id": grant.consumer_id, "name": grant.consumer.name},
        "provider": {"id": grant.provider_id, "name": grant.provider.name},
        "content": package.format,
        "items": [
            {"identifier": i.identifier, "name": i.name, "masking": i.masking} for i in items
        ],
        "node": settings.GOVSHARE_NODE_CODE,
        "created": created.isoformat(timespec="seconds"),
        "expires": expires.isoformat(timespec="seconds"),
    }


def _copy_to_folder(package: FilePackage, folder: DropFolder) -> None:
    """Write the package into the consumer's folder under a temporary name, then rename: the
    consumer's systems never see half a package."""
    directory = folder_path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{package.number}.zip"
    temporary = directory / f".{package.number}.zip.{uuid.uuid4().hex[:8]}.tmp"
    try:
        shutil.copyfile(package_path(package), temporary)
        publish(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)


def _ready(package: FilePackage, built: _Built, row_count: int, latency_ms: float) -> FilePackage:
    grant = package.grant
    items = built.manifest["items"]
    with transaction.atomic():
        still_building = FilePackage.objects.select_for_update().filter(
            pk=package.pk, status=PackageStatus.BUILDING
        )
        if not still_building.exists():  # failed as interrupted meanwhile: delivers nothing
            package_path(package).unlink(missing_ok=True)
            package.refresh_from_db()
            return package
        [record] = append_records(
            DeliveryRecord, [_delivery_record(package, built, row_count, latency_ms, items)]
        )
        package.status = PackageStatus.READY
        package.file_name = package_path(package).name
        package.size, package.sm3, package.manifest = built.size, built.sm3, built.manifest
        package.row_count, package.ready, package.expires = row_count, timezone.now(), built.expires
        package.delivery_seq, package.error = record.seq, ""
        package.save()
        audit.record(
            actor=system_actor(),
            action="exchange.package.ready",
            obj=package,
            department_id=grant.consumer_id,
            after={"size": built.size, "sm3": built.sm3, "rows": row_count, "seq": record.seq},
        )
    return package


def _delivery_record(
    package: FilePackage, built: _Built, row_count: int, latency_ms: float, items: list[Any]
) -> DeliveryRecord:
    grant = package.grant
    return DeliveryRecord(
        created=timezone.now(),
        request_id=package.number,
        application_id=grant.application_id,
        application_name=str(grant.application.name)[:200],
        consumer_id=grant.consumer_id,
        consumer_name=grant.consumer.name[:200],
        provider_id=grant.provider_id,
        resource_id=grant.resource_id,
        resource_name=grant.resource.name[:200],
        grant_id=grant.pk,
        share_request_number=grant.request.number,
        purpose=grant.request.purpose,
        app_key="",
        end_user=(package.created_by.get_username() if package.created_by else "")[:100],
        case_number="",
        mode=CallMode.FILE,
        items=[item["identifier"] for item in items],
        masked=[item["identifier"] for item in items if item["masking"] != Masking.NONE],
        row_count=row_count,
        status=200,
        error_code="",
        latency_ms=round(latency_ms, 3),
        body_digest=built.sm3,
        client_ip="",
    )


def _fail(package: FilePackage, message: str) -> FilePackage:
    with transaction.atomic():
        package.status, package.error = PackageStatus.FAILED, message[:MAX_ERROR]
        package.save(update_fields=["status", "error"])
        audit.record(
            actor=system_actor(),
            action="exchange.package.fail",
            obj=package,
            department_id=package.grant.consumer_id,
            after={"error": package.error},
        )
    return package


# --- downloading ----------------------------------------------------------------------------


def package_download(actor: Actor, package: FilePackage, *, counted: bool) -> Path:
    """The package's file for ``actor`` to download (the grant's parties and admins only).

    PackageUnavailable when it is not ready or has expired (even before the sweep ran).
    ``counted``: this request starts a download (not the resumption of one), so it is counted
    and audited; a resumed range is neither.
    """
    require(actor, "download", package)
    if package.status == PackageStatus.EXPIRED or (
        package.expires is not None and package.expires <= timezone.now()
    ):
        expired = timezone.localtime(package.expires) if package.expires else None
        raise PackageUnavailable(
            410,
            _("The package %(number)s expired at %(time)s; build a new one.")
            % {"number": package.number, "time": f"{expired:%Y-%m-%d %H:%M}" if expired else ""},
        )
    path = package_path(package)
    if package.status != PackageStatus.READY or not path.is_file():
        raise PackageUnavailable(409, _("The package is not ready for download."))
    if counted:
        with transaction.atomic():
            FilePackage.objects.filter(pk=package.pk).update(downloads=F("downloads") + 1)
            audit.record(
                actor=actor,
                action="exchange.package.download",
                obj=package,
                department_id=package.grant.consumer_id,
                after={"sm3": package.sm3},
            )
    return path


# --- the sweep ------------------------------------------------------------------------------


@internal("the platform's sweep (govshare package expire, a scheduled task): no user asks")
def expire_packages(now: dt.datetime | None = None) -> int:
    """Delete the files of ready packages past their expiry; each becomes expired. Returns how
    many expired. Packages still building after ``STALE_BUILD`` (their worker was killed) are
    failed, so the consumer sees it and asks again."""
    now = now or timezone.now()
    _fail_stale_builds(now)
    due = FilePackage.objects.filter(status=PackageStatus.READY, expires__lte=now)
    count = 0
    for package in due.select_related("grant"):
        package_path(package).unlink(missing_ok=True)
        with transaction.atomic():
            package.status = PackageStatus.EXPIRED
            package.save(update_fields=["status"])
            audit.record(
                actor=system_actor(),
                action="exchange.package.expire",
                obj=package,
                department_id=package.grant.consumer_id,
                after={"expires": package.expires},
            )
        count += 1
    return count


def _fail_stale_builds(now: dt.datetime) -> None:
    stale = FilePackage.objects.filter(
        status=PackageStatus.BUILDING, created__lte=now - STALE_BUILD
    )
    for package in stale.select_related("grant"):
        _fail(package, _("The build was interrupted; build the package again."))
