"""URL map of the exchange's management pages: connections, mount slots, the delivery log and
the API console."""

from govshare.exchange import urls_deliveries
from govshare.exchange.views import connections, mounts

app_name = "exchange"

urlpatterns = [*connections.urlpatterns, *mounts.urlpatterns, *urls_deliveries.urlpatterns]
