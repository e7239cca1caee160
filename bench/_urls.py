"""The project's URLs plus the bare baseline views the benchmarks compare against."""

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, F
from django.http import HttpRequest, JsonResponse
from django.urls import path

from govshare.orgs.models import Department
from govshare.urls import urlpatterns as project_urlpatterns

PAGE = 50
DEPARTMENT_FIELDS = (
    "id", "name", "short_name", "uscc", "level", "kind", "parent_id", "is_sharing_authority",
    "is_active", "contact_name", "contact_phone", "contact_email", "address", "created", "updated",
)  # fmt: skip


def bare_departments(request: HttpRequest) -> JsonResponse:
    """The first page of GET /api/v1/departments, as plain Django: no auth, no restrict, no
    schema — what the API's list would cost without the API around it."""
    departments = Department.objects.annotate(
        member_count=Count("memberships__user", distinct=True), region_code=F("region__code")
    ).order_by("region__code", "name")
    rows: list[dict[str, Any]] = list(
        departments.values(*DEPARTMENT_FIELDS, "region_code", "member_count")[:PAGE]
    )
    body = {"items": rows, "count": departments.count()}
    return JsonResponse(body, encoder=DjangoJSONEncoder, json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench/departments", bare_departments), *project_urlpatterns]
