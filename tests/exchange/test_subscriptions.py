"""Table subscriptions (库表订阅) from grants: the grant listener creates, stops and resumes them;
the consumer's data officer configures them, each rule named by its field; the 库表 and 文件
modes are offered only where the resource's mounts allow; the gateway refuses bulk grants."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from govshare.core.models import AuditEvent
from govshare.core.roles import Role
from govshare.exchange.gateway.policy import ResourcePolicy
from govshare.exchange.models import Subscription, SubscriptionState, SyncMode
from govshare.exchange.services import subscription_configure
from govshare.sharing.bulk import available_modes
from govshare.sharing.services.grants import grant_change, grant_resume, grant_revoke, grant_suspend
from govshare.sharing.services.requests import (
    GrantTerms,
    ItemAnswer,
    conformity_review,
    provider_decide,
    request_submit,
)
from tests.exchange.bulk_fixtures import destination, mounted_resource, table_grant
from tests.factories import member
from tests.sharing.factories import draft_request, published_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_resource(officer_a, reviewer, dept_a, sqlite_source):
    return mounted_resource(officer_a, reviewer, dept_a, sqlite_source)


@pytest.fixture
def grant(officer_b, dept_b, officer_a, reviewer, table_resource):
    return table_grant(officer_b, dept_b, officer_a, reviewer, table_resource)


# --- the grant listener ---------------------------------------------------------------------


def test_a_table_grant_gets_a_subscription_into_the_only_front_end_database(
    officer_b, dept_b, officer_a, reviewer, table_resource
):
    # given the consumer has exactly one front-end database
    front = destination(dept_b)

    # when its 库表 request is granted
    grant = table_grant(officer_b, dept_b, officer_a, reviewer, table_resource)

    # then the platform created an active full-load subscription into it, named from the code
    subscription = Subscription.objects.get(grant=grant)
    assert subscription.destination == front
    assert subscription.state == SubscriptionState.ACTIVE
    assert subscription.mode == SyncMode.FULL
    assert subscription.table == "gs_" + re.sub(r"[^a-z0-9]+", "_", table_resource.code.lower())
    assert AuditEvent.objects.filter(action="exchange.subscription.create").exists()


def test_without_a_single_front_end_database_the_subscription_waits(
    officer_b, dept_b, officer_a, reviewer, table_resource
):
    # given two front-end databases: the platform cannot choose
    destination(dept_b, "甲库", "a.db")
    destination(dept_b, "乙库", "b.db")

    # when the request is granted
    grant = table_grant(officer_b, dept_b, officer_a, reviewer, table_resource)

    # then the subscription waits for the consumer to pick one
    subscription = Subscription.objects.get(grant=grant)
    assert subscription.destination is None
    assert subscription.state == SubscriptionState.NEEDS_DESTINATION


def test_a_query_grant_gets_no_subscription(officer_b, dept_b, officer_a, reviewer, table_resource):
    # when a query-mode request is granted
    table_grant(officer_b, dept_b, officer_a, reviewer, table_resource, mode="query")

    # then nothing is subscribed
    assert not Subscription.objects.exists()


def test_suspending_revoking_and_resuming_the_grant_moves_the_subscription(grant, officer_a):
    subscription = Subscription.objects.get(grant=grant)

    # when the provider suspends the grant, the subscription stops
    grant_suspend(actor=officer_a, grant=grant, reason="核查")
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.STOPPED

    # when it resumes, the subscription waits for a destination again (it never had one)
    grant_resume(actor=officer_a, grant=grant, reason="核查完成")
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.NEEDS_DESTINATION

    # when it is revoked, the subscription stops for good
    grant_revoke(actor=officer_a, grant=grant, reason="违规")
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.STOPPED


# --- configuration ---------------------------------------------------------------------------


def test_the_consumer_configures_its_subscription(grant, officer_b, dept_b):
    # given a front-end database registered after the grant
    front = destination(dept_b)
    subscription = Subscription.objects.get(grant=grant)

    # when the consumer's data officer picks it, a watermark column and a schedule
    subscription_configure(
        actor=officer_b,
        subscription=subscription,
        data={"destination": front, "watermark_column": "updated_at", "schedule": "0 2 * * *"},
    )

    # then the subscription is active and incremental by the watermark
    subscription.refresh_from_db()
    assert subscription.destination == front
    assert subscription.state == SubscriptionState.ACTIVE
    assert subscription.mode == SyncMode.WATERMARK
    assert subscription.schedule == "0 2 * * *"


@pytest.mark.parametrize(
    "data, field",
    [
        ({"mode": "watermark", "watermark_column": ""}, "watermark_column"),
        ({"watermark_column": "a b"}, "watermark_column"),
        ({"delete_mode": "soft_flag", "soft_delete_value": "1"}, "soft_delete_column"),
        ({"delete_mode": "soft_flag", "soft_delete_column": "deleted"}, "soft_delete_value"),
        ({"schedule": "0 25 * * *"}, "schedule"),
        ({"schedule": "every day"}, "schedule"),
        ({"mode": "sometimes"}, "mode"),
    ],
)
def test_each_broken_rule_is_named_by_its_field(grant, officer_b, data, field):
    subscription = Subscription.objects.get(grant=grant)
    with pytest.raises(ValidationError) as raised:
        subscription_configure(actor=officer_b, subscription=subscription, data=data)
    assert field in raised.value.message_dict
    subscription.refresh_from_db()
    assert subscription.mode == SyncMode.FULL and subscription.schedule == ""


def test_a_source_or_another_departments_database_is_no_destination(
    grant, officer_b, dept_a, dept_b, sqlite_source
):
    subscription = Subscription.objects.get(grant=grant)
    for wrong in (sqlite_source.connection, destination(dept_a, "别人的库", "other.db")):
        with pytest.raises(ValidationError) as raised:
            subscription_configure(
                actor=officer_b, subscription=subscription, data={"destination": wrong}
            )
        assert "destination" in raised.value.message_dict


@pytest.mark.parametrize("who", ["officer_a", "staff_b", "officer_c"])
def test_only_the_consumers_data_officer_configures(grant, request, who, dept_b):
    if who == "staff_b":
        actor = member(dept_b, Role.STAFF, username="staff_b")
    else:
        actor = request.getfixturevalue(who)
    subscription = Subscription.objects.get(grant=grant)
    with pytest.raises(PermissionDenied):
        subscription_configure(
            actor=actor, subscription=subscription, data={"schedule": "0 3 * * *"}
        )
    subscription.refresh_from_db()
    assert subscription.schedule == ""


# --- the request form's modes and the provider's answer -------------------------------------


def test_table_and_file_modes_need_a_mount(officer_a, officer_b, reviewer, dept_a, dept_b):
    # given a resource with no mount at all
    resource = published_resource(officer_a, reviewer, dept_a)
    assert "table" not in available_modes(resource) and "file" not in available_modes(resource)

    # when a 库表 request is drafted, then the mode is refused, naming the rule
    for mode in ("table", "file"):
        with pytest.raises(ValidationError) as raised:
            draft_request(officer_b, dept_b, resource, mode=mode)
        assert "mounted" in " ".join(raised.value.message_dict["mode"])


def test_a_mounted_table_offers_both_bulk_modes(table_resource):
    assert set(available_modes(table_resource)) >= {"table", "file", "query"}


def test_a_table_request_needs_its_key_item(officer_b, dept_b, table_resource):
    with pytest.raises(ValidationError) as raised:
        draft_request(officer_b, dept_b, table_resource, items=("XM",), mode="table")
    assert "GMSFHM" in " ".join(raised.value.message_dict["items"])


@pytest.mark.parametrize(
    "answer", [ItemAnswer(grant=False, reason="敏感"), ItemAnswer(grant=True, masking="id_number")]
)
def test_the_key_item_of_a_table_exchange_is_neither_refused_nor_masked(
    officer_a, officer_b, reviewer, dept_b, table_resource, answer
):
    share_request = draft_request(officer_b, dept_b, table_resource, mode="table")
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    with pytest.raises(ValidationError) as raised:
        provider_decide(
            actor=officer_a,
            share_request=share_request,
            answers={"GMSFHM": answer, "XM": ItemAnswer(grant=True)},
        )
    assert "主键数据项" in " ".join(raised.value.message_dict["items.GMSFHM"])


def test_the_key_item_cannot_be_masked_later(grant, officer_a):
    with pytest.raises(ValidationError) as raised:
        grant_change(
            actor=officer_a,
            grant=grant,
            terms=GrantTerms(),
            masking={"GMSFHM": "id_number"},
            reason="x",
        )
    assert "masking.GMSFHM" in raised.value.message_dict


def test_bulk_grants_are_no_gateway_grants():
    # given a resource the gateway serves from a table
    policy = ResourcePolicy(
        id=1, code="R", name="R", provider_id=1, provider_name="P", items={}, table_mount=object()
    )
    # then query finds the mount and the bulk modes find none (the call is refused cleanly)
    assert policy.mount_for("query") is not None
    assert policy.mount_for("table") is None and policy.mount_for("file") is None
