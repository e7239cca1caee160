"""Chinese full-text search of the catalog (目录检索): the index, the query, facets and highlights.

One index row per resource holds the jieba-segmented text of the shown version (the one in force,
else the draft): name, keywords, summary and data-item names; the code; and the facet fields.
Text is segmented in Python so both databases see the same space-separated tokens
(DESIGN.md "Chinese search"; stack.md §3: SQLite's trigram tokenizer silently finds nothing for
two-character words, so it is not used):

- SQLite: ``catalog_search_doc`` (facets) plus an FTS5 ``unicode61`` table ranked by bm25;
- PostgreSQL: ``catalog_search_doc`` with a weighted ``to_tsvector('simple', …)`` (GIN), ranked
  by ts_rank, and a pg_trgm index on the name for substring matching.

The eight facets with a fixed set of values are packed into one integer per row,
``combination`` (``PACKED_FACETS``), so that counting every facet of a search is one pass over
three columns: combination, provider and classification (issue #4: a broad query such as 联系电话
matches a fifth of the catalog, and its counts must not cost more than its ranking). Counts are
disjunctive: a facet with chosen values is counted with the other facets' filters only, so the
values next to a chosen one keep their counts (several values of one facet are OR-ed).

The index itself (its tables, its rows, keeping it fresh) is ``search_index``. What a user may
see is ``Resource.objects.restrict(user, "view")``, the one authorization path: its filter is
applied to every count, and the page's resources are read through it again.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from django.core.cache import cache
from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.catalog.chinese_text import (
    Clause,
    fts5_match,
    highlight,
    parse_query,
    pg_tsquery,
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
from govshare.catalog.models import Category, Resource
from govshare.catalog.search_index import (
    DOC_TABLE,
    FACET_TABLE,
    FIELD_BITS,
    FIELD_MASK,
    FTS_TABLE,
    PACKED_FACETS,
    SHIFTS,
    STATE_TABLE,
    vocabulary_value,
)
from govshare.core import alongside
from govshare.core.errors import ErrorCode, ErrorCollector
from govshare.orgs.models import Department

COUNTS_CACHE_SECONDS = 600  # and until the index changes (its token is in the key)
MAX_PER_PAGE = 200
MAX_QUERY_LENGTH = 100
SUMMARY_SNIPPET = 160
# bm25 column weights (name, keywords, summary, items): a word in the name outranks the same
# word in the body, so name matches come first.
BM25_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# A resource code or its prefix: 前段码 digits and letters, optionally "/" and 后段码 digits.
CODE_QUERY = re.compile(r"^[0-9][0-9A-Za-z]*(?:/[0-9]*)?$")
# Ranking by the FTS index alone (see _top_ranked) reads a quarter more candidates than the
# page needs, plus this many for ties and for matches the user may not see; at most the max.
CANDIDATE_MARGIN = 40
MAX_CANDIDATES = 1000

# The facets, in the order pages show them. 类 is the first digit of the classification code;
# the classification facet counts 项, its first three digits, and filters by any level.
FACETS: tuple[str, ...] = (
    "resource_class",
    "category",
    "provider",
    "share_type",
    "is_open",
    "format_class",
    "update_cycle",
    "grade",
    "mount_status",
    "status",
)
CHOICE_FACETS: dict[str, Any] = {
    "resource_class": ResourceClass,
    "share_type": ShareType,
    "format_class": FormatClass,
    "update_cycle": UpdateCycle,
    "grade": Grade,
    "mount_status": MountStatus,
    "status": ResourceStatus,
}
# What a search counts, in one pass: these expressions of the index row. The packed facets are
# read in two halves of a few hundred combinations each: whole combinations number in the
# thousands, too many to split into eight values each. SQLite concatenates whole combinations
# (one string less to build and split) and halves them here; PostgreSQL groups by halves.
LOW_BITS = 5 * FIELD_BITS  # class, share type, open, mount status, status
COUNTED = {
    "packed_low": f"(d.combination & {(1 << LOW_BITS) - 1})",
    "packed_high": f"(d.combination >> {LOW_BITS})",
    "provider": "d.provider_id",
    "category": "d.category_code",
}
COUNTED_IN = {  # facet → what it is counted from
    **{name: "packed_low" if SHIFTS[name] < LOW_BITS else "packed_high" for name in PACKED_FACETS},
    "provider": "provider",
    "category": "category",
}
SQLITE_COUNTED = {"combination": "d.combination", "provider": "d.provider_id"} | {
    "category": "d.category_code"
}
# Resource columns copied into the index row for restrict()'s filter: resource column → copy.
MIRRORED_COLUMNS = {
    "id": "resource_id",
    "provider_id": "provider_id",
    "current_version_id": "current_version_id",
}
BOOLEAN_VALUES = {"true": "true", "1": "true", "false": "false", "0": "false"}


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


# --- the query ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where matching rows come from: FROM/WHERE fragments (``params`` in their order), a score
    and its parameters, and the words to mark. ``count_from`` replaces FROM to count (the
    narrow facet table on SQLite when nothing else is needed); ``is_fts`` when the WHERE is an
    FTS5 MATCH that can rank on the FTS table alone."""

    from_sql: str
    where_sql: str
    params: tuple[Any, ...]
    score_sql: str = "0"
    score_params: tuple[Any, ...] = ()
    terms: tuple[str, ...] = ()
    is_fts: bool = False
    count_from: str = ""

    @property
    def is_ranked(self) -> bool:
        return self.score_sql != "0"

    @property
    def counted_from(self) -> str:
        return self.count_from or self.from_sql


def _everything() -> Source:
    if connection.vendor == "sqlite":
        return Source(f"{DOC_TABLE} d", "1 = 1", (), count_from=f"{FACET_TABLE} d")
    return Source(f"{DOC_TABLE} d", "1 = 1", ())


Visibility = tuple[str, tuple[Any, ...]]
Filters = Mapping[str, list[str]]


def search(
    user: Any,
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
    visible = _visibility(user)
    if visible is None:
        return SearchResult(0, [], {}, page, per_page, clean)
    for source in _sources(query):
        counts, ranked = _counted(source, clean, visible, page, per_page)
        if counts.total:
            break  # else the next way, and the last one's (empty) result stands
    page = min(page, max(1, math.ceil(counts.total / per_page)))  # past the end: the last page
    if ranked is None or ranked.page != page:
        ranked = Page(page, _rank(source, clean, visible, page, per_page, counts))
    hits = _hits(user, ranked.rows, source.terms)
    return SearchResult(counts.total, hits, _labelled(counts.facets), page, per_page, clean)


def clean_filters(filters: Mapping[str, Any], page: int, per_page: int) -> dict[str, list[str]]:
    """Filters as facet → sorted distinct values, or a ValidationError naming each bad one."""
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
            clean[name] = sorted({_normal_value(name, v) for v in values})
    errors.raise_if_any()
    return clean


def _normal_value(name: str, value: str) -> str:
    """One spelling per value, as the facets list it (so a chosen value shows as chosen)."""
    if name == "is_open":
        return BOOLEAN_VALUES[value]
    return str(int(value)) if name == "provider" else value


def _valid_value(name: str, value: str) -> bool:
    if name in CHOICE_FACETS:
        return value in CHOICE_FACETS[name].values
    if name == "provider":
        return value.isascii() and value.isdigit() and len(value) < 19
    if name == "is_open":
        return value in BOOLEAN_VALUES
    return value.isascii() and value.isalnum() and len(value) <= 20  # category code


def _visibility(user: Any) -> Visibility | None:
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


def _sources(query: str) -> list[Source]:
    """Ways to answer ``query``, tried in order until one finds something."""
    if not query:
        return [_everything()]
    sources: list[Source] = []
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
        where, params = "d.code >= %s AND d.code < %s", (prefix, upper)
    else:
        where, params = "d.code LIKE %s", (f"{prefix}%",)
    return Source(f"{DOC_TABLE} d", where, params, exact, (prefix,))


def _text_source(clauses: Sequence[Clause]) -> Source:
    terms = tuple(t for clause in clauses for t in clause.terms())
    if connection.vendor == "sqlite":
        weights = ", ".join(map(str, BM25_WEIGHTS))
        return Source(
            f"{FTS_TABLE} JOIN {DOC_TABLE} d ON d.resource_id = {FTS_TABLE}.rowid",
            f"{FTS_TABLE} MATCH %s",
            (fts5_match(clauses),),
            f"-bm25({FTS_TABLE}, {weights})",
            terms=terms,
            is_fts=True,
            count_from=f"{FTS_TABLE} JOIN {FACET_TABLE} d ON d.resource_id = {FTS_TABLE}.rowid",
        )
    return Source(
        f"{DOC_TABLE} d CROSS JOIN to_tsquery('simple', %s) q",
        "d.document @@ q",
        (pg_tsquery(clauses),),
        "ts_rank(d.document, q)",
        terms=terms,
    )


def _substring_source(query: str) -> Source:
    """Part of a name (a word jieba cut differently, a single character, a typo-free fragment);
    pg_trgm serves it on PostgreSQL."""
    if connection.vendor == "sqlite":
        return Source(f"{DOC_TABLE} d", "instr(d.name, %s) > 0", (query,), terms=(query,))
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return Source(f"{DOC_TABLE} d", "d.name ILIKE %s", (f"%{escaped}%",), terms=(query,))


# --- filters --------------------------------------------------------------------------------


def _conditions(filters: Filters) -> dict[str, tuple[str, list[Any]]]:
    """Each filtered facet's condition on the index row ``d``: any of its values."""
    return {name: _condition(name, values) for name, values in filters.items()}


def _condition(name: str, values: list[str]) -> tuple[str, list[Any]]:
    if name == "category":  # any level of the tree: 类, 项, 目 or 细目 narrows by code prefix
        tests = " OR ".join(["substr(d.category_code, 1, %s) = %s"] * len(values))
        return f"({tests})", [p for v in values for p in (len(v), v)]
    if name == "provider":
        return f"d.provider_id IN ({', '.join(['%s'] * len(values))})", [int(v) for v in values]
    vocabulary = PACKED_FACETS[name]  # positions are literals: they come from our own table
    positions = ", ".join(str(vocabulary.index(v) + 1) for v in values)
    return f"((d.combination >> {SHIFTS[name]}) & {FIELD_MASK}) IN ({positions})", []


def _all_but(
    conditions: Mapping[str, tuple[str, list[Any]]], left_out: str | None
) -> tuple[str, list[Any]]:
    """Every condition but ``left_out``'s (all of them for None), AND-ed; "" for none."""
    chosen = [c for name, c in conditions.items() if name != left_out]
    return " AND ".join(sql for sql, _params in chosen), [p for _sql, ps in chosen for p in ps]


# --- counting -------------------------------------------------------------------------------

FacetRows = dict[str, dict[str, tuple[int, str]]]  # facet → value → (count, stored label)
Tally = tuple[str, str | None]  # (what is counted, the facet whose filter is left out if any)


@dataclass(frozen=True)
class Counts:
    total: int  # visible matches that pass every filter
    matched: int  # visible matches, filters aside
    facets: FacetRows


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
        counts = _count_sqlite(source, filters, visible)
        return counts, Page(page, _rank(source, filters, visible, page, per_page, counts))
    return _count_and_rank_postgresql(source, filters, visible, page, per_page)


def _count(source: Source, filters: Filters, visible: Visibility) -> Counts:
    """The counts alone."""
    if connection.vendor == "sqlite":
        return _count_sqlite(source, filters, visible)
    unranked = replace(source, score_sql="0", score_params=())  # no page: no score, no name
    return _count_and_rank_postgresql(unranked, filters, visible, 1, 1)[0]


def _tallies(filters: Filters, counted: Mapping[str, str] = COUNTED) -> list[Tally]:
    """The counts to make: per counted expression, over every filter, or over all but a facet's
    own for a facet that is filtered (so its other values keep their counts)."""
    tallies = {
        (COUNTED_IN[name] if COUNTED_IN[name] in counted else "combination", key)
        for name in FACETS
        for key in [name if name in filters else None]
    }
    return sorted(tallies, key=lambda tally: (tally[0], tally[1] or ""))


def _count_sqlite(source: Source, filters: Filters, visible: Visibility) -> Counts:
    conditions = _conditions(filters)
    columns, params = [], []
    tallies = _tallies(filters, SQLITE_COUNTED)
    for tally in [("", None), *tallies]:
        sql, tally_params = _all_but(conditions, tally[1])
        aggregate = f"group_concat({SQLITE_COUNTED[tally[0]]})" if tally[0] else "COUNT(*)"
        columns.append(f"{aggregate} FILTER (WHERE {sql})" if sql else aggregate)
        params += tally_params
    statement = (
        f"SELECT COUNT(*), {', '.join(columns)} FROM {source.counted_from} "
        f"WHERE {source.where_sql} AND {visible[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *source.params, *visible[1]])
        matched, total, *texts = cursor.fetchone()
    tallied: dict[Tally, Counter[str]] = {}
    for (counted, key), text in zip(tallies, texts, strict=True):
        numbers = Counter(text.split(",")) if text else Counter[str]()
        if counted == "combination":
            tallied[("packed_low", key)], tallied[("packed_high", key)] = _halves(numbers)
        else:
            tallied[(counted, key)] = numbers
    return _counts(int(total or 0), int(matched or 0), tallied, filters)


def _halves(combinations: Counter[str]) -> tuple[Counter[Any], Counter[Any]]:
    low, high, mask = Counter[Any](), Counter[Any](), (1 << LOW_BITS) - 1
    for combination, number in combinations.items():
        packed = int(combination)
        low[packed & mask] += number
        high[packed >> LOW_BITS] += number
    return low, high


def _count_and_rank_postgresql(
    source: Source, filters: Filters, visible: Visibility, page: int, per_page: int
) -> tuple[Counts, Page | None]:
    conditions = _conditions(filters)
    flags = [f", ({sql}) AS c_{n}" for n, (sql, _params) in enumerate(conditions.values())]
    flag_params = [p for _sql, params in conditions.values() for p in params]
    flag_of = {name: f"c_{n}" for n, name in enumerate(conditions)}
    keys: list[str | None] = [None, *conditions]  # every filter, then all but each one's
    tests = [" AND ".join(f for n, f in flag_of.items() if n != key) or "TRUE" for key in keys]
    name = ", d.name" if source.is_ranked else ""
    counted = "".join(f", {sql} AS {as_name}" for as_name, sql in COUNTED.items())
    cte = (
        f"SELECT d.resource_id, {source.score_sql} AS score{name}{counted}{''.join(flags)} "
        f"FROM {source.from_sql} WHERE {source.where_sql} AND {visible[0]}"
    )
    # [rows, rows passing every filter, rows passing all but each filtered facet's]; without
    # filters the first alone (the others would count the same rows again).
    filtered = [f"COUNT(*) FILTER (WHERE {test})" for test in tests] if conditions else []
    numbers = ", ".join(["COUNT(*)", *filtered])
    names = ", ".join(COUNTED)
    grouping = (
        f"SELECT GROUPING({names}), COALESCE("
        + ", ".join(f"CAST({as_name} AS text)" for as_name in COUNTED)
        + f"), NULL, ARRAY[{numbers}] FROM m "
        f"GROUP BY GROUPING SETS ({', '.join(f'({n})' for n in COUNTED)}, ())"
    )
    page_sql, page_params = "", []
    if source.is_ranked:  # ordered as _rank orders; the position rides in the array
        page_sql = (
            "SELECT -1, CAST(resource_id AS text), score, ARRAY[row_number() OVER "
            "(ORDER BY score DESC, name, resource_id)] FROM (SELECT resource_id, score, name "
            f"FROM m WHERE {tests[0]} ORDER BY score DESC, name, resource_id "
            "LIMIT %s OFFSET %s) p UNION ALL "
        )
        page_params = [per_page, (page - 1) * per_page]
    # Read once for both the page and the counts; with no page, PostgreSQL folds it in.
    materialized = "MATERIALIZED " if source.is_ranked else ""
    statement = f"WITH m AS {materialized}({cte}) {page_sql}{grouping}"
    params = [*source.score_params, *flag_params, *source.params, *visible[1], *page_params]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return _split_postgresql(rows, keys, filters), (
        Page(page, _hit_rows(rows)) if source.is_ranked else None
    )


def _hit_rows(rows: Sequence[tuple[Any, ...]]) -> list[tuple[int, float]]:
    hits = sorted((numbers[0], int(key), float(score)) for g, key, score, numbers in rows if g < 0)
    return [(pk, score) for _position, pk, score in hits]


# GROUPING() of a set: a bit per counted expression, set for those not grouped by.
GROUPED = {
    (1 << len(COUNTED)) - 1 - (1 << (len(COUNTED) - 1 - n)): as_name
    for n, as_name in enumerate(COUNTED)
}
EVERY_ROW = (1 << len(COUNTED)) - 1  # the () set


def _split_postgresql(
    rows: Sequence[tuple[Any, ...]], keys: list[str | None], filters: Filters
) -> Counts:
    """The grouped rows' arrays: [rows, rows passing every filter, rows passing all but …], or
    [rows] alone when nothing is filtered."""
    tallies = _tallies(filters)
    tallied: dict[Tally, Counter[str]] = {tally: Counter() for tally in tallies}
    total = matched = 0
    for grouping, value, _score, numbers in rows:
        per_key = numbers[1:] if len(numbers) > 1 else numbers  # one number per key in keys
        if grouping == EVERY_ROW:
            matched, total = numbers[0], per_key[0]
        elif grouping in GROUPED:
            for key, number in zip(keys, per_key, strict=True):
                if number and (GROUPED[grouping], key) in tallied:
                    tallied[(GROUPED[grouping], key)][value] = number
    return _counts(int(total), int(matched), tallied, filters)


def _counts(
    total: int, matched: int, tallied: Mapping[Tally, Counter[str]], filters: Filters
) -> Counts:
    """Each facet's counts from its tally, with the chosen values always listed (a
    chosen value that nothing matches any more shows 0, and can still be unticked)."""
    facets: dict[str, dict[str, int]] = {}
    for name in FACETS:
        tally = (COUNTED_IN[name], name if name in filters else None)
        if name in PACKED_FACETS:
            facets[name] = _packed_counts(name, tallied[tally])
        elif name == "category":  # 项: the first three digits of the code
            facets[name] = _rolled_up(tallied[tally], 3)
        else:
            facets[name] = dict(tallied[tally])
        for value in filters.get(name, []):
            if name != "category" or len(value) == 3:  # the facet lists 项 codes only
                facets[name].setdefault(value, 0)
    labels = _stored_labels(facets["provider"], facets["category"])
    return Counts(
        total,
        matched,
        {
            name: {value: (count, labels.get((name, value), "")) for value, count in values.items()}
            for name, values in facets.items()
        },
    )


def _packed_counts(name: str, counted: Counter[str]) -> dict[str, int]:
    """Facet ``name``'s counts from the counts of its half's combinations."""
    shift = SHIFTS[name] - (LOW_BITS if COUNTED_IN[name] == "packed_high" else 0)
    by_position = Counter[int]()
    for half, number in counted.items():
        by_position[(int(half) >> shift) & FIELD_MASK] += number
    return {vocabulary_value(name, p): number for p, number in by_position.items()}


def _rolled_up(counted: Counter[str], length: int) -> dict[str, int]:
    rolled = Counter[str]()
    for code, number in counted.items():
        rolled[code[:length]] += number
    return dict(rolled)


def _stored_labels(providers: Iterable[str], items: Iterable[str]) -> dict[tuple[str, str], str]:
    """Names of the counted providers and 项 codes, in one statement."""
    provider_ids, item_codes = [int(p) for p in providers], list(items)
    if not provider_ids and not item_codes:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    if provider_ids:
        marks = ", ".join(["%s"] * len(provider_ids))
        parts.append(
            f"SELECT 'provider', CAST(id AS text), name FROM {Department._meta.db_table} "
            f"WHERE id IN ({marks})"
        )
        params += provider_ids
    if item_codes:
        marks = ", ".join(["%s"] * len(item_codes))
        parts.append(
            f"SELECT 'category', code, name FROM {Category._meta.db_table} WHERE code IN ({marks})"
        )
        params += item_codes
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {(kind, value): name for kind, value, name in cursor.fetchall()}


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
    where, params = _where(source, filters, visible)
    order = "score DESC, d.name, d.resource_id" if source.is_ranked else "d.name, d.resource_id"
    sql = (
        f"SELECT d.resource_id, {source.score_sql} AS score FROM {source.from_sql} "
        f"WHERE {where} ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*source.score_params, *params, limit, offset])
        return [(int(pk), float(score or 0)) for pk, score in cursor.fetchall()]


def _where(source: Source, filters: Filters, visible: Visibility) -> tuple[str, list[Any]]:
    conditions, params = _all_but(_conditions(filters), None)
    where = " AND ".join(filter(None, [source.where_sql, visible[0], conditions]))
    return where, [*source.params, *visible[1], *params]


def _top_ranked(
    source: Source, filters: Filters, visible: Visibility, offset: int, need: int, share: float
) -> list[tuple[int, float]] | None:
    """Rows ``offset`` to ``need`` of the ranking, from the best candidates by bm25 on the FTS
    index alone (what the bare query costs), then only those looked up; None when they cannot
    be shown to hold them. ``share``: the part of the visible matches expected to pass the
    filters, which sizes the candidates.

    Every match left out of the candidates scores at most as the last candidate, so the page
    is exact when its last row scores strictly more (ties at the cut go to the full query). A
    ``need`` past the last match only asks for more proof: with every match read, the rows
    there are are all."""
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
    conditions, params = _all_but(_conditions(filters), None)
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


def _hits(user: Any, ranked: list[tuple[int, float]], terms: Sequence[str]) -> list[ResourceHit]:
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
STATIC_LABELS["grade"][""] = gettext_lazy("Not graded")


# --- browsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrowseCounts:
    """Resources ``user`` may see per classification code (every level) and per provider."""

    categories: dict[str, int]
    providers: dict[int, int]


def browse_counts(user: Any) -> BrowseCounts:
    """Counted once per index state and visibility (a whole-catalog pass: ~100 ms at 100,000
    resources), like a search's counts."""
    visible = _visibility(user)
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
