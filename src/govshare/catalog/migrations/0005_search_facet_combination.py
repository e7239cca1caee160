"""A leaner search index (issue #4, cold search within 2x of the bare query): the eight facets
with a fixed set of values are packed into one integer, ``combination`` (see
``govshare.catalog.search.facets``), so that counting them is one pass over one column.

The facet table loses its per-facet text columns and the summary (never queried). On SQLite,
``catalog_search_facet`` holds a narrow copy of each row (combination, provider, classification
and the columns restrict() reads), kept by triggers: counting joins each FTS match to it by
rowid, a third faster than to the whole row or to a covering index. The tables are rebuilt
empty and marked for rebuilding: today's code fills them after migrate (CatalogConfig's
post_migrate step), never this migration against its point in history.
"""

from importlib import import_module

from django.db import migrations

COLUMNS = """
    code varchar(40) NULL,
    name text NOT NULL,
    category_code varchar(20) NOT NULL,
    provider_id bigint NOT NULL,
    current_version_id bigint NULL,
    combination bigint NOT NULL
"""

SQLITE = [
    "DROP TABLE IF EXISTS catalog_search_doc",
    f"CREATE TABLE catalog_search_doc (resource_id integer NOT NULL PRIMARY KEY, {COLUMNS})",
    "CREATE INDEX catalog_search_doc_name ON catalog_search_doc (name, resource_id)",
    "CREATE INDEX catalog_search_doc_code ON catalog_search_doc (code)",
    "DROP TABLE IF EXISTS catalog_search_facet",
    "CREATE TABLE catalog_search_facet (resource_id integer NOT NULL PRIMARY KEY, "
    "combination bigint NOT NULL, provider_id bigint NOT NULL, category_code varchar(20) NOT NULL, "
    "current_version_id bigint NULL)",
    # Index rows are only ever inserted and deleted (a change is a delete and an insert).
    "CREATE TRIGGER catalog_search_facet_insert AFTER INSERT ON catalog_search_doc BEGIN "
    "INSERT INTO catalog_search_facet VALUES (new.resource_id, new.combination, "
    "new.provider_id, new.category_code, new.current_version_id); END",
    "CREATE TRIGGER catalog_search_facet_delete AFTER DELETE ON catalog_search_doc BEGIN "
    "DELETE FROM catalog_search_facet WHERE resource_id = old.resource_id; END",
]

# Each packed facet as search.facets filters it, ((combination >> shift) & 31): without statistics
# on the expression the planner takes any such filter to keep almost nothing, and sorts the
# whole table rather than walk the name index (56 ms instead of 0.4 ms at 100,000 resources).
PACKED_SHIFTS = (0, 5, 10, 15, 20, 25, 30, 35)

POSTGRESQL = [
    "DROP TABLE IF EXISTS catalog_search_doc",
    f"CREATE TABLE catalog_search_doc (resource_id bigint NOT NULL PRIMARY KEY, {COLUMNS}, "
    "document tsvector NOT NULL)",
    "CREATE INDEX catalog_search_doc_document ON catalog_search_doc USING gin (document)",
    "CREATE INDEX catalog_search_doc_name_trgm ON catalog_search_doc USING gin (name gin_trgm_ops)",
    "CREATE INDEX catalog_search_doc_name ON catalog_search_doc (name, resource_id)",
    "CREATE INDEX catalog_search_doc_code ON catalog_search_doc (code text_pattern_ops)",
    *(
        f"CREATE STATISTICS catalog_search_doc_packed_{shift} ON ((combination >> {shift}) & 31) "
        "FROM catalog_search_doc"
        for shift in PACKED_SHIFTS
    ),
]


def rebuild(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in SQLITE if vendor == "sqlite" else POSTGRESQL:
        schema_editor.execute(statement)
    if vendor == "sqlite":
        schema_editor.execute("DELETE FROM catalog_search_fts")  # its rows were 0003's table's
    schema_editor.execute("UPDATE catalog_search_state SET token = 'rebuild' WHERE id = 1")


def restore(apps, schema_editor):
    """Back to migration 0003's table, empty: the code of that time fills it (reindex_catalog)."""
    before = import_module("govshare.catalog.migrations.0003_search_index")
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TABLE IF EXISTS catalog_search_doc")  # and its triggers
    schema_editor.execute("DROP TABLE IF EXISTS catalog_search_facet")
    for statement in before.SQLITE if vendor == "sqlite" else before.POSTGRESQL:
        if "catalog_search_doc" in statement and "EXTENSION" not in statement:
            schema_editor.execute(statement)
    if vendor == "sqlite":
        schema_editor.execute("DELETE FROM catalog_search_fts")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_pinyin_initials")]
    operations = [migrations.RunPython(rebuild, restore)]
