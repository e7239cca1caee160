"""Background tasks of the core package."""

from __future__ import annotations

from typing import Any

from govshare.core.chain import verify_chain
from govshare.core.jobs import job_progress, job_task
from govshare.core.models import AuditEvent, Job


@job_task
def verify_audit_chain(job: Job) -> dict[str, Any]:
    """Walk the audit chain and report the first broken record (审计链校验)."""
    job_progress(job, 5, "verifying the audit chain")
    report = verify_chain(AuditEvent)
    return {
        "chain": report.chain,
        "checked": report.checked,
        "intact": report.is_intact,
        "broken_seq": report.broken_seq,
        "reason": report.reason,
    }
