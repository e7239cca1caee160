"""REST API of the catalog at /api/v1/catalog/: one router per topic."""

from ninja import Router

from govshare.catalog.api import exports, resources, search

router = Router()
router.add_router("", search.router)
router.add_router("", resources.router)
router.add_router("", exports.router)
