"""URL map of the delivery log pages and the API console; included under the ``exchange``
namespace at /exchange/ (reverse ``exchange:delivery_list``, ``exchange:console``)."""

from django.urls import URLPattern

from govshare.exchange import views_console, views_deliveries

urlpatterns: list[URLPattern] = [*views_deliveries.urlpatterns, *views_console.urlpatterns]
