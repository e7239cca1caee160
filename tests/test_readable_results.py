"""Pages never show people a stored dict, a field name or a code (issue 12, "raw internals").

Every job's page gives its verdict in words of the reader's language and its title in that
language (not the starter's); no template prints a value through ``pprint`` or a field list as
stored."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

import govshare
from govshare.catalog.tasks import import_catalog_workbook
from govshare.core import jobs
from govshare.core.evidence import audit
from govshare.core.models import Job
from govshare.core.tasks import verify_audit_chain
from govshare.inventory.tasks import probe_systems

pytestmark = pytest.mark.django_db

# A Python dict or list as repr() prints it, and a snake_case identifier (a code or field name).
DICT_REPR = re.compile(r"\{'\w+': |'\w+': (?:None|True|False|\d|'|\{|\[)")
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def visible_text(html: str) -> str:
    """What the page's main part shows: its text without tags, attributes, scripts or styles."""
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", main))


def raw_internals(html: str) -> list[str]:
    text = visible_text(html)
    return DICT_REPR.findall(text) + CODE.findall(text)


def run(task, job_name: str, auditor, *args) -> Job:
    """The job as the worker leaves it: queued under the name its starter saw, then run."""
    job = Job.objects.create(name=job_name, task_path=task.module_path, created_by=auditor)
    task.call(job.pk, *args)
    job.refresh_from_db()
    return job


@pytest.fixture
def finished_jobs(auditor) -> list[Job]:
    """A job of every kind, as they finish: the chain verified, systems probed, and a catalog
    import refused with its problems listed."""
    audit.record(actor=None, action="test.write", object_type="test", object_id="1")
    refused = Job.objects.create(
        name="导入资源目录",
        task_path=import_catalog_workbook.module_path,
        created_by=auditor,
        status=Job.Status.REJECTED,
        result={
            "applied": False,
            "created": 0,
            "updated": 0,
            "changed": 0,
            "unchanged": 0,
            "error_count": 2,
            "errors": [{"sheet": "资源", "row": 3, "column": "B", "code": "required"}],
        },
    )
    return [
        run(verify_audit_chain, "审计链校验", auditor),
        run(probe_systems, "系统健康探测", auditor),
        refused,
    ]


def test_every_job_kind_has_a_title_and_a_verdict():
    assert {
        verify_audit_chain.module_path,
        probe_systems.module_path,
        import_catalog_workbook.module_path,
    } <= set(jobs.KINDS)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_job_pages_give_a_verdict_in_words(client_for, auditor, finished_jobs, language):
    client = client_for(auditor)
    for job in finished_jobs:
        # When the job's page is read in either language,
        html = client.get(
            reverse("core:job_detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        # then it shows the verdict in words, no dict and no code,
        assert 'id="gs-job-verdict"' in html, job.task_path
        assert not raw_internals(html), (job.task_path, raw_internals(html))
        # and its title in the reader's language, whatever language started it.
        with translation.override(language):
            title = str(jobs.job_title(job))
        assert f'<h1 class="h4">{title}</h1>' in html
        if language == "en":
            assert job.name not in visible_text(html)


def test_no_template_prints_a_stored_structure_raw():
    templates = Path(govshare.__file__).parent.rglob("templates/**/*.html")
    raw = re.compile(r"\|\s*pprint|\.changed_fields\s*\|\s*join|\{\{\s*\w+\.result\s*\}\}")
    offenders = [str(path) for path in templates if raw.search(path.read_text())]
    assert not offenders, offenders
    assert settings.LANGUAGE_CODE == "zh-hans"
