"""Tampering with the evidence as someone who owns the database would (issue #11 item 4).

The log tables refuse UPDATE and DELETE (core/evidence/append_only.py). A tamperer with the keys
to the database gets past that: on PostgreSQL a superuser (the test user is one) turns row
triggers off for the session with ``session_replication_role = replica``; on SQLite anyone who
can write the file drops the triggers. Tests that play the tamperer do it inside
``past_the_log_guard()``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection

from govshare.core.evidence.append_only import guard_sql, unguard_sql

LOG_TABLES = ("core_auditevent", "exchange_deliveryrecord")


@contextlib.contextmanager
def past_the_log_guard() -> Iterator[None]:
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        for table in LOG_TABLES if vendor == "sqlite" else ():
            for sql in unguard_sql(vendor, table):
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
            for table in LOG_TABLES if vendor == "sqlite" else ():
                for sql in guard_sql(vendor, table):
                    cursor.execute(sql)
