"""REST API of the exchange at /api/v1/exchange/: one router per topic."""

from ninja import Router

from govshare.exchange.api import bulk, deliveries, package_downloads

router = Router()
router.add_router("", deliveries.router)
router.add_router("", bulk.router)
router.add_router("", package_downloads.router)
