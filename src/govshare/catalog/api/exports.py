"""REST endpoints: the catalog as a file — the Excel workbook, JSON, CSV, and DCAT (JSON-LD).

Each export holds the resources the caller may see, narrowed by the catalog list's simple
filters; DCAT holds the published ones only.
"""

from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from govshare.catalog import exports, workbook
from govshare.catalog.choices import ResourceStatus, ShareType
from govshare.catalog.models import Resource
from govshare.catalog.views.transfer import (
    CSV,
    JSON,
    JSON_LD,
    XLSX,
    dcat_document,
    download,
    export_filename,
)
from govshare.core.api import ObjectId, auth_user, responses

router = Router(tags=["catalog"])

CategoryPrefix = Annotated[str, Field(max_length=20, pattern=r"^[0-9A-Za-z]*$")]
FILE = responses({200: None})


def _resources(
    request: HttpRequest,
    provider: int | None,
    status: ResourceStatus | None,
    share_type: ShareType | None,
    category: str,
) -> QuerySet[Resource]:
    resources = Resource.objects.restrict(auth_user(request), "view")
    return exports.filter_resources(
        resources,
        provider=provider,
        status=status or "",
        share_type=share_type or "",
        category=category,
    )


@router.get("/export.xlsx", response=FILE, summary="Export the catalog workbook")
def export_xlsx(
    request: HttpRequest,
    provider: ObjectId | None = None,
    status: ResourceStatus | None = None,
    share_type: ShareType | None = None,
    category: CategoryPrefix = "",
) -> HttpResponse:
    """The visible resources in the layout of the import template (re-importable)."""
    resources = _resources(request, provider, status, share_type, category)
    return download(workbook.catalog_export(resources), export_filename("xlsx"), XLSX)


@router.get("/export.json", response=FILE, summary="Export the catalog as JSON")
def export_json(
    request: HttpRequest,
    provider: ObjectId | None = None,
    status: ResourceStatus | None = None,
    share_type: ShareType | None = None,
    category: CategoryPrefix = "",
) -> HttpResponse:
    """``{"generated", "count", "resources"}``: each resource's shown version and items."""
    resources = _resources(request, provider, status, share_type, category)
    return download(exports.json_export(resources), export_filename("json"), JSON)


@router.get("/export.csv", response=FILE, summary="Export the catalog as CSV")
def export_csv(
    request: HttpRequest,
    provider: ObjectId | None = None,
    status: ResourceStatus | None = None,
    share_type: ShareType | None = None,
    category: CategoryPrefix = "",
) -> HttpResponse:
    """One row per resource with Chinese headings and labels (UTF-8 with BOM, for Excel)."""
    resources = _resources(request, provider, status, share_type, category)
    return download(exports.csv_export(resources), export_filename("csv"), CSV)


@router.get("/dcat.jsonld", response=FILE, summary="The catalog in DCAT", url_name="catalog_dcat")
def export_dcat(
    request: HttpRequest,
    provider: ObjectId | None = None,
    share_type: ShareType | None = None,
    category: CategoryPrefix = "",
) -> HttpResponse:
    """A dcat:Catalog with one dcat:Dataset per published resource (JSON-LD)."""
    resources = _resources(request, provider, None, share_type, category)
    return download(dcat_document(request, resources), export_filename("jsonld"), JSON_LD)


__all__ = ["router"]
