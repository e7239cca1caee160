"""``govshare probe [--every SECONDS] [--count N]``: probe every system's health URL.

Without ``--every`` it probes once. With it, it probes again every SECONDS until stopped (or
``--count`` rounds): the schedule until the node has a scheduler.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from govshare.core.context import audit_context
from govshare.inventory.health import probe_all

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Probe the health URL of every system (健康探测), once or on a schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every", type=float, default=None, help="probe again every SECONDS until stopped"
        )
        parser.add_argument(
            "--count", type=int, default=None, help="with --every: stop after N rounds"
        )
        parser.add_argument(
            "--delay", type=float, default=0.0, help="wait SECONDS before the first round"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every, count = options["every"], options["count"]
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds")
        if count is not None and count < 1:
            raise CommandError("--count must be at least 1")
        if options["delay"] < 0:
            raise CommandError("--delay must not be negative")
        time.sleep(options["delay"])  # e.g. let the web server that serves them start first
        if every is None:
            self._round()
            return
        try:
            self._schedule(every, count)
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def _schedule(self, every: float, count: int | None) -> None:
        rounds = 0
        while count is None or rounds < count:
            started = time.monotonic()
            self._round_or_log()
            rounds += 1
            if count is None or rounds < count:
                time.sleep(max(0.0, every - (time.monotonic() - started)))
                close_old_connections()  # a long-running loop must not hold a stale connection

    def _round_or_log(self) -> None:
        # On a schedule one failed round (a database restart, say) must not end the schedule.
        try:
            self._round()
        except Exception:
            logger.exception("health probe round failed; trying again next round")

    def _round(self) -> None:
        with audit_context(source="cli"):
            checks = probe_all()
        up = sum(1 for check in checks if check.is_up)
        self.stdout.write(f"probed {len(checks)} systems: {up} up, {len(checks) - up} down")
