"""Background jobs (后台任务) on the ``django.tasks`` API, with progress users can watch.

A job function is written as ``@job_task(title=..., verdict=...) def rebuild(job: Job, ...)
-> dict`` and started with ``job_start(actor=..., task=rebuild, name=...)``. The database
backend queues it and ``govshare worker`` runs it; the Job row carries status, progress and the
JSON result, which its page shows through the task's verdict, in words. A job that applies
nothing because its input did not pass its checks returns ``Rejected(result)``.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from govshare.core.actors import Actor, person_of
from govshare.core.context import audit_context
from govshare.core.evidence import audit
from govshare.core.leases import leased_task
from govshare.core.models import Job

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

FINISHED = frozenset({Job.Status.SUCCEEDED, Job.Status.REJECTED})


@dataclass(frozen=True)
class Rejected:
    """What a job function returns when its input did not pass its checks: nothing was done,
    and ``result`` says why (the job ends "rejected", not "succeeded")."""

    result: dict[str, Any]


JobFunction = Callable[..., dict[str, Any] | Rejected | None]
# What a job's result means, in sentences of the reader's language (never the raw result).
Verdict = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class JobKind:
    """How people read the jobs of one task: its title (lazy: in the reader's language, not the
    starter's) and its verdict."""

    title: StrOrPromise
    verdict: Verdict


KINDS: dict[str, JobKind] = {}  # by task path (Job.task_path)


def job_task(
    *, title: StrOrPromise, verdict: Verdict, max_attempts: int | None = None
) -> Callable[[JobFunction], Any]:
    """``@job_task(title=gettext_lazy(...), verdict=...)``: a queueable task of ``func(job,
    *args)`` that keeps its Job row up to date, and the words its page shows. With
    ``max_attempts`` it is leased (core/leases.py): requeued when its worker dies, retried
    with back-off when it raises, up to that many attempts."""

    def register(func: JobFunction) -> Any:
        queued = _queueable(func, max_attempts)
        KINDS[queued.module_path] = JobKind(title, verdict)
        return queued

    return register


def job_title(job: Job) -> StrOrPromise:
    kind = KINDS.get(job.task_path)
    return kind.title if kind else job.name


def job_verdict(job: Job) -> list[str]:
    """What the finished job found, in words; nothing while it runs or if it left no result."""
    kind = KINDS.get(job.task_path)
    if job.status == Job.Status.FAILED:
        return [_("The job stopped on an error; it has been logged for the administrators.")]
    if kind is None or not job.result or job.status not in FINISHED:
        return []
    return kind.verdict(job.result)


def _queueable(func: JobFunction, max_attempts: int | None = None) -> Any:
    @functools.wraps(func)
    def run(job_id: int, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        job = Job.objects.get(pk=job_id)
        Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started=timezone.now())
        try:
            with audit_context(source="task"):
                result = func(job, *args, **kwargs)
        except Exception as error:
            logger.exception("job %s (%s) failed", job_id, job.task_path)
            Job.objects.filter(pk=job_id).update(
                status=Job.Status.FAILED,
                finished=timezone.now(),
                message=f"{type(error).__name__}: {error}"[:500],
                result={"traceback": traceback.format_exc()[-4000:]},
            )
            raise
        kept: dict[str, Any] | None
        if isinstance(result, Rejected):
            status, kept = Job.Status.REJECTED, result.result
        else:
            status, kept = Job.Status.SUCCEEDED, result
        Job.objects.filter(pk=job_id).update(
            status=status, progress=100, finished=timezone.now(), result=kept
        )
        return kept

    return task(run) if max_attempts is None else leased_task(max_attempts=max_attempts)(run)


def job_start(
    *,
    actor: Actor,
    task: Any,
    name: str,
    args: tuple[Any, ...] = (),
    department_id: int | None = None,
) -> Job:
    """Record a Job and queue its task once the surrounding transaction commits."""
    with transaction.atomic():
        job = Job.objects.create(
            name=name,
            task_path=task.module_path,
            created_by=person_of(actor),
            department_id=department_id,
        )
        audit.record(
            actor=actor,
            action="core.job.start",
            obj=job,
            after={"name": name, "task": task.module_path},
        )
        transaction.on_commit(lambda: _enqueue(job.pk, task, args))
    return job


def _enqueue(job_id: int, task: Any, args: tuple[Any, ...]) -> None:
    result = task.enqueue(job_id, *args)
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id))


def job_progress(job: Job, percent: int, message: str = "") -> None:
    """Report progress from inside a running job (not audited: it changes no domain state)."""
    Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, percent)), message=message[:500])
