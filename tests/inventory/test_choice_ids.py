"""Model choices posted with an id no database column holds (-99999999999999999999): the form
refuses it as any unknown choice, never a 500 (SQLite's OverflowError on ``pk__in``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from govshare.core.models import AuditEvent
from govshare.inventory.models import Project, WorkTask
from govshare.inventory.services import project_create
from tests.inventory.factories import SystemFactory
from tests.inventory.test_worktasks import WorkTaskFactory

pytestmark = pytest.mark.django_db

# Below and above the 64-bit range of the id columns, and its first value above.
HUGE_IDS = ["-99999999999999999999", "99999999999999999999", str(2**63)]


@pytest.fixture
def task(authority, dept_a) -> WorkTask:
    return WorkTaskFactory(code="1.1", title="原任务", lead_unit=authority, units=[dept_a])


@pytest.fixture
def system(dept_a):
    return SystemFactory(department=dept_a, name="接入系统")


@pytest.fixture
def project(officer_a, dept_a, system) -> Project:
    data = {"name": "智慧警务", "funding_channel": "fiscal"}
    return project_create(actor=officer_a, department=dept_a, data=data, systems=[system])


def task_form(request) -> dict[str, Any]:
    authority, dept_a = request.getfixturevalue("authority"), request.getfixturevalue("dept_a")
    return {
        "code": "3.1",
        "category": "数据资源体系建设",
        "title": "改过的任务",
        "lead_unit": authority.pk,
        "responsible_units": [dept_a.pk],
        "deadline": "2027-12-31",
    }


def project_form(request) -> dict[str, Any]:
    dept_a, system = request.getfixturevalue("dept_a"), request.getfixturevalue("system")
    return {
        "department": dept_a.pk,
        "name": "改过的项目",
        "investment": "0",
        "annual_om_cost": "0",
        "funding_channel": "fiscal",
        "systems": [system.pk],
        "filing_status": "not_filed",
        "stage": "approval",
    }


def page_url(request, page: str) -> str:
    if page == "task_edit":
        return reverse("inventory:task_edit", args=[request.getfixturevalue("task").pk])
    if page == "project_edit":
        return reverse("inventory:project_edit", args=[request.getfixturevalue("project").pk])
    return reverse(f"inventory:{page}")


def stored() -> tuple[Any, ...]:
    """Every row the pages could write: tasks, projects, their units and systems, the audit."""
    tables = [WorkTask, WorkTask.responsible_units.through, Project, Project.systems.through]
    rows = tuple(list(table.objects.order_by("pk").values_list()) for table in tables)
    return (*rows, AuditEvent.objects.count())


# (page, who posts, the field given the huge id, the status of a refused form on that page)
PAGES = [
    ("task_create", "admin_user", "responsible_units", 400),
    ("task_edit", "admin_user", "responsible_units", 400),
    ("task_create", "admin_user", "lead_unit", 400),
    ("project_create", "officer_a", "systems", 200),
    ("project_edit", "officer_a", "systems", 200),
    ("project_create", "officer_a", "department", 200),
]


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize(("page", "who", "field", "status"), PAGES)
def test_given_an_id_out_of_range_when_posted_then_the_choice_is_refused_and_nothing_written(
    request, client_for, page, who, field, status, huge
):
    # given a valid form, but for one choice an id that no id column can hold
    url = page_url(request, page)
    form = task_form(request) if page.startswith("task") else project_form(request)
    multiple = isinstance(form[field], list)
    form[field] = [huge] if multiple else huge
    before = stored()

    # when it is posted
    response = client_for(request.getfixturevalue(who)).post(url, form)

    # then the form comes back with the field's "select a valid choice" error, and nothing is
    # written
    assert response.status_code == status
    bound = response.context["form"]
    with translation.override("zh-hans"):
        expected = str(bound.fields[field].error_messages["invalid_choice"]) % {"value": huge}
        assert list(bound.errors) == [field] and bound.errors[field] == [expected]
    assert expected.startswith("请选择有效的选项")  # our catalogue corrects Django's
    assert stored() == before
