"""Background tasks of the core package."""

from __future__ import annotations

from typing import Any

from govshare.core.chain import verify_chain
from govshare.core.checkpoints import verify_checkpoints
from govshare.core.jobs import job_progress, job_task
from govshare.core.models import AuditEvent, Job


@job_task
def verify_audit_chain(job: Job) -> dict[str, Any]:
    """Walk the audit chain and report the first broken record (审计链校验), then check it
    against its signed checkpoints (签名检查点); intact only when both hold."""
    job_progress(job, 5, "verifying the audit chain")
    report = verify_chain(AuditEvent)
    job_progress(job, 90, "checking the signed checkpoints")
    checkpoints = verify_checkpoints(AuditEvent)
    return {
        "chain": report.chain,
        "checked": report.checked,
        "intact": report.is_intact and checkpoints.is_ok,
        "broken_seq": report.broken_seq,
        "reason": report.reason,
        "checkpoints": checkpoints.as_dict(),
    }
