"""Census services: permission matrix, validation together, versions, lifecycle, review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govshare.core.models import AuditEvent
from govshare.inventory.models import InformationSystem, SystemRevision
from govshare.inventory.services import (
    census_review,
    census_submit,
    system_create,
    system_set_lifecycle,
    system_update,
)
from tests.inventory.factories import SystemFactory, census_data

pytestmark = pytest.mark.django_db


def test_a_data_officer_registers_a_system_of_their_department(officer_a, dept_a):
    system = system_create(actor=officer_a, department=dept_a, data=census_data())
    assert system.department == dept_a
    assert system.revisions.get().number == 1
    assert AuditEvent.objects.filter(
        action="inventory.system.create", department_id=dept_a.pk
    ).exists()


@pytest.mark.parametrize("who", ["officer_b", "staff_a", "auditor", "reviewer"])
def test_nobody_else_registers_systems_for_the_department(request, who, dept_a):
    with pytest.raises(PermissionDenied):
        system_create(actor=request.getfixturevalue(who), department=dept_a, data=census_data())
    assert not InformationSystem.objects.exists()


def test_all_bad_fields_are_reported_together(officer_a, dept_a):
    bad = census_data(
        name="",
        usage_scope="everyone",
        protection_level=7,
        health_url="not a url",
        is_secret=True,
        sharing_status="connected",
    )
    with pytest.raises(ValidationError) as caught:
        system_create(actor=officer_a, department=dept_a, data=bad)
    assert {"name", "usage_scope", "protection_level", "health_url", "sharing_status"} <= set(
        caught.value.error_dict
    )
    assert not InformationSystem.objects.exists()


def test_level_two_and_above_need_a_filing_number(officer_a, dept_a):
    with pytest.raises(ValidationError) as caught:
        system_create(
            actor=officer_a, department=dept_a, data=census_data(protection_filing_number="")
        )
    assert "protection_filing_number" in caught.value.error_dict


def test_changes_after_confirmation_are_versioned_and_flagged(officer_a, reviewer, dept_a):
    system = system_create(actor=officer_a, department=dept_a, data=census_data())
    census = census_submit(actor=officer_a, department=dept_a)
    census_review(actor=reviewer, census=census, confirm=True)
    system_update(actor=officer_a, system=system, data={"active_users": 500}, note="扩大使用")
    latest = SystemRevision.objects.filter(system=system).first()
    assert latest.number == 2 and latest.after_confirmation
    assert latest.changed_fields == ["active_users"]
    assert latest.data["active_users"] == 500


def test_the_authority_returns_a_census_only_with_a_reason(officer_a, reviewer, dept_a):
    system_create(actor=officer_a, department=dept_a, data=census_data())
    census = census_submit(actor=officer_a, department=dept_a)
    with pytest.raises(ValidationError):
        census_review(actor=reviewer, census=census, confirm=False, note=" ")
    census = census_review(actor=reviewer, census=census, confirm=False, note="缺少等保信息")
    assert census.status == "returned"
    assert [e.to_status for e in census.events.all()] == ["submitted", "returned"]


def test_departments_cannot_confirm_their_own_census(officer_a, dept_a):
    system_create(actor=officer_a, department=dept_a, data=census_data())
    census = census_submit(actor=officer_a, department=dept_a)
    with pytest.raises(PermissionDenied):
        census_review(actor=officer_a, census=census, confirm=True)


def test_merging_names_a_live_target_and_follows_the_transitions(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    target = SystemFactory(department=dept_a)
    with pytest.raises(ValidationError) as caught:
        system_set_lifecycle(actor=officer_a, system=system, lifecycle="merged")
    assert "merged_into" in caught.value.error_dict
    system_set_lifecycle(actor=officer_a, system=system, lifecycle="merged", merged_into=target)
    with pytest.raises(ValidationError) as caught:
        system_set_lifecycle(actor=officer_a, system=system, lifecycle="in_use")
    assert caught.value.error_dict["lifecycle"][0].code == "conflict"


def test_the_usage_report_key_hash_never_reaches_the_audit_trail(officer_a, dept_a):
    from govshare.inventory.services import system_issue_report_key

    system = system_create(actor=officer_a, department=dept_a, data=census_data())
    system_issue_report_key(actor=officer_a, system=system)
    system.refresh_from_db()
    system_update(actor=officer_a, system=system, data={"active_users": 7})
    stored_hash = InformationSystem.objects.get(pk=system.pk).report_secret_hash
    for event in AuditEvent.objects.filter(object_type="inventory.informationsystem"):
        assert stored_hash not in str(event.before) + str(event.after)


def test_a_data_officer_issues_a_report_key_on_the_system_page_and_sees_it_once(
    client_for, officer_a, officer_b, dept_a
):
    from django.urls import reverse

    system = SystemFactory(department=dept_a)
    url = reverse("inventory:system_report_key", args=[system.pk])
    assert client_for(officer_b).post(url).status_code == 404
    response = client_for(officer_a).post(url)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["plaintext"]
    assert key.startswith("gsr_")
    detail = client_for(officer_a).get(reverse("inventory:system_detail", args=[system.pk]))
    assert key not in detail.content.decode()


def test_a_classified_system_is_never_merged_nor_a_merge_target(admin_user, dept_a):
    secret = SystemFactory(department=dept_a, is_secret=True, sharing_status="not_required")
    other = SystemFactory(department=dept_a)
    for system, target in ((secret, other), (other, secret)):
        with pytest.raises(ValidationError) as caught:
            system_set_lifecycle(
                actor=admin_user, system=system, lifecycle="merged", merged_into=target
            )
        assert caught.value.error_dict["merged_into"][0].code == "secret_not_integrated"
    assert not InformationSystem.objects.filter(lifecycle="merged").exists()


def test_a_retired_system_loses_its_usage_report_key(officer_a, dept_a):
    from govshare.inventory.services import system_issue_report_key

    system = SystemFactory(department=dept_a)
    system_issue_report_key(actor=officer_a, system=system)
    system.refresh_from_db()
    system_set_lifecycle(actor=officer_a, system=system, lifecycle="retired")
    system.refresh_from_db()
    assert system.report_key_id == "" and system.report_secret_hash == ""


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/",
        "http://[fe80::1]/health",
        "http://224.0.0.1/",
    ],
)
def test_health_urls_never_point_at_addresses_no_system_has(officer_a, dept_a, url):
    with pytest.raises(ValidationError) as caught:
        system_create(actor=officer_a, department=dept_a, data=census_data(health_url=url))
    assert caught.value.error_dict["health_url"][0].code == "probe_target"
