"""``govshare sharing_sweep [--every SECONDS]``: expire grants past their validity.

The gateway stops serving an expired grant by its date on its own; the sweep moves the request
to "expired" so lists, inboxes and indicators say so. ``govshare run`` starts it on a schedule.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from govshare.core.context import audit_context
from govshare.sharing.services.grants import grants_expire

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Expire grants past their validity (授权到期), once or every SECONDS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=None, help="repeat every SECONDS")
        parser.add_argument("--count", type=int, default=None, help="with --every: N rounds")
        parser.add_argument("--delay", type=float, default=0.0, help="wait before the first")

    def handle(self, *args: Any, **options: Any) -> None:
        every, count = options["every"], options["count"]
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        if count is not None and count < 1:
            raise CommandError("--count must be at least 1")
        if options["delay"] < 0:
            raise CommandError("--delay must not be negative")
        time.sleep(options["delay"])
        rounds = 0
        while True:
            if rounds:  # a long-running schedule: drop connections the database has closed
                close_old_connections()
            self._round()
            rounds += 1
            if every is None or (count is not None and rounds >= count):
                return
            try:
                time.sleep(every)
            except KeyboardInterrupt:
                return

    def _round(self) -> None:
        try:
            with audit_context(source="task"):
                expired = grants_expire()
        except Exception:  # keep the schedule alive; the next round retries
            logger.exception("sharing sweep failed")
            return
        self.stdout.write(f"expired {expired} grant(s)")
