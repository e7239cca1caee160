"""Append-only log tables (只增日志表): the database itself refuses UPDATE and DELETE of their rows.

The models refuse ``save`` of an existing row and ``delete`` (chain.HashChainedModel), but a
queryset's ``update()``/``delete()`` or raw SQL go around them. A trigger does not (issue #11
item 4): on PostgreSQL a row-level ``BEFORE UPDATE OR DELETE`` trigger raises, so the
application's role cannot change the evidence; getting past it takes a superuser
(``session_replication_role``) or the table's owner (``ALTER TABLE … DISABLE TRIGGER``) — which
is why the chains are also signed (core/evidence/checkpoints.py). TRUNCATE is left to the owner:
it is how the test suite and ``govshare flush`` empty tables, and the signed checkpoints catch it.

SQLite has no roles; its triggers guard against the application's own mistakes. There
``govshare flush`` (and the test suite, which flushes with DELETE) may empty the logs, as
TRUNCATE may on PostgreSQL: the DELETE trigger asks the SQL function ``govshare_log_erasable()``,
which each of the application's connections defines and which says yes only inside
``logs_erasable()``. A connection that lacks the function (the sqlite3 shell) cannot delete.

Each app guards its own table from a migration (``guard_table``). On SQLite, Django rebuilds a
table for some schema changes and the rebuild drops its triggers: a migration that alters a
guarded table ends with ``guard_table`` again (tests/core/test_append_only.py checks they are
in place after every migration).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import migrations

ERASABLE_FUNCTION = "govshare_log_erasable"
PG_FUNCTION = "govshare_refuse_log_change"

_erasable: ContextVar[bool] = ContextVar("govshare_logs_erasable", default=False)

# restrict_violation (SQLSTATE 23001): Django raises IntegrityError, as SQLite's RAISE(ABORT) does.
PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %: the log is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def pg_guard_sql(table: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"',
        f'CREATE TRIGGER "{table}_append_only" BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
    ]


def sqlite_guard_sql(table: str) -> list[str]:
    refuse = "SELECT RAISE(ABORT, '{}: the log is append-only ({} refused)');"
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN {refuse.format(table, 'UPDATE')} END",
        f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"WHEN NOT {ERASABLE_FUNCTION}() BEGIN {refuse.format(table, 'DELETE')} END",
    ]


def guard_sql(vendor: str, table: str) -> list[str]:
    """The statements that make ``table`` append-only on this database vendor."""
    if vendor == "postgresql":
        return [PG_FUNCTION_SQL, *pg_guard_sql(table)]
    if vendor == "sqlite":
        return sqlite_guard_sql(table)
    return []


def unguard_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{table}_append_only" ON "{table}"']
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{table}_{name}"' for name in ("no_update", "no_delete")]
    return []


def guard_table(table: str) -> migrations.RunPython:
    """A migration operation: make ``table`` append-only (reversible)."""
    return migrations.RunPython(
        partial(_run, guard_sql, table), partial(_run, unguard_sql, table), elidable=False
    )


def _run(statements: Any, table: str, _apps: Any, schema_editor: Any) -> None:
    for sql in statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql, params=None)  # no parameters: the % in PL/pgSQL is literal


@contextlib.contextmanager
def logs_erasable() -> Iterator[None]:
    """Let this context's SQLite connections delete log rows (``flush`` only)."""
    token = _erasable.set(True)
    try:
        yield
    finally:
        _erasable.reset(token)


def _erasable_now() -> bool:
    return _erasable.get()


def define_sql_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give a new SQLite connection ``govshare_log_erasable()``."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            ERASABLE_FUNCTION, 0, _erasable_now, deterministic=False
        )
