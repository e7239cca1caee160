"""Background tasks of the catalog (run by ``govshare worker``): the workbook import.

Checking and applying a 10,000-row catalog workbook takes about 20 s, too long for a page to
wait, so the upload is stored and imported by a job (后台任务). The import page sends the user
to the job's page, which shows the progress and then what was applied, or the problems and the
error workbook. A job's files live in ``VAR_DIR/jobs/catalog-import/<job id>/``: the upload
until the job has read it, the error workbook for ``KEPT_SECONDS``.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.catalog import workbook
from govshare.catalog.models import Resource
from govshare.core.actors import Actor
from govshare.core.jobs import Rejected, job_progress, job_start, job_task
from govshare.core.models import Job
from govshare.core.permissions import require
from govshare.orgs.models import Department

UPLOAD_FILE, ERROR_WORKBOOK_FILE = "upload.xlsx", "errors.xlsx"
KEPT_SECONDS = 7 * 24 * 3600  # then the job's page says its error workbook is gone
ERRORS_LISTED = 500  # problems kept in the job's result for its page; the workbook marks all


def imports_dir() -> Path:
    return Path(settings.VAR_DIR) / "jobs" / "catalog-import"


def import_folder(job_id: int) -> Path:
    return imports_dir() / str(job_id)


def error_workbook_path(job: Job) -> Path | None:
    """The job's error workbook, if its import applied nothing and the file is still kept."""
    path = import_folder(job.pk) / ERROR_WORKBOOK_FILE
    return path if path.is_file() else None


def catalog_import_start(*, actor: Actor, provider: Department, content: bytes) -> Job:
    """Queue the import of a catalog workbook into ``provider``'s catalog: all rows, or none.

    The job runs as ``actor``, so the import checks their role again when it runs."""
    require(actor, "add", Resource(provider=provider))
    with transaction.atomic():  # the job is queued on commit, once its upload is stored
        job = job_start(
            actor=actor,
            task=import_catalog_workbook,
            name=_("Import the catalog workbook"),
            args=(provider.pk,),
            department_id=provider.pk,
        )
        folder = import_folder(job.pk)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / UPLOAD_FILE).write_bytes(content)
    return job


def import_verdict(result: dict[str, Any]) -> list[str]:
    """The import's outcome in words; its own page lists the problems cell by cell."""
    if not result.get("applied"):
        return [
            _(
                "Nothing was applied: the workbook has %(count)s problems, "
                "listed on its import page."
            )
            % {"count": result.get("error_count", 0)}
        ]
    counts = {key: result.get(key, 0) for key in ("created", "updated", "changed", "unchanged")}
    return [
        _(
            "Applied: %(created)s resources drafted, %(updated)s updated, %(changed)s changes "
            "opened, %(unchanged)s unchanged."
        )
        % counts
    ]


@job_task(title=gettext_lazy("Import the catalog workbook"), verdict=import_verdict)
def import_catalog_workbook(job: Job, provider_id: int) -> dict[str, Any] | Rejected:
    """Import the job's stored upload into ``provider_id``'s catalog (目录导入)."""
    folder = import_folder(job.pk)
    upload = folder / UPLOAD_FILE
    provider = Department.objects.get(pk=provider_id)
    job_progress(job, 1, _("Reading the workbook"))
    try:
        result = workbook.catalog_import(
            # Whose account is gone since acts as nobody: the import's policy refuses it.
            actor=job.created_by or AnonymousUser(),
            provider=provider,
            content=upload.read_bytes(),
            on_progress=lambda percent, message: job_progress(job, percent, message),
        )
    finally:
        upload.unlink(missing_ok=True)
    if result.error_workbook:
        (folder / ERROR_WORKBOOK_FILE).write_bytes(result.error_workbook)
    forget_old_imports()
    outcome = import_outcome(result)
    return outcome if result.is_valid else Rejected(outcome)


def import_outcome(result: workbook.CatalogImportResult) -> dict[str, Any]:
    """What the job's page shows: the counts if the rows were applied, else the problems."""
    return {
        "applied": result.is_valid,
        "created": result.created,
        "updated": result.updated,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "error_count": len(result.errors),
        "errors": [asdict(error) for error in result.errors[:ERRORS_LISTED]],
    }


def forget_old_imports() -> None:
    """Delete the files of imports older than ``KEPT_SECONDS``."""
    cutoff = time.time() - KEPT_SECONDS
    root = imports_dir()
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
