"""Pages: the searchable resource list with facets, and browsing by classification and
department. Both read through ``catalog.search``, restricted to the user.

Facet values are toggles: each is a link that adds its value to the query string, or takes it
away when chosen, so several values of one facet can be chosen (any of them matches) without
JavaScript (the site's CSP allows no inline script)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy

from govshare.catalog.models import Category
from govshare.catalog.search.page import ResourceHit, browse_counts, search
from govshare.catalog.search.query import FACETS, clean_filters
from govshare.orgs.models import Department

PER_PAGE = 20
FACET_TITLES: dict[str, Any] = {
    "resource_class": gettext_lazy("Resource class"),
    "category": gettext_lazy("Classification"),
    "provider": gettext_lazy("Provider"),
    "share_type": gettext_lazy("Share type"),
    "is_open": gettext_lazy("Open to the public"),
    "format_class": gettext_lazy("Format"),
    "update_cycle": gettext_lazy("Update cycle"),
    "grade": gettext_lazy("Grade"),
    "mount_status": gettext_lazy("Mount status"),
    "status": gettext_lazy("Status"),
}


class _CountedHits(Sequence[ResourceHit]):
    """The page of hits posing as the whole result, so Django's Paginator can number pages."""

    def __init__(self, total: int, hits: list[ResourceHit], offset: int) -> None:
        self.total, self.hits, self.offset = total, hits, offset

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self.hits
        return self.hits[index - self.offset]

    def __iter__(self) -> Iterator[ResourceHit]:
        return iter(self.hits)


@dataclass(frozen=True)
class FacetLink:
    value: str
    label: str
    count: int
    url: str  # this page with the value added to the facet's, or taken away when chosen
    is_active: bool


@dataclass(frozen=True)
class ActiveFilter:
    title: Any
    label: str
    remove_url: str


@login_required
def resource_list(request: HttpRequest) -> HttpResponse:
    """Search box, facets with counts, active filters, ranked and highlighted results."""
    query = request.GET.get("q", "").strip()
    filters, errors = _filters(request.GET)
    result = search(request.user, query, filters, _page_number(request.GET), PER_PAGE)
    counted = _CountedHits(result.total, result.hits, (result.page - 1) * PER_PAGE)
    page: Page = Paginator(counted, PER_PAGE).get_page(result.page)
    facets = [
        {
            "name": name,
            "title": FACET_TITLES[name],
            "values": _links(request.GET, name, counts, filters.get(name, [])),
            "clear_url": _url_with(request.GET, name, []) if name in filters else "",
        }
        for name, counts in result.facets.items()
        if counts
    ]
    context = {
        "query": query,
        "result": result,
        "facets": facets,
        "active_filters": _active(request.GET, result.facets, filters),
        "filter_errors": errors,
        "export_query": _export_query(query, filters),
        "page_obj": page,
        "querystring_without_page": _querystring_without_page(request.GET),
    }
    return render(request, "catalog/search/resource_list.html", context)


def _filters(params: QueryDict) -> tuple[dict[str, list[str]], list[str]]:
    """Each facet filter of the query string that is valid; the messages of those that are not."""
    filters, errors = {}, []
    for name in FACETS:
        values = [v for v in params.getlist(name) if v != ""]
        if not values:
            continue
        try:
            filters.update(clean_filters({name: values}, 1, PER_PAGE))
        except ValidationError as error:
            errors += [f"{FACET_TITLES[name]}: {m}" for m in error.message_dict.get(name, [])]
    return filters, errors


def _export_query(query: str, filters: dict[str, list[str]]) -> str:
    """The exports' query string: this page's text and valid filters (the ones it applied)."""
    pairs = [("q", query)] if query else []
    pairs += [(name, value) for name, values in filters.items() for value in values]
    return urlencode(pairs)


def _querystring_without_page(params: QueryDict) -> str:
    encoded = _without_page(params).urlencode()
    return f"{encoded}&" if encoded else ""


def _page_number(params: QueryDict) -> int:
    raw = params.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 7 and int(raw) else 1


def _without_page(params: QueryDict) -> QueryDict:
    query = params.copy()
    query.pop("page", None)
    return query


def _url_with(params: QueryDict, name: str, values: list[str]) -> str:
    """This page's URL with facet ``name`` set to ``values``, back on page 1."""
    query = _without_page(params)
    query.setlist(name, values)
    return "?" + query.urlencode()


def _links(params: QueryDict, name: str, counts: list[Any], chosen: list[str]) -> list[FacetLink]:
    """A link per facet value that toggles it: adds it to the facet's chosen values, or takes
    it away (``chosen`` as the search understood them: one spelling per value)."""
    return [
        FacetLink(
            value,
            label,
            count,
            _url_with(
                params,
                name,
                [v for v in chosen if v != value] if value in chosen else [*chosen, value],
            ),
            value in chosen,
        )
        for value, label, count in counts
    ]


def _active(
    params: QueryDict, facets: dict[str, list[Any]], filters: dict[str, list[str]]
) -> list[ActiveFilter]:
    active = []
    for name, values in filters.items():
        labels = {value: label for value, label, _count in facets.get(name, [])}
        for value in values:
            rest = [v for v in values if v != value]
            active.append(
                ActiveFilter(
                    FACET_TITLES[name], labels.get(value, value), _url_with(params, name, rest)
                )
            )
    return active


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    """The classification tree (类/项/目) and the departments, each with its resource count."""
    counts = browse_counts(request.user)
    nodes = {c.code: c for c in Category.objects.restrict(request.user, "view").order_by("code")}
    tree = [
        _node(category, nodes, counts.categories)
        for category in nodes.values()
        if category.parent_id is None
    ]
    departments = [
        {"department": d, "count": counts.providers.get(d.pk, 0)}
        for d in Department.objects.restrict(request.user, "view")
        .filter(pk__in=list(counts.providers))
        .order_by("name")
    ]
    context = {"tree": tree, "departments": departments}
    return render(request, "catalog/search/browse.html", context)


def _node(category: Category, nodes: dict[str, Category], counts: dict[str, int]) -> dict:
    children = [c for c in nodes.values() if c.parent_id == category.pk and c.level <= 3]
    return {
        "category": category,
        "count": counts.get(category.code, 0),
        "children": [_node(child, nodes, counts) for child in children],
    }


urlpatterns: list[URLPattern] = [
    path("resources/", resource_list, name="resource_list"),
    path("browse/", browse, name="browse"),
]
