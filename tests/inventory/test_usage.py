"""Usage reports (使用情况上报): the system credential, reports by a system and by a data
officer, validation, and shadow systems for names missing from the census."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govshare.core.config import param_set
from govshare.core.crypto import sm3_hex
from govshare.core.models import AuditEvent
from govshare.inventory.models import InformationSystem, ShadowSystem, UsageReport
from govshare.inventory.services import (
    SystemReporter,
    system_authenticate_report_key,
    system_issue_report_key,
    usage_report_by_name,
    usage_report_submit,
)
from tests.api_client import API, api_client, assert_error_body, bearer_client, send
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

REPORTS = f"{API}/inventory/usage-reports"


def today() -> dt.date:
    return timezone.localdate()


def yesterday() -> dt.date:
    return today() - dt.timedelta(days=1)


# --- the report key -------------------------------------------------------------------------


def test_a_data_officer_issues_a_key_that_is_shown_once_and_stored_hashed(officer_a, dept_a):
    # given a system of the officer's department
    system = SystemFactory(department=dept_a)

    # when the officer issues its report key
    key = system_issue_report_key(actor=officer_a, system=system)

    # then the key is gsr_<keyid>_<secret>, only the key id and the SM3 hash of the secret are
    # stored, and the audit trail names the key id, never the secret
    prefix, key_id, secret = key[:4], key[4:12], key[13:]
    assert prefix == "gsr_" and key[12] == "_" and len(secret) >= 32
    system.refresh_from_db()
    assert system.report_key_id == key_id
    assert system.report_secret_hash == sm3_hex(secret) and secret not in system.report_secret_hash
    event = AuditEvent.objects.get(action="inventory.system.report_key")
    assert event.after == {"report_key_id": key_id, "rotated": False}
    assert secret not in str(event.before) + str(event.after)
    assert system_authenticate_report_key(key) == system


def test_issuing_again_rotates_the_key_and_the_old_one_stops_working(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    old = system_issue_report_key(actor=officer_a, system=system)

    new = system_issue_report_key(actor=officer_a, system=system)

    assert new != old
    assert system_authenticate_report_key(old) is None
    assert system_authenticate_report_key(new) == system
    assert AuditEvent.objects.filter(action="inventory.system.report_key").last().after["rotated"]


@pytest.mark.parametrize(
    "presented",
    ["", "gsr_", "gsr_abc", "gsr_nokey_secret", "gs_abcdefgh_secret", "gsr_" + "x" * 300],
)
def test_malformed_or_unknown_keys_do_not_authenticate(officer_a, dept_a, presented):
    system_issue_report_key(actor=officer_a, system=SystemFactory(department=dept_a))
    assert system_authenticate_report_key(presented) is None


def test_a_key_with_a_wrong_secret_does_not_authenticate(officer_a, dept_a):
    key = system_issue_report_key(actor=officer_a, system=SystemFactory(department=dept_a))
    assert system_authenticate_report_key(key[:-2] + "zz") is None


@pytest.mark.parametrize("who", ["officer_b", "staff_a", "auditor", "reviewer"])
def test_nobody_but_the_departments_officer_issues_a_key(request, who, dept_a):
    # given a system of department A
    system = SystemFactory(department=dept_a)

    # when another role asks for its key, then it is refused and nothing changed
    with pytest.raises(PermissionDenied):
        system_issue_report_key(actor=request.getfixturevalue(who), system=system)
    system.refresh_from_db()
    assert system.report_key_id == "" and system.report_secret_hash == ""
    assert not AuditEvent.objects.filter(action="inventory.system.report_key").exists()


def test_a_retired_system_gets_no_key(officer_a, dept_a):
    system = SystemFactory(department=dept_a, lifecycle="retired")
    with pytest.raises(ValidationError) as caught:
        system_issue_report_key(actor=officer_a, system=system)
    assert caught.value.error_dict["lifecycle"][0].code == "conflict"


# --- the service ----------------------------------------------------------------------------


def test_a_second_report_for_the_same_day_replaces_the_first(dept_a):
    system = SystemFactory(department=dept_a)
    reporter = SystemReporter(system)

    usage_report_submit(
        actor=reporter, system=system, date=yesterday(), active_users=5, requests=50
    )
    usage_report_submit(
        actor=reporter, system=system, date=yesterday(), active_users=7, requests=70
    )

    report = UsageReport.objects.get(system=system)
    assert (report.active_users, report.requests) == (7, 70)
    events = AuditEvent.objects.filter(action="inventory.usage.report").order_by("seq")
    assert events[1].before == {"active_users": 5, "requests": 50}


def test_all_bad_values_of_a_report_are_reported_together(dept_a):
    system = SystemFactory(department=dept_a)
    with pytest.raises(ValidationError) as caught:
        usage_report_submit(
            actor=SystemReporter(system),
            system=system,
            date=today() + dt.timedelta(days=1),
            active_users=-1,
            requests=-5,
        )
    assert set(caught.value.error_dict) == {"date", "active_users", "requests"}
    assert not UsageReport.objects.exists()


@pytest.mark.parametrize("age_days, accepted", [(0, True), (400, True), (401, False)])
def test_reports_older_than_400_days_are_refused(dept_a, age_days, accepted):
    system = SystemFactory(department=dept_a)
    date = today() - dt.timedelta(days=age_days)
    call = lambda: usage_report_submit(  # noqa: E731
        actor=SystemReporter(system), system=system, date=date, active_users=1, requests=1
    )
    if accepted:
        call()
    else:
        with pytest.raises(ValidationError):
            call()
    assert UsageReport.objects.exists() is accepted


def test_a_system_credential_reports_for_its_own_system_only(dept_a):
    own, other = SystemFactory(department=dept_a), SystemFactory(department=dept_a)
    with pytest.raises(PermissionDenied):
        usage_report_submit(
            actor=SystemReporter(own), system=other, date=today(), active_users=1, requests=1
        )
    assert not UsageReport.objects.exists()


def test_an_officer_reports_by_name_and_an_unknown_name_becomes_a_shadow_system(officer_a, dept_a):
    system = SystemFactory(department=dept_a, name="社区矫正管理系统")

    known = usage_report_by_name(
        actor=officer_a, name="社区矫正管理系统", date=today(), active_users=3, requests=9
    )
    unknown = usage_report_by_name(
        actor=officer_a, name="临时排班小程序", date=today(), active_users=3, requests=9
    )

    assert known.report.system == system and known.shadow is None
    assert unknown.report is None
    assert (unknown.shadow.name, unknown.shadow.source) == ("临时排班小程序", "usage report")
    assert unknown.shadow.department == dept_a
    assert UsageReport.objects.count() == 1


def test_new_shadow_systems_stop_at_the_daily_number_of_the_department(
    officer_a, dept_a, admin_user
):
    # given a daily number of 2 new shadow systems per department
    param_set(actor=admin_user, key="inventory.shadow.new_per_department_per_day", value=2)
    for name in ("小程序甲", "小程序乙"):
        usage_report_by_name(actor=officer_a, name=name, date=today(), active_users=1, requests=1)

    # when a third unknown name is reported the same day, it is refused and nothing is noted
    with pytest.raises(ValidationError) as refused:
        usage_report_by_name(
            actor=officer_a, name="小程序丙", date=today(), active_users=1, requests=1
        )
    assert "name" in refused.value.message_dict
    assert ShadowSystem.objects.count() == 2

    # but a name already noted is still counted
    again = usage_report_by_name(
        actor=officer_a, name="小程序甲", date=today(), active_users=1, requests=1
    )
    assert again.shadow.times_seen == 2


def test_staff_may_not_report_by_name(staff_a, dept_a):
    SystemFactory(department=dept_a, name="社区矫正管理系统")
    with pytest.raises(PermissionDenied):
        usage_report_by_name(
            actor=staff_a, name="无名系统", date=today(), active_users=1, requests=1
        )
    assert not ShadowSystem.objects.exists() and not UsageReport.objects.exists()


# --- the endpoint ---------------------------------------------------------------------------


def test_a_system_posts_its_usage_with_its_own_credential(officer_a, dept_a):
    # given a system with a report key
    system = SystemFactory(department=dept_a)
    key = system_issue_report_key(actor=officer_a, system=system)

    # when the system posts a day of use with the key
    body = {"date": yesterday().isoformat(), "active_users": 41, "requests": 1200}
    response = send(bearer_client(key), "POST", REPORTS, body)

    # then it is stored for that system, and the audit names the key, not a person
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "recorded" and response.json()["system"] == system.pk
    report = UsageReport.objects.get(system=system)
    assert (report.date, report.active_users, report.requests) == (yesterday(), 41, 1200)
    event = AuditEvent.objects.get(action="inventory.usage.report")
    assert event.actor_id is None and event.actor_name == f"gsr_{system.report_key_id}"


def test_a_rotated_key_is_refused_with_401(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    old = system_issue_report_key(actor=officer_a, system=system)
    system_issue_report_key(actor=officer_a, system=system)

    body = {"date": yesterday().isoformat(), "active_users": 1, "requests": 1}
    response = send(bearer_client(old), "POST", REPORTS, body)

    assert assert_error_body(response, 401)["code"] == "not_authenticated"
    assert not UsageReport.objects.exists()


def test_a_system_key_opens_no_other_endpoint(officer_a, dept_a):
    key = system_issue_report_key(actor=officer_a, system=SystemFactory(department=dept_a))
    assert_error_body(bearer_client(key).get(f"{API}/inventory/systems"), 401)


def test_a_system_credential_may_not_name_another_system(officer_a, dept_a):
    system = SystemFactory(department=dept_a)
    SystemFactory(department=dept_a, name="别的系统")
    key = system_issue_report_key(actor=officer_a, system=system)

    body = {"date": today().isoformat(), "active_users": 1, "requests": 1, "system": "别的系统"}
    response = send(bearer_client(key), "POST", REPORTS, body)

    assert "system" in assert_error_body(response, 422)["fields"]
    assert not UsageReport.objects.exists()


def test_an_officer_token_reports_for_a_system_by_name(officer_a, dept_a):
    system = SystemFactory(department=dept_a, name="户籍业务系统")

    body = {
        "system": "户籍业务系统",
        "date": today().isoformat(),
        "active_users": 9,
        "requests": 90,
    }
    response = send(api_client(officer_a), "POST", REPORTS, body)

    assert response.status_code == 200, response.content
    assert UsageReport.objects.get().system == system


def test_an_unknown_name_is_answered_202_and_listed_as_a_shadow_system(officer_a, dept_a):
    body = {"system": "没登记的系统", "date": today().isoformat(), "active_users": 2, "requests": 3}

    response = send(api_client(officer_a), "POST", REPORTS, body)

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "shadow"
    shadow = ShadowSystem.objects.get()
    assert response.json()["shadow_id"] == shadow.pk and shadow.department == dept_a
    assert not UsageReport.objects.exists()
    # reported again, the same shadow system is seen once more
    send(api_client(officer_a), "POST", REPORTS, body)
    assert ShadowSystem.objects.get().times_seen == 2


def test_past_the_daily_number_of_new_shadow_systems_the_api_answers_409(
    officer_a, dept_a, admin_user
):
    param_set(actor=admin_user, key="inventory.shadow.new_per_department_per_day", value=1)
    body = {"system": "没登记的系统", "date": today().isoformat(), "active_users": 2, "requests": 3}
    assert send(api_client(officer_a), "POST", REPORTS, body).status_code == 202

    response = send(api_client(officer_a), "POST", REPORTS, {**body, "system": "另一个"})

    assert response.status_code == 409, response.content
    assert "name" in response.json()["fields"]
    assert ShadowSystem.objects.count() == 1


def test_a_name_of_another_departments_system_is_a_shadow_for_the_officer(
    officer_b, dept_a, dept_b
):
    SystemFactory(department=dept_a, name="户籍业务系统")
    body = {"system": "户籍业务系统", "date": today().isoformat(), "active_users": 1, "requests": 1}

    response = send(api_client(officer_b), "POST", REPORTS, body)

    assert response.status_code == 202
    assert ShadowSystem.objects.get().department == dept_b
    assert not UsageReport.objects.exists()


@pytest.mark.parametrize(
    "who, status", [(None, 401), ("staff_a", 403), ("auditor", 403), ("reviewer", 403)]
)
def test_who_may_not_report_by_name(request, who, status, dept_a):
    SystemFactory(department=dept_a, name="户籍业务系统")
    user = None if who is None else request.getfixturevalue(who)
    body = {"system": "户籍业务系统", "date": today().isoformat(), "active_users": 1, "requests": 1}

    response = send(api_client(user), "POST", REPORTS, body)

    assert_error_body(response, status)
    assert not UsageReport.objects.exists() and not ShadowSystem.objects.exists()


@pytest.mark.parametrize(
    "body, fields",
    [
        ({"date": "2020-13-01", "active_users": 1, "requests": 1}, {"date"}),
        ({"date": "tomorrow", "active_users": 1, "requests": 1}, {"date"}),
        ({"active_users": 1, "requests": 1}, {"date"}),
        ({"date": "{today}", "active_users": "many", "requests": 1}, {"active_users"}),
        ({"date": "{today}", "active_users": 1.5, "requests": 1}, {"active_users"}),
        ({"date": "{today}", "active_users": -1, "requests": -1}, {"active_users", "requests"}),
        ({"date": "{today}", "active_users": 10**12, "requests": 1}, {"active_users"}),
        ({"date": "{today}", "active_users": 1, "requests": 1, "extra": 1}, {"extra"}),
    ],
)
def test_malformed_system_reports_are_422_naming_the_fields(officer_a, dept_a, body, fields):
    key = system_issue_report_key(actor=officer_a, system=SystemFactory(department=dept_a))
    dates = {
        "{today}": today().isoformat(),
        "{future}": (today() + dt.timedelta(days=2)).isoformat(),
        "{old}": (today() - dt.timedelta(days=500)).isoformat(),
    }
    body = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in body.items()}

    response = send(bearer_client(key), "POST", REPORTS, body)

    assert set(assert_error_body(response, 422)["fields"]) == fields
    assert not UsageReport.objects.exists()


@pytest.mark.parametrize("day", ["{future}", "{old}"])
def test_reports_of_a_future_or_long_past_day_conflict_with_today(officer_a, dept_a, day):
    # given a well-formed report whose day today's date rules out
    key = system_issue_report_key(actor=officer_a, system=SystemFactory(department=dept_a))
    shift = {"{future}": 2, "{old}": -500}[day]
    body = {"date": (today() + dt.timedelta(days=shift)).isoformat(), "active_users": 1}

    # when sent
    response = send(bearer_client(key), "POST", REPORTS, {**body, "requests": 1})

    # then a conflict with the date, naming the field (issue #11 item 7)
    assert set(assert_error_body(response, 409)["fields"]) == {"date"}
    assert not UsageReport.objects.exists()


@pytest.mark.parametrize("raw", ["{bad json", "[]", "null", '"text"', ""])
def test_a_body_that_is_not_a_json_object_is_a_4xx(officer_a, dept_a, raw):
    key = system_issue_report_key(actor=officer_a, system=SystemFactory(department=dept_a))
    assert_error_body(send(bearer_client(key), "POST", REPORTS, raw))


def test_an_officer_must_name_the_system(officer_a, dept_a):
    body = {"date": today().isoformat(), "active_users": 1, "requests": 1}
    response = send(api_client(officer_a), "POST", REPORTS, body)
    assert "system" in assert_error_body(response, 422)["fields"]


def test_a_merged_system_still_reporting_is_recorded(officer_a, dept_a):
    # A merged system that still sends reports is evidence it was never switched off.
    system = SystemFactory(department=dept_a)
    key = system_issue_report_key(actor=officer_a, system=system)
    InformationSystem.objects.filter(pk=system.pk).update(lifecycle="merged")

    body = {"date": today().isoformat(), "active_users": 1, "requests": 1}
    response = send(bearer_client(key), "POST", REPORTS, body)

    assert response.status_code == 200
