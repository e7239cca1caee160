"""URL map of the exchange's management pages: connections, mount slots, the delivery log and
the API console, included under the ``exchange`` namespace at /exchange/ (reverse
``exchange:delivery_list``, ``exchange:console``). Each views module lists its own paths."""

from govshare.exchange.views import (
    connections,
    console,
    deliveries,
    mounts,
    package_downloads,
    subscriptions,
)

app_name = "exchange"

urlpatterns = [
    *connections.urlpatterns,
    *mounts.urlpatterns,
    *deliveries.urlpatterns,
    *console.urlpatterns,
    *subscriptions.urlpatterns,
    *package_downloads.urlpatterns,
]
