"""``{{ job|job_title }}`` and ``{{ job|job_verdict }}``: a job as people read it, in their
language (core/jobs.py), never its stored result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from govshare.core import jobs
from govshare.core.models import Job

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()


@register.filter
def job_title(job: Job) -> StrOrPromise:
    return jobs.job_title(job)


@register.filter
def job_verdict(job: Job) -> list[str]:
    return jobs.job_verdict(job)
