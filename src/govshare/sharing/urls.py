"""URL map of the sharing workflow: requests, inboxes, grants, credentials and the working-day
calendar, under one namespace (views.calendar.NAMESPACE)."""

from govshare.sharing import urls_calendar
from govshare.sharing.views import calendar, credentials, grants, inbox, refusals, requests

app_name = calendar.NAMESPACE

urlpatterns = [
    *requests.urlpatterns,
    *refusals.urlpatterns,
    *inbox.urlpatterns,
    *grants.urlpatterns,
    *credentials.urlpatterns,
    *urls_calendar.urlpatterns,
]
