"""Simulated upstream endpoints of the demo city's systems, served by the platform itself so
the demo needs no other process: health URLs that answer, fail, or hang past the probe timeout.
"""

from __future__ import annotations

import random
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from govshare.catalog.models import Resource
from govshare.demo.inventory_data import SYSTEMS
from govshare.demo.values import Column, Values

# Just past the prober's default timeout (5 s): long enough to time out, short enough to
# hold a web thread only briefly.
SLOW_SECONDS = 6


def health(request: HttpRequest, index: int) -> HttpResponse:
    if not 0 <= index < len(SYSTEMS):
        return JsonResponse({"status": "unknown"}, status=404)
    state = SYSTEMS[index][3].get("health")
    if state == "slow":
        time.sleep(SLOW_SECONDS)
    if state in ("down", "slow"):
        return JsonResponse({"status": "down", "system": SYSTEMS[index][1]}, status=503)
    return JsonResponse({"status": "ok", "system": SYSTEMS[index][1]})


def records(request: HttpRequest, resource_id: int) -> HttpResponse:
    """A provider's interface for one resource (上游接口): records for the key asked, values
    generated from the key, so the same key always answers the same record.

    Answers 401 without the provider's key header, as a real upstream would.
    """
    if request.headers.get("X-Upstream-Key") != f"demo-upstream-{resource_id}":
        return JsonResponse({"error": "unauthorized"}, status=401)
    resource = Resource.objects.filter(pk=resource_id).select_related("current_version").first()
    if resource is None or resource.current_version is None:
        return JsonResponse({"error": "unknown resource"}, status=404)
    keys = {name: value for name, value in request.GET.items() if value}
    if not keys:
        return JsonResponse({"data": []})
    values = Values(random.Random("|".join(f"{k}={v}" for k, v in sorted(keys.items()))))
    record: dict[str, object] = {}
    for item in resource.current_version.items.order_by("position"):
        name = item.identifier.lower()
        column = Column(item.identifier, item.data_type, item.name, item.length)
        record[name] = keys.get(name) or values.of(column, 0)
    return JsonResponse({"data": [record], "source": resource.name})


app_name = "demo"
urlpatterns = [
    path("health/<int:index>", health, name="upstream_health"),
    path("records/<int:resource_id>", records, name="upstream_records"),
]
