"""The REST API at /api/v1/ (django-ninja). Routers live in each package's api.py.

Callers authenticate with a personal token (``Authorization: Bearer gs_<keyid>_<secret>``) or,
from the browser, with the session and its CSRF token. The docs at /api/v1/docs are served from
local static files (government intranets are offline) and run no inline script (CSP).
"""

from ninja.openapi.docs import Swagger

from govshare.catalog.api import router as catalog_router
from govshare.core.web.api import (
    GovshareAPI,
    JsonParser,
    JsonRenderer,
    default_auth,
    install_error_handlers,
)
from govshare.exchange.api import router as exchange_router
from govshare.identity.api import router as identity_router
from govshare.inventory.api import router as inventory_router
from govshare.orgs.api import router as orgs_router
from govshare.sharing.api import router as sharing_router

api = GovshareAPI(
    title="govshare API",
    version="1",
    description="Management-plane REST API of the govshare data-sharing node.",
    urls_namespace="api-v1",
    auth=default_auth(),
    renderer=JsonRenderer(),
    parser=JsonParser(),
    docs=Swagger(),
)
install_error_handlers(api)

api.add_router("/", orgs_router)
api.add_router("/", identity_router)
api.add_router("/inventory", inventory_router)
api.add_router("/catalog", catalog_router)
api.add_router("/sharing", sharing_router)
api.add_router("/exchange", exchange_router)
