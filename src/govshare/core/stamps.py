"""Change stamps: cheap cross-process signals that a compiled view is out of date."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from govshare.core.models import ChangeStamp


def bump(name: str) -> None:
    """Advance ``name``'s stamp once the surrounding transaction commits."""

    def _advance() -> None:
        updated = ChangeStamp.objects.filter(name=name).update(version=F("version") + 1)
        if not updated:
            ChangeStamp.objects.get_or_create(name=name, defaults={"version": 1})

    transaction.on_commit(_advance)


def current(name: str) -> int:
    return ChangeStamp.objects.filter(name=name).values_list("version", flat=True).first() or 0
