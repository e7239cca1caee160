"""Background tasks of the core package."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govshare.core.evidence.chain import verify_chain
from govshare.core.evidence.checkpoints import verify_checkpoints
from govshare.core.jobs import job_progress, job_task
from govshare.core.models import AuditEvent, Job

# The chain walk's findings (core/evidence/chain.py) by their first words, as an auditor reads them.
BREAK_KINDS = {
    "sequence gap": gettext_lazy("a record before it is missing"),
    "link to the previous": gettext_lazy("its link to the previous record does not match"),
    "content does not match": gettext_lazy("its content was changed after it was written"),
    "records missing at the end": gettext_lazy("records are missing at the end of the chain"),
}


def chain_verdict(result: dict[str, Any]) -> list[str]:
    """The verification's outcome in words: intact, or where and how the chain breaks (the
    checkpoints' outcome has its own section on the job's page)."""
    counts = {"checked": result.get("checked", 0)}
    if result.get("intact"):
        return [_("The audit chain is intact: %(checked)s records checked.") % counts]
    broken = result.get("broken_seq")
    if broken is None:
        return [
            _(
                "The records link up (%(checked)s checked), "
                "but the chain fails its signed checkpoints."
            )
            % counts
        ]
    reason = str(result.get("reason", ""))
    kind = next((text for start, text in BREAK_KINDS.items() if reason.startswith(start)), "")
    return [
        _("The audit chain is broken at record #%(seq)s: %(kind)s.")
        % {"seq": broken, "kind": kind or reason}
    ]


@job_task(title=gettext_lazy("Verify audit chain"), verdict=chain_verdict)
def verify_audit_chain(job: Job) -> dict[str, Any]:
    """Walk the audit chain and report the first broken record (审计链校验), then check it
    against its signed checkpoints (签名检查点); intact only when both hold."""
    job_progress(job, 5, _("Verifying the audit chain"))
    report = verify_chain(AuditEvent)
    job_progress(job, 90, _("Checking the signed checkpoints"))
    checkpoints = verify_checkpoints(AuditEvent)
    return {
        "chain": report.chain,
        "checked": report.checked,
        "intact": report.is_intact and checkpoints.is_ok,
        "broken_seq": report.broken_seq,
        "reason": report.reason,
        "checkpoints": checkpoints.as_dict(),
    }
