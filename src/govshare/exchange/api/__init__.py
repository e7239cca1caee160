"""REST API of the exchange at /api/v1/exchange/: one router per topic."""

from ninja import Router

from govshare.exchange.api import deliveries

router = Router()
router.add_router("", deliveries.router)
