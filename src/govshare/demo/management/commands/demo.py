"""``govshare demo``: build (or complete) the demo city. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from govshare.core.actors import system_actor
from govshare.core.context import audit_context
from govshare.demo import steps as _foundation_steps  # noqa: F401  (registers the steps)
from govshare.demo.registry import steps


class Command(BaseCommand):
    help = "Load the demo city (潍坊市): regions, departments, users and module data."

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("demo")  # each package's demo.py registers its steps
        actor = system_actor()
        with audit_context(source="demo"):
            for step in steps():
                step.run(actor, self.stdout.write)
        self.stdout.write(self.style.SUCCESS("demo city ready"))
