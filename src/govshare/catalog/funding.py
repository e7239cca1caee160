"""The catalog's answer to the funding gate (inventory.funding): how many resources in force
each information system is the source of. A system that feeds no catalogued resource fails the
gate's "no catalog resources" check (整合共享: 不编目不共享的系统不予安排运维经费)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.db.models import Count

from govshare.catalog.choices import VersionStatus
from govshare.catalog.models import ResourceVersion


def resources_per_system(system_ids: Collection[int]) -> Mapping[int, int]:
    rows = (
        ResourceVersion.source_systems.through.objects.filter(
            informationsystem_id__in=system_ids,
            resourceversion__status=VersionStatus.IN_FORCE,
        )
        .values("informationsystem_id")
        .annotate(count=Count("resourceversion_id", distinct=True))
    )
    return {row["informationsystem_id"]: row["count"] for row in rows}
