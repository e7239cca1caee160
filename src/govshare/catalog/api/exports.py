"""REST endpoints: the catalog as a file — the Excel workbook, JSON, CSV, and DCAT (JSON-LD).

Each export holds the resources the caller may see, narrowed by the catalog list's simple
filters; DCAT holds the published ones only.
"""

from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from govshare.catalog import exports, workbook
from govshare.catalog.choices import ResourceStatus, ShareType
from govshare.catalog.models import Resource
from govshare.catalog.views.transfer import (
    CSV,
    JSON,
    JSON_LD,
    XLSX,
    dcat_document,
    export_download,
)
from govshare.core.web.api import auth_user, responses
from govshare.core.web.api_inputs import ObjectId

router = Router(tags=["catalog"])

CategoryPrefix = Annotated[str, Field(max_length=20, pattern=r"^[0-9A-Za-z]*$")]
FILE = responses({200: None})


class CatalogFilter(Schema):
    """The catalog list's simple filters, as query parameters."""

    provider: ObjectId | None = None
    status: ResourceStatus | None = None
    share_type: ShareType | None = None
    category: CategoryPrefix = ""


def _resources(request: HttpRequest, filters: CatalogFilter) -> QuerySet[Resource]:
    resources = Resource.objects.restrict(auth_user(request), "view")
    return exports.filter_resources(
        resources,
        provider=filters.provider,
        status=filters.status or "",
        share_type=filters.share_type or "",
        category=filters.category,
    )


@router.get(
    "/export.xlsx",
    response=FILE,
    summary="Export the catalog workbook",
    operation_id="catalog_export_xlsx",
)
def export_xlsx(request: HttpRequest, filters: Query[CatalogFilter]) -> HttpResponse:
    """The visible resources in the layout of the import template (re-importable)."""
    content = workbook.catalog_export(_resources(request, filters))
    return export_download(content, "xlsx", XLSX)


@router.get(
    "/export.json",
    response=FILE,
    summary="Export the catalog as JSON",
    operation_id="catalog_export_json",
)
def export_json(request: HttpRequest, filters: Query[CatalogFilter]) -> HttpResponse:
    """``{"generated", "count", "resources"}``: each resource's shown version and items."""
    content = exports.json_export(_resources(request, filters))
    return export_download(content, "json", JSON)


@router.get(
    "/export.csv",
    response=FILE,
    summary="Export the catalog as CSV",
    operation_id="catalog_export_csv",
)
def export_csv(request: HttpRequest, filters: Query[CatalogFilter]) -> HttpResponse:
    """One row per resource with Chinese headings and labels (UTF-8 with BOM, for Excel)."""
    content = exports.csv_export(_resources(request, filters))
    return export_download(content, "csv", CSV)


@router.get("/dcat.jsonld", response=FILE, summary="The catalog in DCAT", url_name="catalog_dcat")
def export_dcat(
    request: HttpRequest,
    provider: ObjectId | None = None,
    share_type: ShareType | None = None,
    category: CategoryPrefix = "",
) -> HttpResponse:
    """A dcat:Catalog with one dcat:Dataset per published resource (JSON-LD)."""
    filters = CatalogFilter(provider=provider, share_type=share_type, category=category)
    resources = _resources(request, filters)
    return export_download(dcat_document(request, resources), "jsonld", JSON_LD)


__all__ = ["router"]
