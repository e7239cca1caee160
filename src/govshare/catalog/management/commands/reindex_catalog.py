"""``govshare reindex_catalog``: rebuild the catalog's Chinese search index from the catalog."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from govshare.catalog.search.index import reindex_all


class Command(BaseCommand):
    help = "Rebuild the catalog search index (目录检索索引)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"indexed {reindex_all()} resources")
