"""Department and membership services: authorize, validate together, write, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from govshare.core.models import AuditEvent
from govshare.core.roles import Role
from govshare.orgs.models import Department, Membership
from govshare.orgs.services import (
    DepartmentData,
    department_create,
    department_update_contact,
    membership_add,
    membership_remove,
    region_create,
)
from tests.factories import RegionFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db


def _data(**overrides) -> DepartmentData:
    values = dict(
        name="潍坊市测试局", uscc=make_uscc(900), region=RegionFactory(), kind="government"
    )
    values.update(overrides)
    return DepartmentData(**values)


def test_admin_creates_a_department_and_the_write_is_audited(admin_user):
    department = department_create(actor=admin_user, data=_data())
    event = AuditEvent.objects.get(action="orgs.department.create")
    assert event.object_id == str(department.pk)
    assert event.actor == admin_user and event.after["uscc"] == department.uscc
    assert department.level == "city"  # taken from the region when not given


def test_every_bad_field_is_reported_together_and_nothing_is_written(admin_user):
    count = Department.objects.count()
    with pytest.raises(ValidationError) as caught:
        department_create(
            actor=admin_user, data=_data(name=" ", uscc="91110000600037341N", kind="nonsense")
        )
    assert set(caught.value.error_dict) == {"name", "uscc", "kind"}
    assert Department.objects.count() == count
    assert not AuditEvent.objects.filter(action="orgs.department.create").exists()


def test_messages_are_in_chinese_by_default(admin_user):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        department_create(actor=admin_user, data=_data(uscc="91110000600037341N"))
    assert "统一社会信用代码" in caught.value.error_dict["uscc"][0].message


def test_duplicate_uscc_and_name_are_conflicts(admin_user, dept_a):
    with pytest.raises(ValidationError) as caught:
        department_create(
            actor=admin_user, data=_data(name=dept_a.name, uscc=dept_a.uscc, region=dept_a.region)
        )
    assert caught.value.error_dict["uscc"][0].code == "duplicate"
    assert caught.value.error_dict["name"][0].code == "duplicate"


@pytest.mark.parametrize("who", ["officer_a", "staff_a", "reviewer", "auditor"])
def test_only_platform_admins_create_departments(request, who):
    with pytest.raises(PermissionDenied):
        department_create(actor=request.getfixturevalue(who), data=_data())
    assert not Department.objects.filter(name="潍坊市测试局").exists()


def test_a_data_officer_edits_their_own_departments_contact_only(officer_a, dept_a, dept_b):
    department_update_contact(
        actor=officer_a,
        department=dept_a,
        contact={"contact_name": "新联系人", "contact_phone": "0536-1"},
    )
    dept_a.refresh_from_db()
    assert dept_a.contact_name == "新联系人"
    with pytest.raises(PermissionDenied):
        department_update_contact(
            actor=officer_a, department=dept_b, contact={"contact_name": "入侵"}
        )
    dept_b.refresh_from_db()
    assert dept_b.contact_name != "入侵"


def test_membership_add_and_remove_are_audited_and_change_roles(admin_user, dept_a):
    user = UserFactory()
    membership = membership_add(
        actor=admin_user, user=user, department=dept_a, role=Role.DATA_OFFICER
    )
    with pytest.raises(ValidationError):
        membership_add(actor=admin_user, user=user, department=dept_a, role=Role.DATA_OFFICER)
    membership_remove(actor=admin_user, membership=membership)
    assert not Membership.objects.filter(user=user).exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-2:] == ["orgs.membership.create", "orgs.membership.delete"]


def test_region_create_checks_the_code(admin_user):
    city = RegionFactory()
    region = region_create(
        actor=admin_user, code="370783", name="寿光市", level="county", parent=city
    )
    assert region.parent == city
    with pytest.raises(ValidationError) as caught:
        region_create(actor=admin_user, code="370783", name="寿光市", level="county", parent=city)
    assert caught.value.error_dict["code"][0].code == "duplicate"


def test_a_bad_contact_email_is_refused_on_create_too(admin_user):
    with pytest.raises(ValidationError) as caught:
        department_create(actor=admin_user, data=_data(contact_email="not-an-address"))
    assert "contact_email" in caught.value.error_dict
