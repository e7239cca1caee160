"""The search index of the catalog (govshare.catalog.search), in raw SQL per database.

SQLite: a facet table plus an FTS5 table with the ``unicode61`` tokenizer over jieba-segmented
text (not the trigram tokenizer: it finds nothing for two-character words, stack.md §3).
PostgreSQL: one table with a weighted ``to_tsvector('simple', …)`` under GIN, and pg_trgm on the
name for substring matching (pg_trgm needs a UTF-8 ctype to see Chinese).
"""

from django.db import migrations

# Facet columns, the same on both databases (is_open as 0/1 so both compare it alike), and the
# resource columns restrict() reads (provider_id, current_version_id).
COLUMNS = """
    code varchar(40) NULL,
    name text NOT NULL,
    summary text NOT NULL,
    category_code varchar(20) NOT NULL,
    class_code varchar(1) NOT NULL,
    item_code varchar(3) NOT NULL,
    provider_id bigint NOT NULL,
    share_type varchar(16) NOT NULL,
    is_open smallint NOT NULL,
    format_class varchar(20) NOT NULL,
    update_cycle varchar(12) NOT NULL,
    grade varchar(12) NOT NULL,
    mount_status varchar(12) NOT NULL,
    status varchar(12) NOT NULL,
    current_version_id bigint NULL
"""

# One row: a token replaced on every change of the index, so cached counts know they are stale.
STATE = [
    "CREATE TABLE catalog_search_state "
    "(id integer NOT NULL PRIMARY KEY, token varchar(32) NOT NULL)",
    "INSERT INTO catalog_search_state (id, token) VALUES (1, 'initial')",
]
# The state that tells the post_migrate step to rebuild the index (catalog.search.index).
MARK_FOR_REBUILD = "UPDATE catalog_search_state SET token = 'rebuild' WHERE id = 1"

SQLITE = [
    # resource_id is the rowid, the same as the FTS row's, so the two join by rowid.
    f"CREATE TABLE catalog_search_doc (resource_id integer NOT NULL PRIMARY KEY, {COLUMNS})",
    "CREATE INDEX catalog_search_doc_name ON catalog_search_doc (name, resource_id)",
    "CREATE INDEX catalog_search_doc_code ON catalog_search_doc (code)",
    # detail=full (the default), though no phrase query is made: with less detail, bm25 has
    # to re-tokenize every matching row and ranks ten times slower.
    "CREATE VIRTUAL TABLE catalog_search_fts USING fts5("
    "name, keywords, summary, items, tokenize='unicode61')",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS catalog_search_fts", "DROP TABLE IF EXISTS catalog_search_doc"]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE TABLE catalog_search_doc (resource_id bigint NOT NULL PRIMARY KEY, {COLUMNS}, "
    "document tsvector NOT NULL)",
    "CREATE INDEX catalog_search_doc_document ON catalog_search_doc USING gin (document)",
    "CREATE INDEX catalog_search_doc_name_trgm ON catalog_search_doc USING gin (name gin_trgm_ops)",
    "CREATE INDEX catalog_search_doc_name ON catalog_search_doc (name, resource_id)",
    "CREATE INDEX catalog_search_doc_code ON catalog_search_doc (code text_pattern_ops)",
]
POSTGRESQL_DROP = ["DROP TABLE IF EXISTS catalog_search_doc"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise RuntimeError(f"the catalog search index supports SQLite and PostgreSQL, not {vendor}")
    _run(schema_editor, [*STATE, *(SQLITE if vendor == "sqlite" else POSTGRESQL)])
    # The index is filled after migrate, by today's code (CatalogConfig's post_migrate step):
    # a migration runs at its point in history, and the index rows are written for today's.
    _run(schema_editor, [MARK_FOR_REBUILD])


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    drops = SQLITE_DROP if vendor == "sqlite" else POSTGRESQL_DROP
    _run(schema_editor, [*drops, "DROP TABLE IF EXISTS catalog_search_state"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_seed")]
    operations = [migrations.RunPython(create_index, drop_index)]
