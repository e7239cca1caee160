"""The catalog's search index (目录检索索引): its tables, its rows and keeping them fresh.

One row per resource holds the jieba-segmented text of the shown version (the one in force, else
the draft) — name, keywords, summary and data-item names — its code, and its facet values, the
eight with a fixed set of values packed into one integer, ``combination`` (``facets``).
The tables are created by migrations 0003 and 0005 in raw SQL (no model: they are an index,
rebuilt from the catalog at will). Services call ``reindex_resource`` after each write;
``reindex_all`` rebuilds everything, and after ``migrate`` ``rebuild_after_migrate`` does so when
a migration marked the index for it. Every change gives the index a new token, so no cached
count of ``search.page`` outlives it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import QuerySet

from govshare.catalog.chinese_text import initials, segment
from govshare.catalog.choices import MountStatus
from govshare.catalog.models import DataItem, Mount, Resource
from govshare.catalog.search.facets import pack_facets

DOC_TABLE = "catalog_search_doc"
FTS_TABLE = "catalog_search_fts"
FACET_TABLE = "catalog_search_facet"  # SQLite: the facet columns alone, for counting
STATE_TABLE = "catalog_search_state"
# The state token a migration sets when the index must be filled anew (issue 12, item 8: a
# migration runs against the models of its point in history, so it cannot run today's
# indexing; it marks the index, and ``rebuild_after_migrate`` fills it once migrate is done).
REBUILD_TOKEN = "rebuild"


class IndexRow(NamedTuple):
    resource_id: int
    code: str | None
    name: str
    category_code: str
    provider_id: int
    current_version_id: int | None
    combination: int
    name_text: str
    keywords_text: str
    summary_text: str
    items_text: str


DOC_COLUMNS = IndexRow._fields[:7]


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


def rebuild_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **signal: Any) -> None:
    """post_migrate (CatalogConfig): rebuild the index if a migration marked it for that."""
    if using != DEFAULT_DB_ALIAS or not is_marked_for_rebuild():
        return
    reindex_all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the planner's statistics of the new rows
            cursor.execute(f"ANALYZE {DOC_TABLE}")


def is_marked_for_rebuild() -> bool:
    if STATE_TABLE not in connection.introspection.table_names():
        return False  # the catalog is migrated back to before its index, or not yet to it
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {STATE_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row is not None and row[0] == REBUILD_TOKEN


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
    packed = {
        "resource_class": code[:1],
        "share_type": version.share_type,
        "is_open": "true" if version.is_open else "false",
        "format_class": version.format_class,
        "update_cycle": version.update_cycle,
        "grade": version.grade or "",
        "mount_status": mount_status(mount_statuses),
        "status": resource.status,
    }
    return IndexRow(
        resource_id=resource.pk,
        code=resource.code or None,
        name=version.name,
        category_code=code,
        provider_id=resource.provider_id,
        current_version_id=resource.current_version_id,
        combination=pack_facets(packed),
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


def _touch() -> None:
    """Mark the index changed: a new random token, so no cached count outlives the change
    (random, not a counter: a rolled-back change must not let an old token come back)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {STATE_TABLE} SET token = %s WHERE id = 1", [uuid.uuid4().hex])
