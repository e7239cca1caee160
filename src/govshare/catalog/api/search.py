"""REST endpoint of catalog search: GET /api/v1/catalog/resources?q=&<facet>=&page=.

The same ``catalog.search.page.search`` the resource list page uses: restricted to the caller,
ranked, highlighted, with every facet counted over the matching set. A facet parameter may be
repeated (``share_type=conditional&share_type=unconditional``): any of its values matches, and
every facet given must match; each facet is counted with the other facets' filters only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from govshare.catalog.api import resources as resources_api
from govshare.catalog.choices import (
    FormatClass,
    Grade,
    MountStatus,
    ResourceClass,
    ResourceStatus,
    ShareType,
    UpdateCycle,
)
from govshare.catalog.search.page import ResourceHit, SearchResult, search
from govshare.catalog.search.query import FACETS, MAX_PER_PAGE, MAX_QUERY_LENGTH
from govshare.core.web.api import auth_user, responses
from govshare.core.web.api_inputs import PLAIN_TEXT, ObjectId

router = Router(tags=["catalog"])  # mounted at /api/v1/catalog/; see resource_search's route

MAX_PAGE = 10_000
SearchText = Annotated[str, Field(max_length=MAX_QUERY_LENGTH), PLAIN_TEXT]
CategoryCode = Annotated[str, Field(max_length=20, pattern=r"^[0-9A-Za-z]+$"), PLAIN_TEXT]


def _on_the_parameter(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A bad value of a repeated parameter, reported on the parameter itself: ninja would name
    a list item's error after the handler's argument ("params.share_type.1")."""
    try:
        return handler(value)
    except ValidationError as error:
        first = error.errors()[0]
        raise PydanticCustomError(first["type"], first["msg"], first.get("ctx")) from None


Repeated = WrapValidator(_on_the_parameter)


class SearchParams(Schema):
    """The query, the page, and any number of values per facet (repeat the parameter)."""

    q: SearchText = Field("", description="Chinese text, a resource code, or a code's front part")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)
    resource_class: Annotated[list[ResourceClass] | None, Repeated] = Field(
        None, description="类: 1 base, 2 theme, 3 dept"
    )
    category: Annotated[list[CategoryCode] | None, Repeated] = Field(
        None, description="Classification code, any level"
    )
    provider: Annotated[list[ObjectId] | None, Repeated] = Field(
        None, description="Provider department id"
    )
    share_type: Annotated[list[ShareType] | None, Repeated] = None
    is_open: Annotated[list[bool] | None, Repeated] = None
    format_class: Annotated[list[FormatClass] | None, Repeated] = None
    update_cycle: Annotated[list[UpdateCycle] | None, Repeated] = None
    grade: Annotated[list[Grade | Literal["none"]] | None, Repeated] = Field(
        None, description='Grade; "none": not graded yet'
    )
    mount_status: Annotated[list[MountStatus] | None, Repeated] = None
    status: Annotated[list[ResourceStatus] | None, Repeated] = None

    def filters(self) -> dict[str, list[str]]:
        values = self.model_dump(include=set(FACETS), exclude_none=True)
        return {name: [_text(value) for value in chosen] for name, chosen in values.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class ProviderOut(Schema):
    id: int
    name: str


class HitOut(Schema):
    id: int
    code: str | None
    name: str
    name_html: str = Field(description="The name as HTML: matches in <mark>, the rest escaped")
    summary_html: str = Field(description="The summary (cut around the first match) as HTML")
    provider: ProviderOut
    category: str
    share_type: str
    share_type_label: str
    is_open: bool
    format_class: str
    update_cycle: str
    grade: str
    status: str
    score: float


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    total: int
    page: int
    per_page: int
    items: list[HitOut]
    facets: dict[str, list[FacetValueOut]]
    filters: dict[str, list[str]] = Field(description="The facet values applied, facet by facet")


def resource_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Resources the caller may see matching ``q`` (segmented with jieba; every word must
    match) and the facet filters (any value of a facet, every facet given), best first; an
    empty ``q`` lists them by name. ``facets`` counts each facet's values over the matching
    set with the other facets' filters applied but not its own, so a chosen value's
    alternatives keep their counts; chosen values are always listed."""
    result = search(auth_user(request), params.q, params.filters(), params.page, params.per_page)
    return _body(result)


# ninja routes a path by the first router that declares it: were this GET on its own router,
# it would shadow POST /resources (drafting, in api/resources.py) with a 405, or be shadowed by
# it. So it joins the router that owns the path.
resources_api.router.add_api_operation(
    "/resources",
    ["GET"],
    resource_search,
    response=responses({200: SearchOut}),
    summary="Search resources",
)


def _body(result: SearchResult) -> dict[str, Any]:
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": [_item(hit) for hit in result.hits],
        "facets": {
            name: [{"value": v, "label": label, "count": n} for v, label, n in counts]
            for name, counts in result.facets.items()
        },
        "filters": result.filters,
    }


def _item(hit: ResourceHit) -> dict[str, Any]:
    resource, version = hit.resource, hit.resource.shown_version
    assert version is not None  # search returns only resources with a version to show
    return {
        "id": resource.pk,
        "code": resource.code,
        "name": version.name,
        "name_html": str(hit.name_html),
        "summary_html": str(hit.summary_html),
        "provider": {"id": resource.provider_id, "name": resource.provider.name},
        "category": version.category.code,
        "share_type": version.share_type,
        "share_type_label": str(version.get_share_type_display()),
        "is_open": version.is_open,
        "format_class": version.format_class,
        "update_cycle": version.update_cycle,
        "grade": version.grade,
        "status": resource.status,
        "score": hit.score,
    }


__all__ = ["router"]
