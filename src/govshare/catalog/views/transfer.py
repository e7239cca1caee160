"""Pages: the catalog workbook (template, import, export) and the JSON, CSV and DCAT exports.

The import acts for the user's active department, where they must be data officer. The upload
is imported by a background job (``catalog.tasks``) that applies every row or none; the job's
page follows its progress and then shows what was applied, or lists the problems and offers the
error workbook. Only the uploader (and those who see every job: admins, auditors) see it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from govshare.catalog import exports, tasks, workbook
from govshare.catalog.forms import ImportForm
from govshare.catalog.models import Resource
from govshare.catalog.search import page as search
from govshare.catalog.search.query import FACETS
from govshare.core.actors import Actor
from govshare.core.models import Job
from govshare.core.permissions import require
from govshare.core.text import join_sentences
from govshare.core.web.downloads import CSV, XLSX, attachment
from govshare.core.web.pages import signed_in_user
from govshare.orgs.models import Department
from govshare.orgs.selectors import node_name

JSON = "application/json"
JSON_LD = "application/ld+json"
RECENT_IMPORTS = 5  # the user's own, listed on the import page
# The names of the downloads, in the user's language (issue 12 item 7).
EXPORT_NAME = gettext_lazy("Information resource catalog")
TEMPLATE_NAME = gettext_lazy("Catalog workbook")
ERRORS_NAME = gettext_lazy("Catalog workbook, problems marked")


# --- helpers --------------------------------------------------------------------------------


def export_download(content: bytes, extension: str, content_type: str) -> HttpResponse:
    """An export of the catalog, named by the day it was made."""
    suffix = f"-{timezone.localdate():%Y%m%d}"
    return attachment(content, content_type, EXPORT_NAME, suffix=suffix, extension=extension)


def filtered_resources(request: HttpRequest) -> QuerySet[Resource]:
    """What the catalog list shows for the same query string — its text and every facet, several
    values each — unranked; a ValidationError names a bad parameter."""
    filters = {name: request.GET.getlist(name) for name in FACETS if request.GET.getlist(name)}
    return search.matching(request.user, request.GET.get("q", ""), filters)


def importing_department(request: HttpRequest) -> Department:
    """The active department, where the user must be data officer to import."""
    department_id = getattr(request, "active_department_id", None)
    if department_id is None:
        raise PermissionDenied
    department = get_object_or_404(Department, pk=department_id)
    require(request.user, "add", Resource(provider=department))
    return department


def import_jobs(user: Actor) -> QuerySet[Job]:
    """The catalog imports ``user`` may see: the jobs' own rule (their own; admins all)."""
    path = tasks.import_catalog_workbook.module_path
    return Job.objects.restrict(user, "view").filter(task_path=path)


# --- views ----------------------------------------------------------------------------------


@login_required
@require_GET
def template(request: HttpRequest) -> HttpResponse:
    return attachment(workbook.catalog_template(), XLSX, TEMPLATE_NAME, extension="xlsx")


@login_required
def catalog_import(request: HttpRequest) -> HttpResponse:
    """Upload the catalog workbook for the active department; a job imports it."""
    user = signed_in_user(request)
    department = importing_department(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        job = tasks.catalog_import_start(actor=user, provider=department, content=content)
        return redirect("catalog:import_job", pk=job.pk)
    own_imports = import_jobs(user).filter(created_by=user)
    context = {
        "form": form,
        "department": department,
        "recent_imports": own_imports[:RECENT_IMPORTS],
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/transfer/import.html", context, status=status)


@login_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress, then its outcome (polled by htmx while the job runs)."""
    job = get_object_or_404(import_jobs(request.user), pk=pk)
    ended = (Job.Status.SUCCEEDED, Job.Status.REJECTED)
    outcome = job.result if job.status in ended else None
    context = {
        "job": job,
        "is_running": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
        "outcome": outcome,
        "summary": _import_summary(outcome) if outcome and outcome["applied"] else "",
        "has_error_workbook": bool(outcome and tasks.error_workbook_path(job)),
    }
    is_poll = request.headers.get("HX-Request")
    template = "import_job_status.html" if is_poll else "import_job.html"
    return render(request, f"catalog/transfer/{template}", context)


def _import_summary(outcome: dict[str, Any]) -> str:
    return _(
        "The catalog workbook was imported: %(created)s new drafts, %(updated)s drafts updated, "
        "%(changed)s published resources changed in a new version, %(unchanged)s unchanged."
    ) % {name: outcome[name] for name in ("created", "updated", "changed", "unchanged")}


@login_required
@require_GET
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    """The error workbook of an import that applied nothing."""
    job = get_object_or_404(import_jobs(request.user), pk=pk)
    path = tasks.error_workbook_path(job)
    if path is None:
        raise Http404
    return attachment(path.read_bytes(), XLSX, ERRORS_NAME, extension="xlsx")


def _export_view(render_export: Any, extension: str, content_type: str) -> Any:
    @login_required
    @require_GET
    def view(request: HttpRequest) -> HttpResponse:
        try:
            resources = filtered_resources(request)
        except ValidationError as error:
            return HttpResponseBadRequest(join_sentences(error.messages))
        content = render_export(request, resources)
        return export_download(content, extension, content_type)

    return view


def dcat_document(request: HttpRequest, resources: QuerySet[Resource]) -> bytes:
    """The DCAT catalog, with identifiers under the node's catalog API."""
    base = request.build_absolute_uri(reverse("api-v1:catalog_dcat")).rsplit("/", 1)[0]
    return exports.dcat_export(resources, base_url=base, title=f"{node_name()}政务信息资源目录")


export_xlsx = _export_view(lambda _r, qs: workbook.catalog_export(qs), "xlsx", XLSX)
export_json = _export_view(lambda _r, qs: exports.json_export(qs), "json", JSON)
export_csv = _export_view(lambda _r, qs: exports.csv_export(qs), "csv", CSV)
export_dcat = _export_view(dcat_document, "jsonld", JSON_LD)

urlpatterns: list[URLPattern] = [
    path("transfer/template.xlsx", template, name="template"),
    path("transfer/import/", catalog_import, name="import"),
    path("transfer/import/<int:pk>/", import_job, name="import_job"),
    path("transfer/import/<int:pk>/errors.xlsx", import_job_errors, name="import_job_errors"),
    path("transfer/export.xlsx", export_xlsx, name="export"),
    path("transfer/export.json", export_json, name="export_json"),
    path("transfer/export.csv", export_csv, name="export_csv"),
    path("transfer/dcat.jsonld", export_dcat, name="export_dcat"),
]
