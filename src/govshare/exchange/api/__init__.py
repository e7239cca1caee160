"""REST API of the exchange at /api/v1/exchange/: one router per topic."""

from ninja import Router

from govshare.exchange.api import bulk, deliveries

router = Router()
router.add_router("", deliveries.router)
router.add_router("", bulk.router)
