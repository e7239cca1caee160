"""REST API of the catalog at /api/v1/catalog/: one router per topic."""

from ninja import Router

from govshare.catalog.api import categories, exports, indicators, resources, search

router = Router()
router.add_router("", search.router)
router.add_router("", resources.router)
router.add_router("", exports.router)
router.add_router("", categories.router)
router.add_router("", indicators.router)
