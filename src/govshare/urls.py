"""URL map of the management plane."""

from django.conf import settings
from django.urls import include, path

from govshare.api import api

urlpatterns = [
    path("", include("govshare.core.urls")),
    path("accounts/", include("govshare.identity.urls")),
    path("orgs/", include("govshare.orgs.urls")),
    path("inventory/", include("govshare.inventory.urls")),
    path("catalog/", include("govshare.catalog.urls")),
    path("sharing/", include("govshare.sharing.urls")),
    path("exchange/", include("govshare.exchange.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.GOVSHARE_DEMO_ENDPOINTS:
    # The demo city's simulated systems (health URLs); off in production (.env.example).
    urlpatterns.append(path("demo/upstream/", include("govshare.demo.upstream")))

handler400 = "govshare.core.views.bad_request"
handler403 = "govshare.core.views.permission_denied"
handler404 = "govshare.core.views.page_not_found"
handler500 = "govshare.core.views.server_error"
