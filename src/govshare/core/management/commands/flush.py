"""``govshare flush``: Django's flush, able to empty the append-only logs on SQLite too.

Emptying every table is an owner's act: on PostgreSQL flush uses TRUNCATE, which the log
tables' row triggers leave alone; on SQLite it deletes rows, so it lifts their DELETE trigger
for its own statements (core/evidence/append_only.py). The test suite flushes this way between
tests.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from govshare.core.evidence.append_only import logs_erasable


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with logs_erasable():
            super().handle(**options)
