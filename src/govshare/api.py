"""The REST API at /api/v1/ (django-ninja). Routers live in each package's api.py."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="govshare API", version="1", urls_namespace="api-v1")
