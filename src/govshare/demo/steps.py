"""The demo city's steps, in the order they build on each other.

Each step adds its part through the services and is idempotent: running ``govshare demo``
twice leaves one city.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govshare.demo import (
    bulk,
    catalog,
    exchange,
    foundation,
    inventory,
    plans,
    sharing,
    traffic,
    worktasks,
)

Say = Callable[[str], None]
DemoStep = Callable[[Any, Say], None]

STEPS: tuple[tuple[str, DemoStep], ...] = (
    ("regions", foundation.load_regions),
    ("departments", foundation.load_departments),
    ("users", foundation.load_users),
    ("inventory", inventory.load_inventory),
    ("plans", plans.load_plans),
    ("catalog", catalog.load_catalog),
    ("exchange", exchange.load_exchange),
    ("work_tasks", worktasks.load_work_tasks),
    ("sharing", sharing.load_sharing),
    ("traffic", traffic.load_traffic),
    ("bulk", bulk.load_bulk),
)
