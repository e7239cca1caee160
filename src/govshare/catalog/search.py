"""Chinese full-text search of the catalog (目录检索): the index, the query, facets and highlights.

One index row per resource holds the jieba-segmented text of the shown version (the one in force,
else the draft): name, keywords, summary and data-item names; the code; and the facet fields.
Text is segmented in Python so both databases see the same space-separated tokens
(DESIGN.md "Chinese search"; stack.md §3: SQLite's trigram tokenizer silently finds nothing for
two-character words, so it is not used):

- SQLite: ``catalog_search_doc`` (facets) plus an FTS5 ``unicode61`` table ranked by bm25;
- PostgreSQL: ``catalog_search_doc`` with a weighted ``to_tsvector('simple', …)`` (GIN), ranked
  by ts_rank, and a pg_trgm index on the name for substring matching.

The tables are created by migration 0003 in raw SQL (no model: they are an index, rebuilt from
the catalog at will). Services keep them fresh by calling ``reindex_resource`` after each write;
``reindex_all`` rebuilds everything. What a user may see is ``Resource.objects.restrict(user,
"view")``, the one authorization path: its filter is applied to every count, and the page's
resources are read through it again.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.catalog.chinese_text import (
    Clause,
    fts5_match,
    highlight,
    initials,
    parse_query,
    pg_tsquery,
    segment,
)
from govshare.catalog.choices import (
    FormatClass,
    Grade,
    MountStatus,
    ResourceClass,
    ResourceStatus,
    ShareType,
    UpdateCycle,
)
from govshare.catalog.models import Category, DataItem, Mount, Resource
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.orgs.models import Department

DOC_TABLE = "catalog_search_doc"
FTS_TABLE = "catalog_search_fts"
STATE_TABLE = "catalog_search_state"
COUNTS_CACHE_SECONDS = 600  # and until the index changes (its token is in the key)
MAX_PER_PAGE = 200
MAX_QUERY_LENGTH = 100
SUMMARY_SNIPPET = 160
# bm25 column weights (name, keywords, summary, items): a word in the name outranks the same
# word in the body, so name matches come first.
BM25_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# A resource code or its prefix: 前段码 digits and letters, optionally "/" and 后段码 digits.
CODE_QUERY = re.compile(r"^[0-9][0-9A-Za-z]*(?:/[0-9]*)?$")

# Facet name → index column. 类 is the first digit of the classification code, 项 the first three.
FACETS: dict[str, str] = {
    "resource_class": "class_code",
    "category": "item_code",
    "provider": "provider_id",
    "share_type": "share_type",
    "is_open": "is_open",
    "format_class": "format_class",
    "update_cycle": "update_cycle",
    "grade": "grade",
    "mount_status": "mount_status",
    "status": "status",
}
CHOICE_FACETS: dict[str, Any] = {
    "resource_class": ResourceClass,
    "share_type": ShareType,
    "format_class": FormatClass,
    "update_cycle": UpdateCycle,
    "grade": Grade,
    "mount_status": MountStatus,
    "status": ResourceStatus,
}
# Facets counted together, so SQLite sorts the matching set four times rather than ten; each
# group has at most a few hundred combinations.
FACET_GROUPS: tuple[tuple[str, ...], ...] = (
    ("class_code", "share_type", "is_open", "mount_status", "status"),
    ("format_class", "update_cycle", "grade"),
    ("provider_id",),
    ("item_code",),
)
FACET_OF_COLUMN = {column: name for name, column in FACETS.items()}
LABEL_SQL = {
    "provider_id": f"(SELECT p.name FROM {Department._meta.db_table} p WHERE p.id = m.provider_id)",
    "item_code": f"(SELECT c.name FROM {Category._meta.db_table} c WHERE c.code = m.item_code)",
}
# Resource columns copied into the index row for restrict()'s filter: resource column → copy.
MIRRORED_COLUMNS = {
    "id": "resource_id",
    "provider_id": "provider_id",
    "current_version_id": "current_version_id",
}
BOOLEAN_VALUES = {"true": 1, "1": 1, "false": 0, "0": 0}


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


# --- indexing -------------------------------------------------------------------------------


class IndexRow(NamedTuple):
    resource_id: int
    code: str | None
    name: str
    summary: str
    category_code: str
    class_code: str
    item_code: str
    provider_id: int
    share_type: str
    is_open: int
    format_class: str
    update_cycle: str
    grade: str
    mount_status: str
    status: str
    current_version_id: int | None
    name_text: str
    keywords_text: str
    summary_text: str
    items_text: str


DOC_COLUMNS = IndexRow._fields[:16]


def reindex_resource(resource_id: int) -> None:
    """Bring one resource's index row up to date (call after every write to it, on commit)."""
    reindex_resources([resource_id])


def reindex_resources(resource_ids: Iterable[int]) -> None:
    ids = list(resource_ids)
    rows = index_rows(Resource.objects.filter(pk__in=ids))
    with transaction.atomic():
        _delete(ids)
        _insert(rows)
        _touch()


def reindex_all(batch_size: int = 2000) -> int:
    """Rebuild the whole index from the catalog; the number of resources indexed."""
    ids = list(Resource.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DOC_TABLE}")
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
        for start in range(0, len(ids), batch_size):
            _insert(index_rows(Resource.objects.filter(pk__in=ids[start : start + batch_size])))
        _touch()
    return len(ids)


def index_rows(resources: QuerySet[Resource]) -> list[IndexRow]:
    """Index rows of ``resources`` (those with a version to show)."""
    resources = resources.select_related(
        "current_version__category", "working_version__category"
    ).order_by()
    shown = {r: v for r in resources if (v := r.shown_version) is not None}
    loaded, version_ids = list(shown), [v.pk for v in shown.values()]
    items: dict[int, list[str]] = {}
    for version_id, name in (
        DataItem.objects.filter(version_id__in=version_ids)
        .order_by("version_id", "position")
        .values_list("version_id", "name")
    ):
        items.setdefault(version_id, []).append(name)
    mounts: dict[int, set[str]] = {}
    for resource_id, status in Mount.objects.filter(resource__in=loaded).values_list(
        "resource_id", "status"
    ):
        mounts.setdefault(resource_id, set()).add(status)
    return [_row(r, items.get(v.pk, []), mounts.get(r.pk, set())) for r, v in shown.items()]


def _row(resource: Resource, item_names: list[str], mount_statuses: set[str]) -> IndexRow:
    version = resource.shown_version
    assert version is not None
    code = version.category.code
    return IndexRow(
        resource_id=resource.pk,
        code=resource.code or None,
        name=version.name,
        summary=version.summary,
        category_code=code,
        class_code=code[:1],
        item_code=code[:3],
        provider_id=resource.provider_id,
        share_type=version.share_type,
        is_open=int(version.is_open),
        format_class=version.format_class,
        update_cycle=version.update_cycle,
        grade=version.grade or "",
        mount_status=mount_status(mount_statuses),
        status=resource.status,
        current_version_id=resource.current_version_id,
        name_text=f"{segment(version.name)} {initials(version.name)}".strip(),
        keywords_text=segment(version.keywords),
        summary_text=segment(version.summary),
        items_text=" ".join(segment(name) for name in item_names),
    )


def mount_status(statuses: set[str]) -> str:
    """已挂接 if any slot is mounted, 异常 if any is failing, else 未挂接."""
    for status in (MountStatus.MOUNTED, MountStatus.FAILING):
        if status in statuses:
            return str(status)
    return str(MountStatus.UNMOUNTED)


def _delete(ids: Sequence[int]) -> None:
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DOC_TABLE} WHERE resource_id IN ({marks})", ids)
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)


def _insert(rows: Sequence[IndexRow]) -> None:
    if not rows:
        return
    doc_marks = ", ".join(["%s"] * len(DOC_COLUMNS))
    columns = ", ".join(DOC_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(
                f"INSERT INTO {DOC_TABLE} ({columns}) VALUES ({doc_marks})",
                [row[: len(DOC_COLUMNS)] for row in rows],
            )
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, name, keywords, summary, items) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(r.resource_id, *r[len(DOC_COLUMNS) :]) for r in rows],
            )
            return
        document = " || ".join(
            f"setweight(to_tsvector('simple', %s), '{weight}')" for weight in "ABCD"
        )
        cursor.executemany(
            f"INSERT INTO {DOC_TABLE} ({columns}, document) VALUES ({doc_marks}, {document})",
            rows,
        )


# --- querying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where matching rows come from: FROM/WHERE fragments, a score, and the words to mark."""

    from_sql: str
    where_sql: str
    params: tuple[Any, ...]  # in the order they appear: score, FROM, WHERE
    score_sql: str = "0"
    terms: tuple[str, ...] = ()


def search(
    user: Any,
    query: str = "",
    filters: Mapping[str, Any] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> SearchResult:
    """Resources ``user`` may see that match ``query`` (Chinese text, or a resource code or its
    prefix) and ``filters`` (facet → value or values), best first; empty query: by name."""
    clean = clean_filters(filters or {}, page, per_page)
    query = (query or "").strip()[:MAX_QUERY_LENGTH]
    visible = _visibility(user)
    if visible is None:
        return SearchResult(0, [], {}, page, per_page, clean)
    for source in _sources(query):
        total, ranked, facets = _run(source, clean, visible, page, per_page)
        if total and not ranked and page > 1:  # past the last page: show the last one
            page = (total + per_page - 1) // per_page
            total, ranked, facets = _run(source, clean, visible, page, per_page)
        if total or source is None:
            break
    hits = _hits(user, ranked, source.terms if source else ())
    return SearchResult(total, hits, _labelled(facets), page, per_page, clean)


def clean_filters(filters: Mapping[str, Any], page: int, per_page: int) -> dict[str, list[str]]:
    """Filters as facet → list of values, or a ValidationError naming each bad one."""
    errors = ErrorCollector()
    if not isinstance(page, int) or page < 1:
        errors.add("page", _("Enter a page number of 1 or more."), ErrorCode.INVALID)
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        errors.add("per_page", _("Enter a page size from 1 to 200."), ErrorCode.INVALID)
    clean: dict[str, list[str]] = {}
    for name, raw in filters.items():
        values = [str(v) for v in (raw if isinstance(raw, list | tuple | set) else [raw])]
        values = [v for v in values if v != ""]
        if name not in FACETS:
            errors.add(name, _("Unknown filter."), ErrorCode.INVALID)
        elif values and not all(_valid_value(name, v) for v in values):
            errors.add(name, _("Select a valid choice."), ErrorCode.INVALID)
        elif values:
            clean[name] = values
    errors.raise_if_any()
    return clean


def _valid_value(name: str, value: str) -> bool:
    if name in CHOICE_FACETS:
        return value in CHOICE_FACETS[name].values
    if name == "provider":
        return value.isascii() and value.isdigit() and len(value) < 19
    if name == "is_open":
        return value in BOOLEAN_VALUES
    return value.isascii() and value.isalnum() and len(value) <= 20  # category code


def _visibility(user: Any) -> tuple[str, tuple[Any, ...]] | None:
    """restrict()'s own filter as SQL on the index row ``d``; None when nothing is visible.

    The index keeps a copy of the resource columns the policy reads (provider, version in
    force), so the filter runs on the row itself; a filter that reads anything else is applied
    as an EXISTS on the resource instead (correct, only slower)."""
    resources = Resource.objects.restrict(user, "view")
    query = resources.query
    if query.is_empty():
        return None
    if not query.where:
        return "1 = 1", ()
    sql, params = query.get_compiler(connection=connection).compile(query.where)
    table = f"{connection.ops.quote_name(Resource._meta.db_table)}."
    references = set(re.findall(r'("\w+"\.)"(\w+)"', sql))
    if all(t == table and column in MIRRORED_COLUMNS for t, column in references):
        for column, mirror in MIRRORED_COLUMNS.items():
            sql = sql.replace(f'{table}"{column}"', f"d.{mirror}")
        return f"({sql})", tuple(params)
    correlated = (
        resources.filter(pk=RawSQL("d.resource_id", (), output_field=IntegerField()))
        .order_by()
        .values("pk")
    )
    sql, params = correlated.query.sql_with_params()
    return f"EXISTS ({sql})", tuple(params)


def _sources(query: str) -> list[Source | None]:
    """Ways to answer ``query``, tried in order until one finds something."""
    if not query:
        return [None]
    sources: list[Source | None] = []
    if CODE_QUERY.match(query):
        sources.append(_code_source(query.upper()))
    clauses = parse_query(query)
    if clauses:
        sources.append(_text_source(clauses))
    sources.append(_substring_source(query))
    return sources


def _code_source(prefix: str) -> Source:
    exact = "CASE WHEN d.code = %s THEN 1 ELSE 0 END"
    params: tuple[str, ...]
    if connection.vendor == "sqlite":  # a range scan of the code index (BINARY collation)
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        where, params = "d.code >= %s AND d.code < %s", (prefix, prefix, upper)
    else:
        where, params = "d.code LIKE %s", (prefix, f"{prefix}%")
    return Source(f"{DOC_TABLE} d", where, params, exact)


def _text_source(clauses: Sequence[Clause]) -> Source:
    terms = tuple(t for clause in clauses for t in clause.terms())
    if connection.vendor == "sqlite":
        weights = ", ".join(map(str, BM25_WEIGHTS))
        return Source(
            f"{FTS_TABLE} JOIN {DOC_TABLE} d ON d.resource_id = {FTS_TABLE}.rowid",
            f"{FTS_TABLE} MATCH %s",
            (fts5_match(clauses),),
            f"-bm25({FTS_TABLE}, {weights})",
            terms,
        )
    return Source(
        f"{DOC_TABLE} d CROSS JOIN to_tsquery('simple', %s) q",
        "d.document @@ q",
        (pg_tsquery(clauses),),
        "ts_rank(d.document, q)",
        terms,
    )


def _substring_source(query: str) -> Source:
    """Part of a name (a word jieba cut differently, a single character, a typo-free fragment);
    pg_trgm serves it on PostgreSQL."""
    if connection.vendor == "sqlite":
        return Source(f"{DOC_TABLE} d", "instr(d.name, %s) > 0", (query,), terms=(query,))
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Source(f"{DOC_TABLE} d", "d.name ILIKE %s", (f"%{escaped}%",), terms=(query,))


Ranked = list[tuple[int, float]]
FacetRows = dict[str, dict[str, tuple[int, str]]]  # facet → value → (count, stored label)


def _run(
    source: Source | None,
    filters: Mapping[str, list[str]],
    visible: tuple[str, tuple[Any, ...]],
    page: int,
    per_page: int,
) -> tuple[int, Ranked, FacetRows]:
    """The page, the total and the facet counts. Counting means a pass over every match, so
    the total and the counts of a search are kept until the index changes: asked again (the
    next page, a popular query), only the ranked page is read."""
    key = _counts_key(source, filters, visible)
    counted = cache.get(key)
    if counted is not None:
        return counted[0], _page(source, filters, visible, page, per_page), counted[1]
    if source is None and not filters:
        # The whole visible catalog (the list page as it opens): counted once, paged by name.
        total, _ranked, facets = _execute(None, {}, visible, 1, 1)
        cache.set(key, (total, facets), COUNTS_CACHE_SECONDS)
        return total, _page(source, filters, visible, page, per_page), facets
    total, ranked, facets = _execute(source, filters, visible, page, per_page)
    cache.set(key, (total, facets), COUNTS_CACHE_SECONDS)
    return total, ranked, facets


def _counts_key(
    source: Source | None, filters: Mapping[str, list[str]], visible: tuple[str, tuple[Any, ...]]
) -> str:
    """Names one search's counts, and the index state they were counted in."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {STATE_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    shape = (source.where_sql, source.params) if source else None
    state = repr((row[0] if row else "", shape, sorted(filters.items()), visible))
    return f"catalog.search.counts:{hashlib.sha256(state.encode()).hexdigest()}"


def _page(
    source: Source | None,
    filters: Mapping[str, list[str]],
    visible: tuple[str, tuple[Any, ...]],
    page: int,
    per_page: int,
) -> Ranked:
    """The ranked page alone (name order when nothing ranks)."""
    source = source or Source(f"{DOC_TABLE} d", "1 = 1", ())
    where, params = _where(source, filters, visible)
    ranked = source.score_sql != "0"
    order = "score DESC, d.name, d.resource_id" if ranked else "d.name, d.resource_id"
    sql = (
        f"SELECT d.resource_id, {source.score_sql} AS score FROM {source.from_sql} "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, per_page, (page - 1) * per_page])
        return [(int(pk), float(score or 0)) for pk, score in cursor.fetchall()]


def _where(
    source: Source, filters: Mapping[str, list[str]], visible: tuple[str, tuple[Any, ...]]
) -> tuple[list[str], list[Any]]:
    where, params = [source.where_sql, visible[0]], [*source.params, *visible[1]]
    for name, values in filters.items():
        sql, values_params = _filter_sql(name, values)
        where.append(sql)
        params.extend(values_params)
    return where, params


def _touch() -> None:
    """Mark the index changed: a new random token, so no cached count outlives the change
    (random, not a counter: a rolled-back change must not let an old token come back)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {STATE_TABLE} SET token = %s WHERE id = 1", [uuid.uuid4().hex])


def _execute(
    source: Source | None,
    filters: Mapping[str, list[str]],
    visible: tuple[str, tuple[Any, ...]],
    page: int,
    per_page: int,
) -> tuple[int, Ranked, FacetRows]:
    """One statement: the matching set once (a CTE), then its page, total and facet counts."""
    source = source or Source(f"{DOC_TABLE} d", "1 = 1", ())
    where, params = _where(source, filters, visible)
    columns = ", ".join(f"d.{column}" for column in FACETS.values())
    order = "score DESC, name, resource_id" if source.score_sql != "0" else "name, resource_id"
    branches = [
        "SELECT 'hit' AS facet, CAST(resource_id AS TEXT) AS value, NULL AS label, score AS n "
        f"FROM (SELECT resource_id, score FROM m ORDER BY {order} LIMIT %s OFFSET %s) page",
        "SELECT 'total', NULL, NULL, COUNT(*) FROM m",
        *(_group_sql(index, group) for index, group in enumerate(FACET_GROUPS)),
    ]
    sql = (
        f"WITH m AS MATERIALIZED (SELECT d.resource_id, d.name, {source.score_sql} AS score, "
        f"{columns} FROM {source.from_sql} WHERE {' AND '.join(where)}) "
        + " UNION ALL ".join(branches)
    )
    params += [per_page, (page - 1) * per_page]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _split(rows)


def _group_sql(index: int, columns: tuple[str, ...]) -> str:
    """Counts per combination of ``columns`` (joined by "|"), with a label where one is stored."""
    key = " || '|' || ".join(f"CAST({column} AS TEXT)" for column in columns)
    label = LABEL_SQL.get(columns[0], "NULL") if len(columns) == 1 else "NULL"
    return f"SELECT 'g{index}', {key}, {label}, COUNT(*) FROM m GROUP BY {', '.join(columns)}"


def _filter_sql(name: str, values: list[str]) -> tuple[str, list[Any]]:
    column = f"d.{FACETS[name]}"
    if name == "category":  # any level of the tree: 类, 项, 目 or 细目 narrows by code prefix
        tests = " OR ".join(["substr(d.category_code, 1, %s) = %s"] * len(values))
        return f"({tests})", [p for v in values for p in (len(v), v)]
    if name == "resource_class":
        return f"d.class_code IN ({', '.join(['%s'] * len(values))})", values
    converted: list[Any] = values
    if name == "provider":
        converted = [int(v) for v in values]
    elif name == "is_open":
        converted = [BOOLEAN_VALUES[v] for v in values]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", converted


def _split(
    rows: Sequence[tuple[str, str | None, str | None, Any]],
) -> tuple[int, Ranked, FacetRows]:
    total, ranked = 0, []
    facets: FacetRows = {name: {} for name in FACETS}
    for kind, value, label, number in rows:
        if kind == "hit":
            ranked.append((int(value or 0), float(number or 0)))
        elif kind == "total":
            total = int(number)
        else:
            group = FACET_GROUPS[int(kind[1:])]
            for column, part in zip(group, (value or "").split("|"), strict=True):
                name = FACET_OF_COLUMN[column]
                part = _facet_value(name, part)
                count, _label = facets[name].get(part, (0, ""))
                facets[name][part] = (count + int(number), label or "")
    return total, ranked, facets


def _facet_value(facet: str, value: str) -> str:
    if facet == "is_open":
        return "true" if value in ("1", "true") else "false"
    return value


def _hits(user: Any, ranked: Ranked, terms: Sequence[str]) -> list[ResourceHit]:
    """The page's resources, in rank order, read through restrict() once more."""
    resources = (
        Resource.objects.restrict(user, "view")
        .filter(pk__in=[pk for pk, _score in ranked])
        .select_related("provider", "current_version__category", "working_version__category")
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
STATIC_LABELS["grade"][""] = gettext_lazy("Not graded")


# --- browsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseCounts:
    """Resources ``user`` may see per classification code (every level) and per provider."""

    categories: dict[str, int]
    providers: dict[int, int]


def browse_counts(user: Any) -> BrowseCounts:
    visible = _visibility(user)
    if visible is None:
        return BrowseCounts({}, {})
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
