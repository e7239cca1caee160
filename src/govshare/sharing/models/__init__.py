"""Models of the sharing workflow: requests, grants, credentials and the working-day calendar."""

from govshare.sharing.models.credentials import AppCredential, CalendarDay
from govshare.sharing.models.requests import (
    Grant,
    GrantItem,
    RequestEvent,
    RequestItem,
    ShareRequest,
)

__all__ = [
    "AppCredential",
    "CalendarDay",
    "Grant",
    "GrantItem",
    "RequestEvent",
    "RequestItem",
    "ShareRequest",
]
