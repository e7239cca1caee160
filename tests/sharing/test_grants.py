"""Grants after approval (suspend, resume, revoke, change, extend, expire) and application
credentials (issue, rotate, allow-list, revoke); each write refreshes the gateway's policy."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from govshare.catalog.services import resource_withdraw
from govshare.core import stamps
from govshare.core.crypto import sm3_hex
from govshare.sharing.choices import RequestState
from govshare.sharing.services.credentials import (
    clean_allowlist,
    credential_create,
    credential_revoke,
    credential_rotate,
    credential_set_allowlist,
)
from govshare.sharing.services.grants import (
    grant_change,
    grant_extension_ask,
    grant_extension_decide,
    grant_resume,
    grant_revoke,
    grant_suspend,
    grants_expire,
)
from govshare.sharing.services.requests import (
    GrantTerms,
    conformity_review,
    request_submit,
)
from tests.sharing.factories import application_of, draft_request, published_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(officer_a, officer_b, reviewer, dept_a, dept_b):
    """An active grant of the unconditional item XBDM to dept_b."""
    resource = published_resource(officer_a, reviewer, dept_a)
    share_request = draft_request(officer_b, dept_b, resource, items=("XBDM",))
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    return share_request.grant


def test_suspend_resume_and_revoke_each_need_a_reason(grant, officer_a):
    with pytest.raises(ValidationError):
        grant_suspend(actor=officer_a, grant=grant, reason=" ")

    grant_suspend(actor=officer_a, grant=grant, reason="数据核查期间暂停")
    assert grant.request.state == RequestState.SUSPENDED
    grant_resume(actor=officer_a, grant=grant, reason="核查完成")
    assert grant.request.state == RequestState.ACTIVE
    grant_revoke(actor=officer_a, grant=grant, reason="使用方违规转供数据")
    assert grant.request.state == RequestState.REVOKED
    assert [e.note for e in grant.request.events.filter(action__in=["suspend", "revoke"])] == [
        "数据核查期间暂停",
        "使用方违规转供数据",
    ]


def test_only_the_provider_manages_a_grant(grant, officer_b, staff_a, reviewer):
    for actor in (officer_b, staff_a, reviewer):
        with pytest.raises(PermissionDenied):
            grant_suspend(actor=actor, grant=grant, reason="x")


def test_every_grant_change_refreshes_the_gateway(
    grant, officer_a, django_capture_on_commit_callbacks
):
    before = stamps.current("gateway")
    with django_capture_on_commit_callbacks(execute=True):
        grant_suspend(actor=officer_a, grant=grant, reason="暂停")
    assert stamps.current("gateway") == before + 1


def test_the_provider_changes_quota_and_masking(grant, officer_a):
    grant_change(
        actor=officer_a,
        grant=grant,
        terms=GrantTerms(daily_quota=50),
        masking={"XBDM": "custom"},
        reason="调整配额",
    )
    grant.refresh_from_db()
    assert grant.daily_quota == 50
    assert grant.items.get().masking == "custom"

    with pytest.raises(ValidationError) as error:
        grant_change(
            actor=officer_a, grant=grant, terms=GrantTerms(), masking={"XM": "name"}, reason="x"
        )
    assert set(error.value.message_dict) == {"masking.XM"}


def test_an_extension_is_asked_by_the_consumer_and_decided_by_the_provider(
    grant, officer_a, officer_b
):
    later = grant.valid_until + dt.timedelta(days=90)
    with pytest.raises(ValidationError):
        grant_extension_ask(actor=officer_b, grant=grant, until=grant.valid_until, note="续期")

    grant_extension_ask(actor=officer_b, grant=grant, until=later, note="项目延期")
    grant_extension_decide(actor=officer_a, grant=grant, approve=True, note="")

    grant.refresh_from_db()
    assert grant.valid_until == later
    assert grant.extension_until is None
    assert grant.request.period_end == later


def test_grants_past_their_validity_expire(grant):
    expired = grants_expire(grant.valid_until + dt.timedelta(days=1))

    grant.request.refresh_from_db()
    assert expired == 1
    assert grant.request.state == RequestState.EXPIRED
    assert grants_expire(grant.valid_until + dt.timedelta(days=2)) == 0


def test_a_refused_extension_leaves_an_expired_grant_expired(grant, officer_a, officer_b):
    grants_expire(grant.valid_until + dt.timedelta(days=1))
    grant.request.refresh_from_db()
    grant_extension_ask(
        actor=officer_b, grant=grant, until=timezone.localdate() + dt.timedelta(400), note="续期"
    )
    grant_extension_decide(actor=officer_a, grant=grant, approve=False, note="不再提供")

    grant.request.refresh_from_db()
    assert grant.request.state == RequestState.EXPIRED


# --- credentials ------------------------------------------------------------------------------


def test_a_credential_keeps_only_the_hash_of_its_secret(officer_b, dept_b):
    issued = credential_create(
        actor=officer_b, application=application_of(dept_b), name="社保经办系统"
    )

    credential = issued.credential
    assert issued.secret.startswith("gss_")
    assert credential.secret_hash == sm3_hex(issued.secret)
    assert issued.secret not in str(credential.__dict__)


def test_rotation_issues_a_new_secret_and_a_new_generation(officer_b, dept_b):
    issued = credential_create(actor=officer_b, application=application_of(dept_b), name="a")

    rotated = credential_rotate(actor=officer_b, credential=issued.credential)

    assert rotated.secret != issued.secret
    assert rotated.credential.generation == 2
    assert rotated.credential.secret_hash == sm3_hex(rotated.secret)


def test_a_revoked_credential_cannot_be_rotated(officer_b, dept_b):
    credential = credential_create(
        actor=officer_b, application=application_of(dept_b), name="a"
    ).credential
    credential_revoke(actor=officer_b, credential=credential)
    with pytest.raises(ValidationError):
        credential_rotate(actor=officer_b, credential=credential)


def test_only_the_applications_data_officer_manages_credentials(officer_a, staff_a, dept_b):
    application = application_of(dept_b)
    for actor in (officer_a, staff_a):
        with pytest.raises(PermissionDenied):
            credential_create(actor=actor, application=application, name="x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        ("10.0.0.1", "10.0.0.1/32"),
        ("10.0.0.0/8, 192.168.1.7\n::1", "10.0.0.0/8\n192.168.1.7/32\n::1/128"),
        ("10.1.2.3/16", "10.1.0.0/16"),
    ],
)
def test_allowlists_are_normalised(text, expected):
    assert clean_allowlist(text) == expected


@pytest.mark.parametrize("text", ["10.0.0.300", "example.com", "1.2.3.4/40", "' OR 1=1"])
def test_a_bad_allowlist_entry_is_named(text, officer_b, dept_b):
    credential = credential_create(
        actor=officer_b, application=application_of(dept_b), name="a"
    ).credential
    with pytest.raises(ValidationError) as error:
        credential_set_allowlist(actor=officer_b, credential=credential, ip_allowlist=text)
    assert set(error.value.message_dict) == {"ip_allowlist"}


def test_every_bad_allowlist_entry_is_named_at_once(officer_b, dept_b):
    # given an allow-list with two bad entries among good ones
    credential = credential_create(
        actor=officer_b, application=application_of(dept_b), name="a"
    ).credential
    text = "10.0.0.0/8\nnot-an-ip\n192.168.1.1, 300.1.1.1"

    # when it is set, then the refusal names both
    with pytest.raises(ValidationError) as error:
        credential_set_allowlist(actor=officer_b, credential=credential, ip_allowlist=text)
    message = error.value.message_dict["ip_allowlist"][0]
    assert "not-an-ip" in message and "300.1.1.1" in message


def test_the_sweep_command_expires_grants_past_their_validity(grant):
    type(grant).objects.filter(pk=grant.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    out = StringIO()

    call_command("sharing_sweep", stdout=out)

    grant.request.refresh_from_db()
    assert grant.request.state == RequestState.EXPIRED
    assert "expired 1" in out.getvalue()


# --- withdrawing a resource with live grants (编制指南: 撤销) ----------------------------------


def test_withdrawing_a_resource_with_live_grants_needs_a_decision(grant, officer_a):
    resource = grant.resource
    with pytest.raises(ValidationError) as error:
        resource_withdraw(actor=officer_a, resource=resource, reason="系统停用")
    assert set(error.value.message_dict) == {"grants"}

    resource_withdraw(actor=officer_a, resource=resource, reason="系统停用", grants="revoke")

    grant.request.refresh_from_db()
    assert grant.request.state == RequestState.REVOKED
    assert "系统停用" in grant.request.events.last().note


def test_grants_may_be_kept_until_they_expire(grant, officer_a, officer_b, dept_b):
    resource_withdraw(actor=officer_a, resource=grant.resource, reason="合并", grants="keep")

    grant.request.refresh_from_db()
    assert grant.request.state == RequestState.ACTIVE
    # and the withdrawn resource can no longer be requested
    with pytest.raises(ValidationError) as error:
        draft_request(officer_b, dept_b, grant.resource, items=("XBDM",))
    assert "resource" in error.value.message_dict


def test_a_step_taken_on_a_stale_copy_is_refused(grant, officer_a):
    # given the grant suspended, and two pages that loaded it
    grant_suspend(actor=officer_a, grant=grant, reason="核查")
    one, other = (type(grant).objects.select_related("request").get(pk=grant.pk) for _ in "ab")

    # when one revokes it, the other's resume (from a suspended copy) is refused
    grant_revoke(actor=officer_a, grant=one, reason="违规")
    with pytest.raises(ValidationError) as error:
        grant_resume(actor=officer_a, grant=other, reason="恢复")

    assert set(error.value.message_dict) == {"state"}
    other.request.refresh_from_db()
    assert other.request.state == RequestState.REVOKED
