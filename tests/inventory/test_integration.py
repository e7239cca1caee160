"""Integration plans (整合方案): the rules of the services, the overview, and the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from govshare.core.models import AuditEvent
from govshare.inventory.models import IntegrationItem, IntegrationPlan, ZombieFinding
from govshare.inventory.selectors import integration_overview
from govshare.inventory.services import (
    integration_item_add,
    integration_item_remove,
    integration_item_set_status,
    integration_plan_set,
)
from tests.inventory.factories import SystemFactory
from tests.inventory.test_system_views import assert_login_redirect

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(dept_a):
    """The department's target system (大系统)."""
    return SystemFactory(department=dept_a, name="公安综合业务平台", sso_status="connected")


@pytest.fixture
def small(dept_a):
    return SystemFactory(department=dept_a, name="户籍窗口受理系统")


@pytest.fixture
def plan(officer_a, dept_a, big):
    return integration_plan_set(actor=officer_a, department=dept_a, target_system=big, note="")


def error_fields(caught) -> set[str]:
    return set(caught.value.error_dict)


# --- the plan -------------------------------------------------------------------------------


def test_given_the_data_officer_when_naming_a_target_then_the_plan_is_kept_and_audited(
    officer_a, dept_a, big
):
    plan = integration_plan_set(
        actor=officer_a, department=dept_a, target_system=big, note="一网通"
    )
    assert (plan.department, plan.target_system, plan.note) == (dept_a, big, "一网通")
    assert AuditEvent.objects.filter(action="inventory.integration.plan").exists()


@pytest.mark.parametrize("who", ["staff_a", "officer_b", "reviewer", "auditor"])
def test_given_no_officer_of_the_department_when_naming_a_target_then_it_is_denied(
    request, who, dept_a, big
):
    with pytest.raises(PermissionDenied):
        integration_plan_set(
            actor=request.getfixturevalue(who), department=dept_a, target_system=big, note=""
        )
    assert not IntegrationPlan.objects.exists()


@pytest.mark.parametrize(
    "target",
    [
        {"department": "dept_b"},
        {"is_secret": True},
        {"lifecycle": "stopped"},
    ],
    ids=["other-department", "classified", "not-live"],
)
def test_given_a_target_that_breaks_a_rule_when_named_then_nothing_is_written(
    request, officer_a, dept_a, target
):
    values = {k: request.getfixturevalue(v) if k == "department" else v for k, v in target.items()}
    system = SystemFactory(**{"department": dept_a, **values})
    with pytest.raises(ValidationError) as caught:
        integration_plan_set(actor=officer_a, department=dept_a, target_system=system, note="")
    assert error_fields(caught) == {"target_system"}
    assert not IntegrationPlan.objects.exists()


def test_given_a_system_in_the_plan_when_named_target_then_it_is_refused(
    officer_a, dept_a, plan, small
):
    integration_item_add(actor=officer_a, plan=plan, system=small)
    with pytest.raises(ValidationError):
        integration_plan_set(actor=officer_a, department=dept_a, target_system=small, note="")
    plan.refresh_from_db()
    assert plan.target_system.name == "公安综合业务平台"


def test_given_merged_items_when_the_target_changes_then_it_is_refused(
    officer_a, dept_a, plan, small
):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    integration_item_set_status(actor=officer_a, item=item, status="done")
    other = SystemFactory(department=dept_a, name="新平台")
    with pytest.raises(ValidationError):
        integration_plan_set(actor=officer_a, department=dept_a, target_system=other, note="")


# --- items ----------------------------------------------------------------------------------


def test_given_a_system_of_the_department_when_added_then_it_is_planned(officer_a, plan, small):
    item = integration_item_add(actor=officer_a, plan=plan, system=small, due=dt.date(2026, 6, 30))
    assert (item.status, item.due) == ("planned", dt.date(2026, 6, 30))


@pytest.mark.parametrize(
    "system",
    ["classified", "other-department", "target", "under-construction", "already-planned"],
)
def test_given_a_system_that_breaks_a_rule_when_added_then_nothing_is_written(
    officer_a, dept_a, dept_b, plan, big, small, system
):
    integration_item_add(actor=officer_a, plan=plan, system=small)
    candidate = {
        "classified": lambda: SystemFactory(department=dept_a, is_secret=True),
        "other-department": lambda: SystemFactory(department=dept_b),
        "target": lambda: big,
        "under-construction": lambda: SystemFactory(department=dept_a, lifecycle="building"),
        "already-planned": lambda: small,
    }[system]()
    with pytest.raises(ValidationError) as caught:
        integration_item_add(actor=officer_a, plan=plan, system=candidate)
    assert error_fields(caught) == {"system"}
    assert list(IntegrationItem.objects.values_list("system__name", flat=True)) == [small.name]


def test_given_a_classified_system_when_added_then_the_error_says_why(officer_a, dept_a, plan):
    secret = SystemFactory(department=dept_a, is_secret=True)
    with pytest.raises(ValidationError) as caught:
        integration_item_add(actor=officer_a, plan=plan, system=secret)
    assert caught.value.error_dict["system"][0].code == "secret_not_integrated"


@pytest.mark.parametrize("who", ["staff_a", "officer_b", "reviewer"])
def test_given_no_officer_when_changing_items_then_it_is_denied_and_unchanged(
    request, who, officer_a, plan, small
):
    actor = request.getfixturevalue(who)
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    with pytest.raises(PermissionDenied):
        integration_item_add(
            actor=actor, plan=plan, system=SystemFactory(department=plan.department)
        )
    with pytest.raises(PermissionDenied):
        integration_item_set_status(actor=actor, item=item, status="done")
    with pytest.raises(PermissionDenied):
        integration_item_remove(actor=actor, item=item)
    item.refresh_from_db()
    small.refresh_from_db()
    assert item.status == "planned" and small.lifecycle == "in_use"
    assert IntegrationItem.objects.count() == 1


def test_given_an_item_when_marked_done_then_the_system_is_merged_into_the_target(
    officer_a, plan, big, small
):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    integration_item_set_status(actor=officer_a, item=item, status="in_progress")
    integration_item_set_status(actor=officer_a, item=item, status="done", note="已迁入")
    small.refresh_from_db()
    assert (small.lifecycle, small.merged_into) == ("merged", big)
    assert small.revisions.first().changed_fields == ["lifecycle", "merged_into"]


def test_given_a_done_item_when_moved_back_or_removed_then_it_is_refused(officer_a, plan, small):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    integration_item_set_status(actor=officer_a, item=item, status="done")
    with pytest.raises(ValidationError):
        integration_item_set_status(actor=officer_a, item=item, status="planned")
    with pytest.raises(ValidationError):
        integration_item_remove(actor=officer_a, item=item)
    assert IntegrationItem.objects.get().status == "done"


def test_given_a_planned_item_when_removed_then_it_leaves_the_plan(officer_a, plan, small):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    integration_item_remove(actor=officer_a, item=item)
    assert not IntegrationItem.objects.exists()
    assert AuditEvent.objects.filter(action="inventory.integration.item_remove").exists()


def test_given_a_stopped_target_when_an_item_is_done_then_nothing_changes(
    officer_a, plan, big, small
):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    big.lifecycle = "stopped"
    big.save()
    with pytest.raises(ValidationError):
        integration_item_set_status(actor=officer_a, item=item, status="done")
    item.refresh_from_db()
    small.refresh_from_db()
    assert item.status == "planned" and small.lifecycle == "in_use"


# --- the overview ---------------------------------------------------------------------------


def duplicate_pair(weaker, stronger, score: float = 0.8) -> ZombieFinding:
    return ZombieFinding.objects.create(
        system=weaker,
        rule="replaceable",
        evidence={},
        score=score,
        matched_system=stronger,
        assessed=timezone.now(),
    )


def test_given_systems_when_overviewed_then_sso_coverage_counts_live_unclassified_ones(
    reviewer, dept_a, big, small
):
    SystemFactory(department=dept_a, sso_status="connected", is_secret=True)
    SystemFactory(department=dept_a, sso_status="connected", lifecycle="stopped")
    SystemFactory(department=dept_a, sso_status="connected", lifecycle="building")
    row = next(r for r in integration_overview(reviewer) if r.department == dept_a)
    assert (row.sso_connected, row.live_systems) == (2, 3)  # big and the one being built
    assert row.sso_coverage == pytest.approx(2 / 3)


def test_given_duplicates_when_overviewed_then_only_live_pairs_of_one_department_are_flagged(
    officer_a, reviewer, dept_a, dept_b, plan, big, small
):
    other = SystemFactory(department=dept_b, name="人社业务平台")
    twin = SystemFactory(department=dept_a, name="户籍业务办理系统")
    duplicate_pair(small, twin)
    duplicate_pair(SystemFactory(department=dept_a, name="外部对照"), other)
    rows = {r.department: r for r in integration_overview(reviewer)}
    assert [(f.system, f.matched_system) for f in rows[dept_a].duplicates] == [(small, twin)]
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    integration_item_set_status(actor=officer_a, item=item, status="done")
    rows = {r.department: r for r in integration_overview(reviewer)}
    assert rows[dept_a].duplicates == []  # merged: the pair no longer both live


def test_given_a_department_officer_when_overviewed_then_only_their_department_shows(
    officer_b, dept_a, dept_b, plan
):
    SystemFactory(department=dept_b)
    assert [row.department for row in integration_overview(officer_b)] == [dept_b]


# --- the pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "reviewer", "auditor", "officer_a", "staff_a"])
def test_given_a_reader_when_the_pages_open_then_they_render(
    request, client_for, officer_a, plan, small, dept_a, role
):
    integration_item_add(actor=officer_a, plan=plan, system=small)
    client = client_for(request.getfixturevalue(role))
    overview = client.get(reverse("inventory:integration_list"))
    detail = client.get(reverse("inventory:integration_detail", args=[dept_a.pk]))
    assert overview.status_code == 200 and detail.status_code == 200
    assert dept_a in [row.department for row in overview.context["rows"]]
    assert "户籍窗口受理系统" in detail.content.decode()


def test_given_another_department_when_its_officer_opens_the_plan_then_it_is_not_found(
    client_for, officer_b, plan, dept_a
):
    client = client_for(officer_b)
    assert client.get(reverse("inventory:integration_detail", args=[dept_a.pk])).status_code == 404
    overview = client.get(reverse("inventory:integration_list"))
    assert "公安综合业务平台" not in overview.content.decode()


def test_given_anonymous_when_the_pages_open_then_login_is_asked(client, plan, dept_a):
    assert_login_redirect(client.get(reverse("inventory:integration_list")))
    assert_login_redirect(client.get(reverse("inventory:integration_detail", args=[dept_a.pk])))


def test_given_the_forms_when_the_officer_or_staff_opens_the_plan_then_only_the_officer_edits(
    client_for, officer_a, staff_a, plan, dept_a
):
    url = reverse("inventory:integration_detail", args=[dept_a.pk])
    assert client_for(officer_a).get(url).context["plan_form"] is not None
    assert "plan_form" not in client_for(staff_a).get(url).context


def test_given_anonymous_when_posting_a_plan_then_login_is_asked_and_nothing_written(
    client, dept_a, big
):
    response = client.post(
        reverse("inventory:integration_plan_set", args=[dept_a.pk]), {"target_system": big.pk}
    )
    assert_login_redirect(response)
    assert not IntegrationPlan.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 404), ("staff_a", 403), ("reviewer", 403), ("auditor", 403)]
)
def test_given_no_officer_when_posting_a_plan_then_it_is_refused_and_nothing_written(
    request, client_for, dept_a, big, role, status
):
    response = client_for(request.getfixturevalue(role)).post(
        reverse("inventory:integration_plan_set", args=[dept_a.pk]), {"target_system": big.pk}
    )
    assert response.status_code == status
    assert not IntegrationPlan.objects.exists()


def test_given_the_officer_when_posting_a_plan_then_it_is_saved(client_for, officer_a, dept_a, big):
    response = client_for(officer_a).post(
        reverse("inventory:integration_plan_set", args=[dept_a.pk]),
        {"target_system": big.pk, "note": "年底前完成"},
    )
    assert response.status_code == 302
    assert IntegrationPlan.objects.get().note == "年底前完成"


def test_given_a_classified_target_when_posted_then_it_is_not_offered_and_nothing_written(
    client_for, officer_a, dept_a
):
    secret = SystemFactory(department=dept_a, is_secret=True)
    response = client_for(officer_a).post(
        reverse("inventory:integration_plan_set", args=[dept_a.pk]), {"target_system": secret.pk}
    )
    assert response.status_code == 400
    assert "target_system" in response.context["form"].errors
    assert not IntegrationPlan.objects.exists()


def test_given_the_officer_when_adding_marking_and_removing_items_then_the_plan_follows(
    client_for, officer_a, dept_a, plan, big, small
):
    client = client_for(officer_a)
    other = SystemFactory(department=dept_a, name="出入境预约系统")
    client.post(
        reverse("inventory:integration_item_add", args=[dept_a.pk]),
        {"system": small.pk, "due": "2026-12-31"},
    )
    client.post(reverse("inventory:integration_item_add", args=[dept_a.pk]), {"system": other.pk})
    item, removable = (
        IntegrationItem.objects.get(system=small),
        IntegrationItem.objects.get(system=other),
    )
    done = client.post(
        reverse("inventory:integration_item_status", args=[item.pk]),
        {f"item-{item.pk}-status": "done"},
    )
    removed = client.post(reverse("inventory:integration_item_remove", args=[removable.pk]))
    small.refresh_from_db()
    assert done.status_code == 302 and removed.status_code == 302
    assert (small.lifecycle, small.merged_into) == ("merged", big)
    assert list(IntegrationItem.objects.all()) == [item]


def test_given_bad_input_when_adding_an_item_then_errors_show_and_nothing_is_written(
    client_for, officer_a, dept_a, plan, big
):
    client = client_for(officer_a)
    url = reverse("inventory:integration_item_add", args=[dept_a.pk])
    as_target = client.post(url, {"system": big.pk})
    bad_date = client.post(url, {"system": SystemFactory(department=dept_a).pk, "due": "明天"})
    assert as_target.status_code == 400 and "system" in as_target.context["form"].errors
    assert bad_date.status_code == 400 and "due" in bad_date.context["form"].errors
    assert not IntegrationItem.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("officer_b", 404), ("staff_a", 403), ("reviewer", 403)]
)
def test_given_no_officer_when_posting_item_changes_then_it_is_refused_and_unchanged(
    request, client_for, officer_a, dept_a, plan, small, role, status
):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    client = client_for(request.getfixturevalue(role))
    added = client.post(
        reverse("inventory:integration_item_add", args=[dept_a.pk]),
        {"system": SystemFactory(department=dept_a).pk},
    )
    moved = client.post(
        reverse("inventory:integration_item_status", args=[item.pk]),
        {f"item-{item.pk}-status": "done"},
    )
    removed = client.post(reverse("inventory:integration_item_remove", args=[item.pk]))
    item.refresh_from_db()
    small.refresh_from_db()
    assert (added.status_code, moved.status_code, removed.status_code) == (status,) * 3
    assert item.status == "planned" and small.lifecycle == "in_use"
    assert IntegrationItem.objects.count() == 1


def test_given_a_done_item_when_removed_on_the_page_then_the_error_is_shown(
    client_for, officer_a, plan, small, dept_a
):
    item = integration_item_add(actor=officer_a, plan=plan, system=small)
    integration_item_set_status(actor=officer_a, item=item, status="done")
    response = client_for(officer_a).post(
        reverse("inventory:integration_item_remove", args=[item.pk]), follow=True
    )
    assert IntegrationItem.objects.filter(pk=item.pk).exists()
    assert any(message.level_tag == "error" for message in response.context["messages"])
