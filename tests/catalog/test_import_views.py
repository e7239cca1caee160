"""The import pages: an upload queues a job that imports the workbook, all rows or none, and the
job's page shows its progress and then what was applied, or the problems and the error workbook
(views/transfer.py, catalog/tasks.py)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from govshare.catalog import tasks
from govshare.catalog.models import Resource
from govshare.catalog.views import transfer
from govshare.core.errors import error_message
from govshare.core.models import AuditEvent, Job
from tests.catalog.test_workbook import filled, item_row, mixed_workbook, resource_row

pytestmark = pytest.mark.django_db
# The job is queued when the upload's transaction commits, and run by the worker's own loop.
runs_jobs = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def run_jobs() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def upload(client, content: bytes):
    file = io.BytesIO(content)
    file.name = "目录.xlsx"
    return client.post(reverse("catalog:import"), {"file": file})


def clean_workbook() -> bytes:
    return filled([resource_row()], [item_row("户籍人口基本信息", "XM")])


def job_page(job: Job) -> str:
    return reverse("catalog:import_job", args=[job.pk])


def error_workbook_url(job: Job) -> str:
    return reverse("catalog:import_job_errors", args=[job.pk])


@runs_jobs
def test_an_upload_is_imported_by_a_job_whose_page_follows_it_to_what_was_applied(
    client_for, officer_a, dept_a
):
    client = client_for(officer_a)

    # when the officer uploads a clean workbook
    response = upload(client, clean_workbook())

    # then a job of theirs for their department is queued and the page follows it; nothing
    # is applied before the worker runs it
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_page(job)
    assert (job.created_by, job.department_id, job.status) == (officer_a, dept_a.pk, "queued")
    assert not Resource.objects.exists()
    page = client.get(job_page(job)).content.decode()
    assert 'data-job-status="queued"' in page and "hx-get" in page

    # when the worker runs the job
    run_jobs()

    # then the resource is drafted for the department and the import audited as the officer's
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert Resource.objects.get().provider == dept_a
    assert AuditEvent.objects.filter(action="catalog.workbook.import", actor=officer_a).exists()

    # and the page (as htmx polls it) shows what was applied, stops polling, and the upload
    # is not kept
    poll = client.get(job_page(job), headers={"HX-Request": "true"}).content.decode()
    assert 'id="gs-import-applied"' in poll and "hx-get" not in poll
    assert 'id="gs-error-workbook"' not in poll
    assert client.get(error_workbook_url(job)).status_code == 404
    assert not any(tasks.import_folder(job.pk).iterdir())
    # and the import page lists it among the officer's recent imports
    assert job_page(job) in client.get(reverse("catalog:import")).content.decode()


@runs_jobs
def test_a_bad_upload_applies_nothing_and_its_page_offers_the_marked_workbook(
    client_for, officer_a
):
    # given a workbook with good and bad rows, uploaded and run
    client = client_for(officer_a)
    upload(client, mixed_workbook())
    run_jobs()
    job = Job.objects.get()

    # then nothing was written, the job ended rejected (not "succeeded") on every list, and
    # its page lists the problems and offers the error workbook
    assert job.status == Job.Status.REJECTED and not Resource.objects.exists()
    recent = client.get(reverse("catalog:import")).content.decode()
    assert str(Job.Status.REJECTED.label) in recent
    assert str(Job.Status.SUCCEEDED.label) not in recent
    assert str(Job.Status.REJECTED.label) in client.get(reverse("core:job_list")).content.decode()
    assert not AuditEvent.objects.filter(action="catalog.workbook.import").exists()
    page = client.get(job_page(job)).content.decode()
    assert 'id="gs-import-failed"' in page and 'id="gs-import-errors"' in page
    assert "不存在的资源" in page and error_workbook_url(job) in page

    # and the error workbook downloads, with its 错误 column
    marked = client.get(error_workbook_url(job))
    assert marked.status_code == 200 and marked["Content-Type"] == transfer.XLSX
    rows = list(load_workbook(io.BytesIO(marked.content))["信息资源"].iter_rows(values_only=True))
    assert rows[0][-1] == "错误"


@runs_jobs
def test_the_job_page_says_each_rule_in_words_never_its_code(client_for, officer_a):
    # given the mixed workbook's import, rejected
    client = client_for(officer_a)
    upload(client, mixed_workbook())
    run_jobs()
    job = Job.objects.get()

    # when its page is read in English, then each problem's rule is in words, no code shown
    page = client.get(job_page(job), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = page.split('id="gs-import-errors"', 1)[1].split("</table>", 1)[0]
    rules = {cell.strip() for cell in re.findall(r'<td class="small">([^<]*)</td>', table)}
    codes = {error["code"] for error in job.result["errors"]}
    assert rules == {str(error_message(code)) for code in codes} and len(rules) == len(codes)
    assert not codes & rules and "A classification code that exists" in rules
    assert not any(f">{code}<" in table for code in codes)


@runs_jobs
@pytest.mark.parametrize("who", ["officer_b", "staff_a", None])
def test_another_user_sees_neither_the_import_nor_its_error_workbook(
    request, client, client_for, officer_a, admin_user, who
):
    # given officer A's failed import
    upload(client_for(officer_a), mixed_workbook())
    run_jobs()
    job = Job.objects.get()

    # then another department's officer, A's staff and the anonymous see nothing of it
    other = client_for(request.getfixturevalue(who)) if who else client
    for url in (job_page(job), error_workbook_url(job)):
        response = other.get(url)
        assert response.status_code == (404 if who else 302), url
    if who:
        assert job_page(job) not in other.get(reverse("core:job_list")).content.decode()

    # while an administrator does
    admin = client_for(admin_user)
    assert admin.get(job_page(job)).status_code == 200
    assert admin.get(error_workbook_url(job)).status_code == 200


@runs_jobs
def test_an_import_runs_with_the_uploaders_roles_when_it_runs(client_for, officer_a, dept_a):
    # given an upload, after which the officer loses the data officer role
    upload(client_for(officer_a), clean_workbook())
    officer_a.memberships.filter(department=dept_a).delete()

    # when the worker runs it
    run_jobs()

    # then the import is refused and nothing is written
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and not Resource.objects.exists()
    page = client_for(officer_a).get(job_page(job)).content.decode()
    assert 'id="gs-import-stopped"' in page


def test_staff_may_not_import(client_for, staff_a):
    client = client_for(staff_a)
    assert client.get(reverse("catalog:import")).status_code == 403
    assert upload(client, clean_workbook()).status_code == 403
    assert not Job.objects.exists() and not Resource.objects.exists()


def test_an_upload_without_a_file_is_refused_on_the_page(client_for, officer_a):
    response = client_for(officer_a).post(reverse("catalog:import"), {})
    assert response.status_code == 400 and not Job.objects.exists()
