"""URL map of the catalog: each topic's views module contributes its own patterns."""

from govshare.catalog.views import elements, indicators, resources, review, search, transfer

app_name = "catalog"

urlpatterns = [
    *search.urlpatterns,
    *resources.urlpatterns,
    *review.urlpatterns,
    *elements.urlpatterns,
    *transfer.urlpatterns,
    *indicators.urlpatterns,
]
