"""``govshare calendar_import YEAR`` or ``govshare calendar_import --csv FILE``: fill the
working-day calendar (工作日历) from the national holiday data or from a CSV file.

The CSV has a header ``date,kind,name`` and one row per day, ``kind`` being ``holiday`` or
``workday`` (调休上班日), e.g. ``2027-02-06,workday,春节调休上班``. Every row goes through the
same service as the calendar page, as the system actor; the first invalid row stops the import
and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from govshare.core.actors import system_actor
from govshare.core.context import audit_context
from govshare.sharing.services.calendar import calendar_day_set, calendar_year_load


class Command(BaseCommand):
    help = "Load a year's national holidays, or import calendar days from a CSV (工作日历)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", nargs="?", type=int, help="load this year's national holidays")
        parser.add_argument("--csv", type=Path, help="import date,kind,name rows from this file")

    def handle(self, *args: Any, **options: Any) -> None:
        if (options["year"] is None) == (options["csv"] is None):
            raise CommandError("give either a YEAR or --csv FILE")
        with audit_context(source="cli"):
            try:
                if options["csv"] is not None:
                    count = self._import(options["csv"])
                else:
                    count = calendar_year_load(actor=system_actor(), year=options["year"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{count} calendar days written")

    def _import(self, path: Path) -> int:
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from error
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                try:
                    date = dt.date.fromisoformat((row.get("date") or "").strip())
                except ValueError:
                    raise CommandError(f"line {line}: date must be YYYY-MM-DD") from None
                try:
                    calendar_day_set(
                        actor=system_actor(),
                        date=date,
                        kind=(row.get("kind") or "").strip(),
                        name=row.get("name") or "",
                    )
                except ValidationError as error:
                    raise CommandError(f"line {line}: {'; '.join(error.messages)}") from error
        return len(rows)
