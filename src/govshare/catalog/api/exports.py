"""REST endpoints: the catalog as a file — the Excel workbook, JSON, CSV, and DCAT (JSON-LD).

Each export holds the resources the caller may see, narrowed by the catalog list's simple
filters; DCAT holds the published ones only.
"""

from collections.abc import Callable
from typing import Annotated, Any

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
from govshare.core.api import auth_user, responses
from govshare.core.api_inputs import ObjectId

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


def _file_export(render: Callable[[QuerySet[Resource]], bytes], extension: str, kind: str) -> Any:
    def endpoint(request: HttpRequest, filters: Query[CatalogFilter]) -> HttpResponse:
        content = render(_resources(request, filters))
        return export_download(content, extension, kind)

    return endpoint


# path, renderer, file extension, content type, summary, description
FILE_EXPORTS = (
    ("/export.xlsx", workbook.catalog_export, "xlsx", XLSX, "Export the catalog workbook",
     "The visible resources in the layout of the import template (re-importable)."),
    ("/export.json", exports.json_export, "json", JSON, "Export the catalog as JSON",
     '``{"generated", "count", "resources"}``: each resource\'s shown version and items.'),
    ("/export.csv", exports.csv_export, "csv", CSV, "Export the catalog as CSV",
     "One row per resource with Chinese headings and labels (UTF-8 with BOM, for Excel)."),
)  # fmt: skip
for _path, _render, _extension, _kind, _summary, _description in FILE_EXPORTS:
    router.get(
        _path,
        response=FILE,
        summary=_summary,
        description=_description,
        operation_id=f"catalog_export_{_extension}",
    )(_file_export(_render, _extension, _kind))


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
