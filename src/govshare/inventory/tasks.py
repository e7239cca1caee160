"""Background tasks of the inventory (run by ``govshare worker``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.jobs import job_progress, job_task
from govshare.core.models import Job
from govshare.inventory.health import probe_all

PROGRESS_STEP = 5  # percent; a job row is not rewritten after every system


def probe_verdict(result: dict[str, Any]) -> list[str]:
    return [
        _("%(probed)s systems probed: %(up)s answered, %(down)s did not.")
        % {key: result.get(key, 0) for key in ("probed", "up", "down")}
    ]


@job_task(title=gettext_lazy("Probe system health"), verdict=probe_verdict)
def probe_systems(job: Job) -> dict[str, Any]:
    """Probe every system's health URL once (健康探测) and report how many answered."""
    job_progress(job, 1, _("Probing the systems' health URLs"))
    reported = {"percent": 0}

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total
        if percent - reported["percent"] >= PROGRESS_STEP and percent < 100:
            reported["percent"] = percent
            counts = {"done": done, "total": total}
            job_progress(job, percent, _("%(done)s of %(total)s systems probed") % counts)

    checks = probe_all(on_progress=progress)
    up = sum(1 for check in checks if check.is_up)
    return {"probed": len(checks), "up": up, "down": len(checks) - up}
