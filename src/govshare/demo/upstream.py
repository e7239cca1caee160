"""Simulated upstream endpoints of the demo city's systems, served by the platform itself so
the demo needs no other process: health URLs that answer, fail, or hang past the probe timeout.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

# Just past the prober's default timeout (5 s): long enough to time out, short enough to
# hold a web thread only briefly.
SLOW_SECONDS = 6


def health(request: HttpRequest, index: int) -> HttpResponse:
    from govshare.inventory.demo_data import SYSTEMS

    if not 0 <= index < len(SYSTEMS):
        return JsonResponse({"status": "unknown"}, status=404)
    state = SYSTEMS[index][3].get("health")
    if state == "slow":
        time.sleep(SLOW_SECONDS)
    if state in ("down", "slow"):
        return JsonResponse({"status": "down", "system": SYSTEMS[index][1]}, status=503)
    return JsonResponse({"status": "ok", "system": SYSTEMS[index][1]})


app_name = "demo"
urlpatterns = [path("health/<int:index>", health, name="upstream_health")]
