"""Background jobs: queued through django.tasks' database backend, run by the worker."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from govshare.core.evidence import audit
from govshare.core.evidence.checkpoints import local_store, take_checkpoint
from govshare.core.evidence.signing import load_or_create_node_key
from govshare.core.jobs import job_start
from govshare.core.models import AuditEvent, Job
from govshare.core.tasks import verify_audit_chain
from tests.tamper import past_the_log_guard

pytestmark = pytest.mark.django_db(transaction=True)


def _run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_an_auditor_starts_a_chain_verification_that_the_worker_completes(auditor):
    audit.record(actor=None, action="test.write", object_type="test", object_id="1")
    job = job_start(actor=auditor, task=verify_audit_chain, name="verify")
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_result_id
    _run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.progress == 100
    assert job.result["intact"] is True and job.result["checked"] >= 1


def test_a_job_reports_a_broken_chain(auditor):
    first = audit.record(actor=None, action="test.write", object_type="test", object_id="1")
    audit.record(actor=None, action="test.write", object_type="test", object_id="2")
    with past_the_log_guard(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = 'x' WHERE seq = %s", [first.seq])
    job = job_start(actor=auditor, task=verify_audit_chain, name="verify")
    _run_worker()
    job.refresh_from_db()
    assert job.result["intact"] is False and job.result["broken_seq"] == first.seq


def test_the_job_page_shows_how_the_chain_stands_against_its_checkpoints(auditor, client_for):
    # given a checkpointed audit chain whose checkpoint line was then altered
    audit.record(actor=None, action="test.write", object_type="test", object_id="1")
    take_checkpoint(AuditEvent, load_or_create_node_key())
    path = local_store().path("audit")
    path.write_text(path.read_text().replace('"node":"', '"node":"x'))

    # when an auditor runs the verification
    job = job_start(actor=auditor, task=verify_audit_chain, name="verify")
    _run_worker()

    # then the chain walks intact, but the job fails it on its checkpoints and its page says why
    job.refresh_from_db()
    assert job.result["broken_seq"] is None and job.result["intact"] is False
    assert job.result["checkpoints"]["fault"] == "signature_invalid"
    page = client_for(auditor).get(f"/jobs/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert 'data-checkpoints="signature_invalid"' in html
    assert "checkpoint signature invalid" in html and "First record not covered" in html
