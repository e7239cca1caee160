"""The request state machine: drafting, conformity review, the provider's answer item by item,
negotiation and coordination, with events, audit and deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from govshare.core.config import param_set
from govshare.core.models import AuditEvent
from govshare.sharing import calendar
from govshare.sharing.choices import ItemDecision, RequestState
from govshare.sharing.models import Grant
from govshare.sharing.services.requests import (
    GrantTerms,
    ItemAnswer,
    conformity_review,
    coordination_decide,
    negotiation_agree,
    negotiation_escalate,
    negotiation_open,
    provider_decide,
    request_close,
    request_create,
    request_submit,
    request_update,
    request_withdraw,
)
from tests.sharing.factories import (
    application_of,
    draft_request,
    published_resource,
    request_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource(officer_a, reviewer, dept_a):
    """Published by 公安局 (dept_a): GMSFHM and XM conditional, XBDM unconditional, ZJXY not
    shared."""
    return published_resource(officer_a, reviewer, dept_a)


@pytest.fixture
def submitted(officer_b, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)
    return request_submit(actor=officer_b, share_request=share_request)


def fields_of(error: ValidationError) -> set[str]:
    return set(error.value.message_dict)


def decisions(share_request) -> dict[str, str]:
    return dict(share_request.items.values_list("identifier", "decision"))


# --- drafting ---------------------------------------------------------------------------------


def test_a_draft_records_the_items_asked_with_their_share_type(officer_b, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)

    assert share_request.state == RequestState.DRAFT
    assert share_request.number.startswith("GX")
    assert share_request.resource_version_id == resource.current_version_id
    assert dict(share_request.items.values_list("identifier", "share_type")) == {
        "GMSFHM": "conditional",
        "XM": "conditional",
        "XBDM": "unconditional",
    }
    assert share_request.events.get().action == "create"


def test_every_missing_field_is_reported_at_once(officer_b, dept_b, resource):
    data = request_data(purpose="", purpose_detail="", basis="", expected_daily_calls=0)

    with pytest.raises(ValidationError) as error:
        request_create(
            actor=officer_b,
            consumer=dept_b,
            application=application_of(dept_b),
            resource=resource,
            data=data,
            items=[],
        )

    assert {"purpose", "purpose_detail", "basis", "expected_daily_calls", "items"} <= fields_of(
        error
    )


def test_the_period_must_not_end_before_it_starts(officer_b, dept_b, resource):
    start = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as error:
        draft_request(
            officer_b, dept_b, resource, period_start=start, period_end=start - dt.timedelta(1)
        )
    assert fields_of(error) == {"period_end"}


def test_the_period_ends_within_the_configured_months_and_the_message_says_so(
    officer_b, dept_b, resource, admin_user
):
    # given a period starting on 31 January next year, under the default maximum (36 months)
    year = dt.date.today().year + 1
    start = dt.date(year, 1, 31)

    # then its last allowed day is accepted, and 9999-12-31 refused naming the limit
    def draft(end: dt.date) -> None:
        draft_request(officer_b, dept_b, resource, period_start=start, period_end=end)

    draft(dt.date(year + 3, 1, 30))
    with pytest.raises(ValidationError) as error:
        draft(dt.date(9999, 12, 31))
    assert fields_of(error) == {"period_end"}
    assert "36" in str(error.value) and f"{year + 3}-01-30" in str(error.value)

    # when an administrator sets the maximum to 12 months
    param_set(actor=admin_user, key="sharing.request.max_period_months", value="12")

    # then a request is held to it, and told so
    with pytest.raises(ValidationError) as error:
        draft(dt.date(year + 1, 1, 31))
    assert "12" in str(error.value) and f"{year + 1}-01-30" in str(error.value)


def test_the_application_must_belong_to_the_consumer(officer_b, dept_a, dept_b, resource):
    with pytest.raises(ValidationError) as error:
        request_create(
            actor=officer_b,
            consumer=dept_b,
            application=application_of(dept_a),
            resource=resource,
            data=request_data(),
            items=["XM"],
        )
    assert fields_of(error) == {"application"}


def test_a_department_does_not_request_its_own_resource(officer_a, dept_a, resource):
    with pytest.raises(ValidationError) as error:
        draft_request(officer_a, dept_a, resource)
    assert "resource" in fields_of(error)


def test_items_must_come_from_the_resource_in_force(officer_b, dept_b, resource):
    with pytest.raises(ValidationError) as error:
        draft_request(officer_b, dept_b, resource, items=("XM", "NOPE"))
    assert "NOPE" in error.value.message_dict["items"][0]


def test_only_the_consumers_data_officer_drafts(staff_a, officer_a, dept_b, resource):
    with pytest.raises(PermissionDenied):
        draft_request(officer_a, dept_b, resource)


def test_a_draft_can_be_edited_but_not_once_submitted(officer_b, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)
    request_update(
        actor=officer_b, share_request=share_request, data={"scenario": "新场景"}, items=["XM"]
    )
    assert list(share_request.items.values_list("identifier", flat=True)) == ["XM"]

    request_submit(actor=officer_b, share_request=share_request)
    with pytest.raises(ValidationError) as error:
        request_update(actor=officer_b, share_request=share_request, data={}, items=["XM"])
    assert fields_of(error) == {"state"}


# --- conformity review ------------------------------------------------------------------------


def test_submitting_starts_the_authoritys_clock_on_working_days(submitted):
    assert submitted.state == RequestState.SUBMITTED
    # the node's local day (Asia/Shanghai), not UTC's: from 16:00 UTC they differ
    day = timezone.localdate(submitted.submitted)
    assert submitted.conformity_due == calendar.add_working_days(day, 2)


def test_passing_conformity_grants_unconditional_items_and_starts_the_providers_clock(
    submitted, reviewer
):
    conformity_review(actor=reviewer, share_request=submitted, outcome="pass")

    assert submitted.state == RequestState.PROVIDER_REVIEW
    assert decisions(submitted) == {
        "GMSFHM": ItemDecision.PENDING,
        "XM": ItemDecision.PENDING,
        "XBDM": ItemDecision.GRANTED,
    }
    assert submitted.provider_due is not None
    assert submitted.conformity_answered is not None


def test_a_request_of_unconditional_items_only_is_granted_at_conformity(
    officer_b, dept_b, resource, reviewer
):
    share_request = draft_request(officer_b, dept_b, resource, items=("XBDM",))
    request_submit(actor=officer_b, share_request=share_request)

    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")

    assert share_request.state == RequestState.ACTIVE
    grant = Grant.objects.get(request=share_request)
    assert list(grant.items.values_list("identifier", flat=True)) == ["XBDM"]


def test_conformity_will_not_pass_items_that_are_not_shared(officer_b, dept_b, resource, reviewer):
    share_request = draft_request(officer_b, dept_b, resource, items=("XM", "ZJXY"))
    request_submit(actor=officer_b, share_request=share_request)

    with pytest.raises(ValidationError) as error:
        conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    assert "宗教信仰" in error.value.message_dict["outcome"][0]


def test_returning_or_rejecting_needs_a_reason(submitted, reviewer):
    with pytest.raises(ValidationError) as error:
        conformity_review(actor=reviewer, share_request=submitted, outcome="return")
    assert fields_of(error) == {"note"}

    conformity_review(
        actor=reviewer, share_request=submitted, outcome="return", note="请补充法律依据"
    )
    assert submitted.state == RequestState.DRAFT
    assert submitted.events.last().note == "请补充法律依据"


def test_only_the_authority_reviews_conformity(submitted, officer_a, officer_b):
    for actor in (officer_a, officer_b):
        with pytest.raises(PermissionDenied):
            conformity_review(actor=actor, share_request=submitted, outcome="pass")


def test_without_conformity_review_the_platform_checks_and_passes(
    officer_b, dept_b, resource, admin_user
):
    param_set(actor=admin_user, key="sharing.conformity_review", value=False)
    share_request = draft_request(officer_b, dept_b, resource)

    request_submit(actor=officer_b, share_request=share_request)

    assert share_request.state == RequestState.PROVIDER_REVIEW
    assert share_request.events.last().party == "system"


def test_without_conformity_review_not_shared_items_are_refused_by_the_platform(
    officer_b, dept_b, resource, admin_user
):
    param_set(actor=admin_user, key="sharing.conformity_review", value=False)
    share_request = draft_request(officer_b, dept_b, resource, items=("ZJXY",))

    request_submit(actor=officer_b, share_request=share_request)

    assert share_request.state == RequestState.REJECTED
    assert "宗教信仰" in share_request.events.last().note


# --- the provider's answer --------------------------------------------------------------------


@pytest.fixture
def in_provider_review(submitted, reviewer):
    return conformity_review(actor=reviewer, share_request=submitted, outcome="pass")


def test_the_provider_answers_item_by_item(in_provider_review, officer_a):
    provider_decide(
        actor=officer_a,
        share_request=in_provider_review,
        answers={
            "GMSFHM": ItemAnswer(grant=True, masking="id_number"),
            "XM": ItemAnswer(grant=False, reason="姓名不在本次共享范围"),
        },
        terms=GrantTerms(daily_quota=100, rate_per_minute=10),
    )

    assert in_provider_review.state == RequestState.ACTIVE
    grant = in_provider_review.grant
    assert dict(grant.items.values_list("identifier", "masking")) == {
        "GMSFHM": "id_number",
        "XBDM": "none",
    }
    assert (grant.daily_quota, grant.rate_per_minute) == (100, 10)
    assert in_provider_review.items.get(identifier="XM").reason == "姓名不在本次共享范围"
    assert in_provider_review.provider_answered is not None


def test_every_pending_item_needs_an_answer_and_refusals_a_reason(in_provider_review, officer_a):
    with pytest.raises(ValidationError) as error:
        provider_decide(
            actor=officer_a,
            share_request=in_provider_review,
            answers={"XM": ItemAnswer(grant=False)},
        )
    assert fields_of(error) == {"items.GMSFHM", "items.XM"}
    assert in_provider_review.state == RequestState.PROVIDER_REVIEW


def test_the_grant_cannot_outlast_the_period_asked(in_provider_review, officer_a):
    too_late = in_provider_review.period_end + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        provider_decide(
            actor=officer_a,
            share_request=in_provider_review,
            answers={"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)},
            terms=GrantTerms(valid_until=too_late),
        )
    assert fields_of(error) == {"valid_until"}
    assert not Grant.objects.exists()


def test_a_row_filter_names_items_of_the_resource(in_provider_review, officer_a):
    with pytest.raises(ValidationError) as error:
        provider_decide(
            actor=officer_a,
            share_request=in_provider_review,
            answers={"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)},
            terms=GrantTerms(row_filter={"HJDZ": ["潍城区"]}),
        )
    assert fields_of(error) == {"row_filter"}


def test_only_the_providers_data_officer_answers(in_provider_review, officer_b, reviewer):
    answers = {"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)}
    for actor in (officer_b, reviewer):
        with pytest.raises(PermissionDenied):
            provider_decide(actor=actor, share_request=in_provider_review, answers=answers)


def test_answering_a_draft_is_refused_naming_the_state(officer_a, officer_b, dept_b, resource):
    share_request = draft_request(officer_b, dept_b, resource)
    with pytest.raises(ValidationError) as error:
        provider_decide(
            actor=officer_a, share_request=share_request, answers={"XM": ItemAnswer(grant=True)}
        )
    assert fields_of(error) == {"state"}


# --- refusal, negotiation, coordination -------------------------------------------------------


@pytest.fixture
def rejected(officer_b, dept_b, resource, reviewer, officer_a):
    share_request = draft_request(officer_b, dept_b, resource, items=("GMSFHM", "XM"))
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    return provider_decide(
        actor=officer_a,
        share_request=share_request,
        answers={
            "GMSFHM": ItemAnswer(grant=False, reason="涉及个人敏感信息"),
            "XM": ItemAnswer(grant=False, reason="涉及个人敏感信息"),
        },
    )


def test_refusing_everything_rejects_the_request(rejected):
    assert rejected.state == RequestState.REJECTED
    assert not Grant.objects.filter(request=rejected).exists()


def test_negotiation_can_end_in_agreement(rejected, officer_a, officer_b):
    negotiation_open(actor=officer_b, share_request=rejected, note="仅需核验姓名")
    assert rejected.state == RequestState.NEGOTIATION

    negotiation_agree(
        actor=officer_a,
        share_request=rejected,
        answers={"XM": ItemAnswer(grant=True, masking="name")},
    )

    assert rejected.state == RequestState.ACTIVE
    assert list(rejected.grant.items.values_list("identifier", "masking")) == [("XM", "name")]


def test_coordination_by_the_authority_decides_or_closes(rejected, officer_b, reviewer):
    negotiation_open(actor=officer_b, share_request=rejected, note="业务必需")
    negotiation_escalate(actor=officer_b, share_request=rejected, note="协商未果")
    assert rejected.state == RequestState.COORDINATION
    assert rejected.coordination_due is not None

    coordination_decide(
        actor=reviewer,
        share_request=rejected,
        answers={"GMSFHM": ItemAnswer(grant=True, masking="id_number")},
        note="依据条例第十五条协调",
    )

    assert rejected.state == RequestState.ACTIVE
    assert rejected.items.get(identifier="GMSFHM").decided_by == "authority"


def test_not_shared_items_are_reached_only_through_negotiation(
    officer_b, dept_b, resource, reviewer, officer_a
):
    share_request = draft_request(officer_b, dept_b, resource, items=("ZJXY",))
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(
        actor=reviewer, share_request=share_request, outcome="reject", note="不予共享"
    )
    negotiation_open(actor=officer_b, share_request=share_request, note="统战工作需要")

    negotiation_agree(
        actor=officer_a, share_request=share_request, answers={"ZJXY": ItemAnswer(grant=True)}
    )

    assert share_request.state == RequestState.ACTIVE


def test_a_negotiation_that_grants_nothing_goes_to_coordination_then_closes(
    rejected, officer_a, officer_b, reviewer
):
    negotiation_open(actor=officer_b, share_request=rejected, note="请再考虑")
    negotiation_agree(
        actor=officer_a,
        share_request=rejected,
        answers={"XM": ItemAnswer(grant=False, reason="仍不同意")},
    )
    assert rejected.state == RequestState.COORDINATION

    request_close(actor=reviewer, share_request=rejected, note="不予支持")
    assert rejected.state == RequestState.CLOSED


def test_the_consumer_may_withdraw_before_the_answer(submitted, officer_b):
    request_withdraw(actor=officer_b, share_request=submitted, note="需求取消")
    assert submitted.state == RequestState.CLOSED


def test_every_step_is_an_event_and_an_audit_record(rejected):
    actions = list(rejected.events.values_list("action", flat=True))
    assert actions == ["create", "submit", "conformity_pass", "decide"]
    audited = set(
        AuditEvent.objects.filter(object_id=str(rejected.pk)).values_list("action", flat=True)
    )
    assert {"sharing.request.submit", "sharing.request.decide"} <= audited


def test_an_item_granted_at_conformity_cannot_be_taken_back(in_provider_review, officer_a):
    with pytest.raises(ValidationError) as error:
        provider_decide(
            actor=officer_a,
            share_request=in_provider_review,
            answers={
                "GMSFHM": ItemAnswer(grant=True),
                "XM": ItemAnswer(grant=True),
                "XBDM": ItemAnswer(grant=False, reason="不想给"),
            },
        )
    assert set(error.value.message_dict) == {"items.XBDM"}
    # but its masking may be set in the answer
    provider_decide(
        actor=officer_a,
        share_request=in_provider_review,
        answers={
            "GMSFHM": ItemAnswer(grant=True),
            "XM": ItemAnswer(grant=True),
            "XBDM": ItemAnswer(grant=True, masking="custom"),
        },
    )
    assert in_provider_review.grant.items.get(identifier="XBDM").masking == "custom"


def test_a_grant_cannot_end_before_the_period_starts(
    officer_a, officer_b, dept_b, resource, reviewer
):
    start = dt.date.today() + dt.timedelta(days=60)
    share_request = draft_request(
        officer_b, dept_b, resource, period_start=start, period_end=start + dt.timedelta(90)
    )
    request_submit(actor=officer_b, share_request=share_request)
    conformity_review(actor=reviewer, share_request=share_request, outcome="pass")
    with pytest.raises(ValidationError) as error:
        provider_decide(
            actor=officer_a,
            share_request=share_request,
            answers={"GMSFHM": ItemAnswer(grant=True), "XM": ItemAnswer(grant=True)},
            terms=GrantTerms(valid_until=start - dt.timedelta(days=1)),
        )
    assert fields_of(error) == {"valid_until"}


def test_nothing_is_granted_for_an_application_no_longer_in_use(rejected, officer_a, officer_b):
    # given a refused request under negotiation whose application has since been retired
    negotiation_open(actor=officer_b, share_request=rejected, note="请再考虑")
    type(rejected.application).objects.filter(pk=rejected.application_id).update(
        lifecycle="retired"
    )
    rejected.application.refresh_from_db()

    # when the provider agrees, then it is refused and the request stays in negotiation
    with pytest.raises(ValidationError) as error:
        negotiation_agree(
            actor=officer_a, share_request=rejected, answers={"XM": ItemAnswer(grant=True)}
        )
    assert fields_of(error) == {"state"}
    rejected.refresh_from_db()
    assert rejected.state == RequestState.NEGOTIATION
