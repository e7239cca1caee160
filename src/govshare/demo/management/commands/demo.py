"""``govshare demo``: build (or complete) the demo city. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from govshare.core.actors import system_actor
from govshare.core.context import audit_context
from govshare.demo.steps import STEPS


class Command(BaseCommand):
    help = "Load the demo city (潍坊市): regions, departments, users and module data."

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor()
        with audit_context(source="demo"):
            for _name, run in STEPS:
                run(actor, self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo city ready"))
