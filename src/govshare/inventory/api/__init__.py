"""REST API of the inventory at /api/v1/inventory/: one router per topic."""

from ninja import Router

from govshare.inventory.api import projects, systems, worktasks

router = Router()
router.add_router("", systems.router)
router.add_router("", projects.router)
router.add_router("", worktasks.router)
