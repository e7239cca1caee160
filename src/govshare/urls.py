"""URL map of the management plane."""

from django.urls import include, path

from govshare.api import api

urlpatterns = [
    path("", include("govshare.core.urls")),
    path("accounts/", include("govshare.identity.urls")),
    path("orgs/", include("govshare.orgs.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "govshare.core.views.bad_request"
handler403 = "govshare.core.views.permission_denied"
handler404 = "govshare.core.views.page_not_found"
handler500 = "govshare.core.views.server_error"
