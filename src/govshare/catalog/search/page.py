"""The ranked page of a catalog search (目录检索): its hits, read through
``Resource.objects.restrict(user, "view")`` and highlighted, with its counts kept until the index
changes (the package's docstring tells how a search is made)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from govshare.catalog.chinese_text import highlight
from govshare.catalog.models import Resource
from govshare.catalog.search.counts import (
    Counts,
    FacetRows,
    count_and_rank_postgresql,
    count_sqlite,
)
from govshare.catalog.search.index import DOC_TABLE, FTS_TABLE, STATE_TABLE
from govshare.catalog.search.query import (
    BLANK,
    CHOICE_FACETS,
    MAX_QUERY_LENGTH,
    Filters,
    Source,
    Visibility,
    all_but,
    clean_filters,
    filter_conditions,
    sources_for,
    visibility,
    where_clause,
)
from govshare.core import alongside
from govshare.core.actors import Actor

COUNTS_CACHE_SECONDS = 600  # and until the index changes (its token is in the key)
SUMMARY_SNIPPET = 160
# Ranking by the FTS index alone (see _top_ranked) reads a quarter more candidates than the
# page needs, plus this many for ties and for matches the user may not see; at most the max.
CANDIDATE_MARGIN = 40
MAX_CANDIDATES = 1000


# --- results --------------------------------------------------------------------------------


class FacetCount(NamedTuple):
    value: str
    label: str
    count: int  # type: ignore[assignment]  # (shadows tuple.count; the name reads best)


@dataclass(frozen=True)
class ResourceHit:
    resource: Resource
    score: float
    name_html: SafeString
    summary_html: SafeString


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: list[ResourceHit]
    facets: dict[str, list[FacetCount]]
    page: int = 1
    per_page: int = 20
    filters: dict[str, list[str]] = field(default_factory=dict)


# --- the search -----------------------------------------------------------------------------


def search(
    user: Actor,
    query: str = "",
    filters: Mapping[str, Any] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Resources ``user`` may see that match ``query`` (Chinese text, or a resource code or its
    prefix) and ``filters`` (facet → value or values: any value of a facet, every facet), best
    first; empty query: by name. Each facet is counted with the other facets' filters."""
    clean = clean_filters(filters or {}, page, per_page)
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    visible = visibility(user)
    if visible is None:
        return SearchResult(0, [], {}, page, per_page, clean)
    for source in sources_for(query):
        counts, ranked = _counted(source, clean, visible, page, per_page)
        if counts.total:
            break  # else the next way, and the last one's (empty) result stands
    page = min(page, max(1, math.ceil(counts.total / per_page)))  # past the end: the last page
    if ranked is None or ranked.page != page:
        ranked = Page(page, _rank(source, clean, visible, page, per_page, counts))
    hits = _hits(user, ranked.rows, source.terms)
    return SearchResult(counts.total, hits, _labelled(counts.facets), page, per_page, clean)


def matching(
    user: Actor, query: str = "", filters: Mapping[str, Any] | None = None
) -> QuerySet[Resource]:
    """Every resource ``user`` may see that ``search`` finds for ``query`` and ``filters``,
    unranked: what an export of a search page holds. The same way of
    answering is taken as the search takes, the first that finds anything."""
    clean = clean_filters(filters or {}, 1, 1)
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    resources = Resource.objects.restrict(user, "view")
    visible = visibility(user)
    if visible is None:
        return resources.none()
    for source in sources_for(query):
        where, params = where_clause(source, clean, visible)
        found = f"SELECT d.resource_id FROM {source.from_sql} WHERE {where}"
        with connection.cursor() as cursor:
            cursor.execute(f"{found} LIMIT 1", params)
            if cursor.fetchone():
                return resources.filter(pk__in=RawSQL(found, tuple(params)))
    return resources.none()


# --- counted, or counted afresh -------------------------------------------------------------


class Page(NamedTuple):
    page: int
    rows: list[tuple[int, float]]  # (resource id, score), best first


def _counted(
    source: Source, filters: Filters, visible: Visibility, page: int, per_page: int
) -> tuple[Counts, Page | None]:
    """The counts of a search, kept until the index changes (its token is in the key): asked
    again (the next page, a popular query), only the ranked page is read. Counted afresh, the
    page comes with them when the same statement can give it."""
    key = _counts_key(source, filters, visible)
    counts = cache.get(key)
    if counts is not None:
        return counts, None
    counts, ranked = _count_and_rank(source, filters, visible, page, per_page)
    cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts, ranked


def _counts_key(source: Source, filters: Filters, visible: Visibility) -> str:
    """Names one search's counts, and the index state they were counted in."""
    shape = (source.from_sql, source.where_sql, source.params)
    return _index_key("counts", shape, sorted(filters.items()), visible)


def _index_key(kind: str, *shape: Any) -> str:
    """A cache key for what ``shape`` names, in the index's present state (its token)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {STATE_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    state = repr((row[0] if row else "", *shape))
    return f"catalog.search.{kind}:{hashlib.sha256(state.encode()).hexdigest()}"


def _count_and_rank(
    source: Source, filters: Filters, visible: Visibility, page: int, per_page: int
) -> tuple[Counts, Page | None]:
    """Total and facet counts, and the ranked page when it comes cheaper together.

    Where a second connection may read beside this one (``core.alongside``), the counts are
    made there while this one ranks the page: on two cores the search then costs about what
    its larger half costs. Otherwise, one after the other:
    SQLite: one pass joining each match to the narrow facet table by rowid, each counted
    expression concatenated and counted here (SQLite would sort the matches once per GROUP BY);
    the page is ranked apart, from the FTS index alone, at the cost of the bare query.
    PostgreSQL: the matches are read from the heap once (the costly part) into a narrow CTE
    that gives both the page and every count (GROUPING SETS, hashed in one pass)."""
    counting = alongside.submit(_count, source, filters, visible)
    if counting is not None:
        rows = _rank_uncounted(source, filters, visible, page, per_page)
        counts = counting.result()
        if rows is None:  # the quick way needed the counts to prove its page
            rows = _rank(source, filters, visible, page, per_page, counts)
        return counts, Page(page, rows)
    if connection.vendor == "sqlite":
        counts = count_sqlite(source, filters, visible)
        return counts, Page(page, _rank(source, filters, visible, page, per_page, counts))
    counts, rows = count_and_rank_postgresql(source, filters, visible, page, per_page)
    return counts, None if rows is None else Page(page, rows)


def _count(source: Source, filters: Filters, visible: Visibility) -> Counts:
    """The counts alone."""
    if connection.vendor == "sqlite":
        return count_sqlite(source, filters, visible)
    unranked = replace(source, score_sql="0", score_params=())  # no page: no score, no name
    return count_and_rank_postgresql(unranked, filters, visible, 1, 1)[0]


# --- ranking --------------------------------------------------------------------------------


def _rank(
    source: Source, filters: Filters, visible: Visibility, page: int, per_page: int, counts: Counts
) -> list[tuple[int, float]]:
    """The page, best first (score, then name, then id; by name when nothing ranks)."""
    offset = (page - 1) * per_page
    if offset >= counts.total:
        return []
    if source.is_fts:
        share = counts.total / max(counts.matched, 1)  # of the visible matches, those filtered in
        need = min(offset + per_page, counts.total)
        ranked = _top_ranked(source, filters, visible, offset, need, share)
        if ranked is not None:
            return ranked
    return _ranked_in_full(source, filters, visible, offset, per_page)


def _rank_uncounted(
    source: Source, filters: Filters, visible: Visibility, page: int, per_page: int
) -> list[tuple[int, float]] | None:
    """The page while its counts are made alongside: the quick way, as if every visible match
    passed the filters (None when it cannot prove the page without the counts), else in full."""
    offset = (page - 1) * per_page
    if source.is_fts:
        return _top_ranked(source, filters, visible, offset, offset + per_page, 1.0)
    return _ranked_in_full(source, filters, visible, offset, per_page)


def _ranked_in_full(
    source: Source, filters: Filters, visible: Visibility, offset: int, limit: int
) -> list[tuple[int, float]]:
    where, params = where_clause(source, filters, visible)
    order = "score DESC, d.name, d.resource_id" if source.is_ranked else "d.name, d.resource_id"
    sql = (
        f"SELECT d.resource_id, {source.score_sql} AS score FROM {source.from_sql} "
        f"WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source.score_params, *params, limit, offset])
        return [(int(pk), float(score or 0)) for pk, score in cursor.fetchall()]


def _top_ranked(
    source: Source, filters: Filters, visible: Visibility, offset: int, need: int, share: float
) -> list[tuple[int, float]] | None:
    """Rows ``offset`` to ``need`` of the ranking, from the best candidates by bm25 on the FTS
    index alone (what the bare query costs), then only those looked up; None when they cannot
    be shown to hold them. ``share``: the part of the visible matches expected to pass the
    filters, which sizes the candidates.

    Every match left out of the candidates scores at most as the last candidate, so the page
    is exact when its last row scores strictly more (ties at the cut go to the full query). A
    ``need`` past the last match (its counts not known yet) is safe: when every match was read
    the rows found are all there is, else it asks for more proof, and None sends the page to
    be ranked again with the counts."""
    candidates = math.ceil(need / share * 1.25) + CANDIDATE_MARGIN
    if candidates > MAX_CANDIDATES:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, {source.score_sql} AS score FROM {FTS_TABLE} "
            f"WHERE {source.where_sql} ORDER BY score DESC LIMIT %s",
            [*source.params, candidates],
        )
        scored = cursor.fetchall()
        names = _eligible_names([pk for pk, _score in scored], filters, visible)
    rows = sorted((-score, names[pk], pk) for pk, score in scored if pk in names)
    # The sort above and the full query's ORDER BY agree: SQLite compares names by BINARY
    # collation, code-point order of UTF-8, which is also Python's order of str.
    if len(scored) == candidates and (len(rows) < need or -rows[need - 1][0] <= scored[-1][1]):
        return None
    return [(pk, -negated) for negated, _name, pk in rows[offset:need]]


def _eligible_names(ids: list[int], filters: Filters, visible: Visibility) -> dict[int, str]:
    """The names of those of ``ids`` the user may see that pass every filter."""
    if not ids:
        return {}
    conditions, params = all_but(filter_conditions(filters), None)
    marks = ", ".join(["%s"] * len(ids))
    where = " AND ".join(filter(None, [f"d.resource_id IN ({marks})", visible[0], conditions]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.resource_id, d.name FROM {DOC_TABLE} d WHERE {where}",
            [*ids, *visible[1], *params],
        )
        return dict(cursor.fetchall())


# What a hit shows (the list page, the API): the version's fields are read from either version.
HIT_VERSION_FIELDS = (
    *("name", "summary", "share_type", "grade", "is_open", "format_class", "update_cycle"),
    *("category__code", "category__name"),
)
HIT_FIELDS = (
    *("code", "status", "provider__name"),
    *(
        f"{version}__{name}"
        for version in ("current_version", "working_version")
        for name in HIT_VERSION_FIELDS
    ),
)


def _hits(user: Actor, ranked: list[tuple[int, float]], terms: Sequence[str]) -> list[ResourceHit]:
    """The page's resources, in rank order, read through restrict() once more (only the fields
    a hit shows: the versions' thirty columns would double the time it takes)."""
    resources = (
        Resource.objects.restrict(user, "view")
        .filter(pk__in=[pk for pk, _score in ranked])
        .select_related("provider", "current_version__category", "working_version__category")
        .only(*HIT_FIELDS)
        .order_by()
    )
    by_id = {r.pk: r for r in resources}
    hits = []
    for pk, score in ranked:
        resource = by_id.get(pk)
        version = resource.shown_version if resource else None
        if resource is None or version is None:
            continue  # deleted since it was indexed
        hits.append(
            ResourceHit(
                resource=resource,
                score=score,
                name_html=highlight(version.name, terms),
                summary_html=highlight(version.summary, terms, SUMMARY_SNIPPET),
            )
        )
    return hits


# --- facet labels ---------------------------------------------------------------------------


def _labelled(facets: FacetRows) -> dict[str, list[FacetCount]]:
    labelled = {}
    for name, counts in facets.items():
        static = STATIC_LABELS.get(name, {})
        values = [
            FacetCount(value, _label(name, value, stored, static), count)
            for value, (count, stored) in counts.items()
        ]
        labelled[name] = sorted(values, key=lambda f: (-f.count, f.value))
    return labelled


def _label(name: str, value: str, stored: str, static: Mapping[str, Any]) -> str:
    if name == "category":
        return f"{value} {stored}".strip()
    return str(static.get(value, stored or value))


STATIC_LABELS: dict[str, dict[str, Any]] = {
    **{name: dict(choices.choices) for name, choices in CHOICE_FACETS.items()},
    "is_open": {"true": gettext_lazy("Open to the public"), "false": gettext_lazy("Not open")},
}
STATIC_LABELS["grade"][BLANK] = gettext_lazy("Not graded")


# --- browsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseCounts:
    """Resources ``user`` may see per classification code (every level) and per provider."""

    categories: dict[str, int]
    providers: dict[int, int]


def browse_counts(user: Actor) -> BrowseCounts:
    """Counted once per index state and visibility (a whole-catalog pass: ~100 ms at 100,000
    resources), like a search's counts."""
    visible = visibility(user)
    if visible is None:
        return BrowseCounts({}, {})
    key = _index_key("browse", visible)
    counts = cache.get(key)
    if counts is None:
        counts = _browse_counts(visible)
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def _browse_counts(visible: Visibility) -> BrowseCounts:
    sql = (
        f"SELECT 'c', category_code, COUNT(*) FROM {DOC_TABLE} d WHERE {visible[0]} "
        f"GROUP BY category_code UNION ALL "
        f"SELECT 'p', CAST(provider_id AS TEXT), COUNT(*) FROM {DOC_TABLE} d WHERE {visible[0]} "
        f"GROUP BY provider_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*visible[1], *visible[1]])
        rows = cursor.fetchall()
    categories: dict[str, int] = {}
    providers: dict[int, int] = {}
    for kind, value, count in rows:
        if kind == "p":
            providers[int(value)] = int(count)
            continue
        for length in sorted({1, 3, 6, len(value)}):  # roll up to 类, 项, 目 and the node itself
            if length <= len(value):
                categories[value[:length]] = categories.get(value[:length], 0) + int(count)
    return BrowseCounts(categories, providers)
