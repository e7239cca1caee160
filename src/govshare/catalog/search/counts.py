"""How many a catalog search finds, per facet value (分面计数).

The eight facets with a fixed set of values are packed into one integer per index row,
``combination`` (``facets``), so that counting every facet of a search is one pass over
three columns: combination, provider and classification (issue #4: a broad query such as 联系电话
matches a fifth of the catalog, and its counts must not cost more than its ranking). Counts are
disjunctive: a facet with chosen values is counted with the other facets' filters only, so the
values next to a chosen one keep their counts (several values of one facet are OR-ed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from govshare.catalog.models import Category
from govshare.catalog.search.facets import (
    HALVES,
    PACKED_FACETS,
    half_of,
    position_in_half,
    split_halves,
    vocabulary_value,
)
from govshare.catalog.search.query import (
    BLANK,
    FACETS,
    Filters,
    Source,
    Visibility,
    all_but,
    filter_conditions,
)
from govshare.orgs.models import Department

# What a search counts, in one pass: these expressions of the index row. The packed facets are
# read in the two halves of ``facets.HALVES``. SQLite concatenates whole combinations (one string
# less to build and split) and halves them here; PostgreSQL groups by halves.
COUNTED = {
    **HALVES,
    "provider": "d.provider_id",
    "category": "d.category_code",
}
COUNTED_IN = {  # facet → what it is counted from
    **{name: half_of(name) for name in PACKED_FACETS},
    "provider": "provider",
    "category": "category",
}
SQLITE_COUNTED = {"combination": "d.combination", "provider": "d.provider_id"} | {
    "category": "d.category_code"
}


FacetRows = dict[str, dict[str, tuple[int, str]]]  # facet → value → (count, stored label)
Tally = tuple[str, str | None]  # (what is counted, the facet whose filter is left out if any)


@dataclass(frozen=True)
class Counts:
    total: int  # visible matches that pass every filter
    matched: int  # visible matches, filters aside
    facets: FacetRows


def _tallies(filters: Filters, counted: Mapping[str, str] = COUNTED) -> list[Tally]:
    """The counts to make: per counted expression, over every filter, or over all but a facet's
    own for a facet that is filtered (so its other values keep their counts)."""
    tallies = {
        (COUNTED_IN[name] if COUNTED_IN[name] in counted else "combination", key)
        for name in FACETS
        for key in [name if name in filters else None]
    }
    return sorted(tallies, key=lambda tally: (tally[0], tally[1] or ""))


def count_sqlite(source: Source, filters: Filters, visible: Visibility) -> Counts:
    conditions = filter_conditions(filters)
    columns, params = [], []
    tallies = _tallies(filters, SQLITE_COUNTED)
    for tally in [("", None), *tallies]:
        sql, tally_params = all_but(conditions, tally[1])
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
    low, high = Counter[Any](), Counter[Any]()
    for combination, number in combinations.items():
        low_half, high_half = split_halves(int(combination))
        low[low_half] += number
        high[high_half] += number
    return low, high


def count_and_rank_postgresql(
    source: Source, filters: Filters, visible: Visibility, page: int, per_page: int
) -> tuple[Counts, list[tuple[int, float]] | None]:
    """The counts, and the page's (resource id, score) rows when the source ranks."""
    conditions = filter_conditions(filters)
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
    return _split_postgresql(rows, keys, filters), (_hit_rows(rows) if source.is_ranked else None)


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
    by_position = Counter[int]()
    for half, number in counted.items():
        by_position[position_in_half(name, int(half))] += number
    return {vocabulary_value(name, p) or BLANK: number for p, number in by_position.items()}


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
