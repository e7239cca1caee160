"""Background tasks of the inventory (run by ``govshare worker``)."""

from __future__ import annotations

from typing import Any

from govshare.core.jobs import job_progress, job_task
from govshare.core.models import Job
from govshare.inventory.health import probe_all

PROGRESS_STEP = 5  # percent; a job row is not rewritten after every system


@job_task
def probe_systems(job: Job) -> dict[str, Any]:
    """Probe every system's health URL once (健康探测) and report how many answered."""
    job_progress(job, 1, "probing system health URLs")
    reported = {"percent": 0}

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total
        if percent - reported["percent"] >= PROGRESS_STEP and percent < 100:
            reported["percent"] = percent
            job_progress(job, percent, f"{done} of {total} systems probed")

    checks = probe_all(on_progress=progress)
    up = sum(1 for check in checks if check.is_up)
    return {"probed": len(checks), "up": up, "down": len(checks) - up}
