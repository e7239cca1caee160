"""What a catalog search matches (检索条件), as SQL on the index row ``d``.

The ways a query is answered, tried in order until one finds something: a resource code or its
prefix, Chinese words (FTS5 MATCH on SQLite, a tsquery on PostgreSQL; segmented alike by
``chinese_text``), a fragment of a name. Then the facet filters (any value of a facet, every
facet) and what the user may see: ``Resource.objects.restrict(user, "view")``, the one
authorization path, compiled to a condition on the index row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from govshare.catalog.chinese_text import Clause, fts5_match, parse_query, pg_tsquery
from govshare.catalog.choices import (
    FormatClass,
    Grade,
    MountStatus,
    ResourceClass,
    ResourceStatus,
    ShareType,
    UpdateCycle,
)
from govshare.catalog.models import Resource
from govshare.catalog.search.facets import PACKED_FACETS, facet_sql
from govshare.catalog.search.index import DOC_TABLE, FACET_TABLE, FTS_TABLE
from govshare.core.actors import Actor
from govshare.core.errors import ErrorCode, ErrorCollector

MAX_PER_PAGE = 200
MAX_QUERY_LENGTH = 100  # characters; a longer query is cut
# bm25 column weights (name, keywords, summary, items): a word in the name outranks the same
# word in the body, so name matches come first.
BM25_WEIGHTS = (10.0, 4.0, 2.0, 1.0)
# A resource code or its prefix: 前段码 digits and letters, optionally "/" and 后段码 digits.
CODE_QUERY = re.compile(r"^[0-9][0-9A-Za-z]*(?:/[0-9]*)?$")

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
# Resource columns copied into the index row for restrict()'s filter: resource column → copy.
MIRRORED_COLUMNS = {
    "id": "resource_id",
    "provider_id": "provider_id",
    "current_version_id": "current_version_id",
}
# A facet value stored empty (a resource not graded yet) is spelled thus in links, filters and
# the API, where an empty parameter means no filter at all.
BLANK = "none"
BOOLEAN_VALUES = {"true": "true", "1": "true", "false": "false", "0": "false"}


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
    if value == BLANK and "" in PACKED_FACETS.get(name, ()):
        return True
    if name in CHOICE_FACETS:
        return value in CHOICE_FACETS[name].values
    if name == "provider":
        # any database id (core.web.api_inputs.MAX_ID), as the API's provider parameter allows
        return value.isascii() and value.isdigit() and len(value) <= 19 and int(value) < 2**63
    if name == "is_open":
        return value in BOOLEAN_VALUES
    return value.isascii() and value.isalnum() and len(value) <= 20  # category code


def visibility(user: Actor) -> Visibility | None:
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


def sources_for(query: str) -> list[Source]:
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


def filter_conditions(filters: Filters) -> dict[str, tuple[str, list[Any]]]:
    """Each filtered facet's condition on the index row ``d``: any of its values."""
    return {name: _condition(name, values) for name, values in filters.items()}


def _condition(name: str, values: list[str]) -> tuple[str, list[Any]]:
    if name == "category":  # any level of the tree: 类, 项, 目 or 细目 narrows by code prefix
        tests = " OR ".join(["substr(d.category_code, 1, %s) = %s"] * len(values))
        return f"({tests})", [p for v in values for p in (len(v), v)]
    if name == "provider":
        return f"d.provider_id IN ({', '.join(['%s'] * len(values))})", [int(v) for v in values]
    return facet_sql(name, ["" if v == BLANK else v for v in values]), []


def all_but(
    conditions: Mapping[str, tuple[str, list[Any]]], left_out: str | None
) -> tuple[str, list[Any]]:
    """Every condition but ``left_out``'s (all of them for None), AND-ed; "" for none."""
    chosen = [c for name, c in conditions.items() if name != left_out]
    return " AND ".join(sql for sql, _params in chosen), [p for _sql, ps in chosen for p in ps]


def where_clause(source: Source, filters: Filters, visible: Visibility) -> tuple[str, list[Any]]:
    conditions, params = all_but(filter_conditions(filters), None)
    where = " AND ".join(filter(None, [source.where_sql, visible[0], conditions]))
    return where, [*source.params, *visible[1], *params]
