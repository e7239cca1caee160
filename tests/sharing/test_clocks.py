"""Deadline clocks of sharing requests: which clock runs, overdue flags, the on-time rate."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone

from govshare.catalog import seed
from govshare.catalog.services import resource_create
from govshare.sharing import holidays
from govshare.sharing.choices import RequestState
from govshare.sharing.clocks import Clock, clock_for, clocks_for, on_time_rate, overdue_filter
from govshare.sharing.models import ShareRequest
from tests.catalog.factories import items_data, resource_data
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
S = RequestState
NUMBERS = itertools.count(1)


@pytest.fixture(autouse=True)
def reference_data():
    """Catalog reference data and the national holidays (a transactional test may flush them)."""
    seed.load(apps, None)
    holidays.load(apps, None)


@pytest.fixture
def make_request(dept_a, dept_b, officer_a, officer_b):
    """``make_request(state, **deadlines)``: a request of dept_a to dept_b, created directly."""
    resource = resource_create(
        actor=officer_b, provider=dept_b, data=resource_data(), items=items_data()
    )
    application = SystemFactory(department=dept_a)

    def make(state: str, **fields) -> ShareRequest:
        return ShareRequest.objects.create(
            number=f"GX{next(NUMBERS):06d}",
            consumer=dept_a,
            provider=dept_b,
            application=application,
            resource=resource,
            resource_version=resource.working_version,
            state=state,
            purpose="work_reference",
            purpose_detail="核验申请人户籍",
            basis="《政务数据共享条例》",
            scenario="窗口受理",
            mode="query",
            period_start=D("2025-09-01"),
            period_end=D("2026-08-31"),
            expected_daily_calls=100,
            created_by=officer_a,
            **fields,
        )

    return make


def at(day: str, hour: int = 10) -> dt.datetime:
    """An aware moment of ``day`` in the node's time zone."""
    return timezone.make_aware(dt.datetime.combine(D(day), dt.time(hour)))


# --- which clock runs -----------------------------------------------------------------------


def test_a_submitted_request_runs_the_authoritys_conformity_clock(make_request):
    # given a request submitted Fri 26 Sep 2025, conformity review due Mon 29 Sep (28th worked)
    request = make_request(S.SUBMITTED, conformity_due=D("2025-09-29"))
    # when read on the submission day
    clock = clock_for(request, D("2025-09-26"))
    # then two working days remain (28 and 29 Sep)
    assert clock == Clock("authority", D("2025-09-29"), 2, False, False, None)


@pytest.mark.parametrize("state", [S.PROVIDER_REVIEW, S.NEGOTIATION])
def test_the_provider_clock_runs_in_review_and_negotiation(make_request, state):
    request = make_request(state, provider_due=D("2025-10-16"), conformity_due=D("2025-09-29"))
    clock = clock_for(request, D("2025-09-30"))
    # 9, 10, 11 (Sat, worked), 13, 14, 15, 16 Oct
    assert (clock.party, clock.due, clock.remaining, clock.overdue) == (
        "provider",
        D("2025-10-16"),
        7,
        False,
    )


def test_coordination_runs_the_authoritys_coordination_clock(make_request):
    request = make_request(
        S.COORDINATION, provider_due=D("2025-10-16"), coordination_due=D("2025-11-03")
    )
    clock = clock_for(request, D("2025-11-03"))
    assert (clock.party, clock.due, clock.remaining, clock.overdue) == (
        "authority",
        D("2025-11-03"),
        0,
        False,
    )


@pytest.mark.parametrize("state", [S.DRAFT, S.REJECTED, S.ACTIVE, S.CLOSED, S.EXPIRED])
def test_no_clock_runs_outside_the_clock_states(make_request, state):
    request = make_request(state, provider_due=D("2025-10-16"), conformity_due=D("2025-09-29"))
    assert clock_for(request, D("2025-12-01")) is None


def test_no_clock_without_a_deadline(make_request):
    assert clock_for(make_request(S.PROVIDER_REVIEW), D("2025-10-01")) is None


@pytest.mark.parametrize(
    ("today", "remaining", "overdue"),
    [
        ("2025-10-16", 1, False),
        ("2025-10-17", 0, False),  # the due day itself
        ("2025-10-18", -1, True),  # the Saturday after: no working day passed, still late
        ("2025-10-20", -1, True),
        ("2025-10-21", -2, True),
    ],
)
def test_the_clock_turns_overdue_the_day_after_the_due_date(
    make_request, today, remaining, overdue
):
    request = make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-17"))
    clock = clock_for(request, D(today))
    assert (clock.remaining, clock.overdue, clock.answered) == (remaining, overdue, False)


def test_an_answered_clock_records_whether_it_was_on_time(make_request):
    # given a negotiation where the provider answered on the due day (late evening)
    on_time = make_request(
        S.NEGOTIATION, provider_due=D("2025-10-17"), provider_answered=at("2025-10-17", 23)
    )
    late = make_request(
        S.NEGOTIATION, provider_due=D("2025-10-17"), provider_answered=at("2025-10-21")
    )
    # then neither is overdue, whenever it is read; the late one is two working days late
    assert clock_for(on_time, D("2025-12-01")) == Clock(
        "provider", D("2025-10-17"), 0, False, True, True
    )
    assert clock_for(late, D("2025-12-01")) == Clock(
        "provider", D("2025-10-17"), -2, False, True, False
    )


def test_clocks_for_a_page_read_the_calendar_once(make_request, django_assert_num_queries):
    requests = [
        make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-16")),
        make_request(S.SUBMITTED, conformity_due=D("2025-09-29")),
        make_request(S.ACTIVE, provider_due=D("2025-10-16")),
    ]
    with django_assert_num_queries(1):
        clocks = clocks_for(requests, D("2025-09-30"))
    assert [clocks[r.pk] and clocks[r.pk].party for r in requests] == [
        "provider",
        "authority",
        None,
    ]


# --- overdue --------------------------------------------------------------------------------


def test_overdue_filter_matches_clock_for(make_request):
    today = D("2025-10-20")
    late_provider = make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-17"))
    late_review = make_request(S.SUBMITTED, conformity_due=D("2025-10-16"))
    late_coordination = make_request(S.COORDINATION, coordination_due=D("2025-10-10"))
    not_late = [
        make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-20")),  # due today
        make_request(
            S.NEGOTIATION, provider_due=D("2025-10-10"), provider_answered=at("2025-10-13")
        ),
        make_request(S.ACTIVE, provider_due=D("2025-10-10")),  # no clock runs
        make_request(S.COORDINATION, provider_due=D("2025-10-10")),  # its own clock not set
        make_request(S.PROVIDER_REVIEW),
    ]
    overdue = set(ShareRequest.objects.filter(overdue_filter(today)))
    assert overdue == {late_provider, late_review, late_coordination}
    for request in [late_provider, late_review, late_coordination, *not_late]:
        clock = clock_for(request, today)
        assert (clock is not None and clock.overdue) == (request in overdue)


# --- on-time-answer rate --------------------------------------------------------------------


def test_on_time_rate_counts_answers_and_waiting_requests_past_due(make_request):
    # given requests around October 2025, read on 31 Oct
    make_request(S.ACTIVE, provider_due=D("2025-10-16"), provider_answered=at("2025-10-15"))
    make_request(S.ACTIVE, provider_due=D("2025-10-16"), provider_answered=at("2025-10-20"))
    make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-20"))  # waiting, late
    make_request(S.ACTIVE, provider_due=D("2025-09-20"), provider_answered=at("2025-10-02"))
    # not counted: not yet due, withdrawn unanswered, outside the window, never on the clock
    make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-31"))
    make_request(S.CLOSED, provider_due=D("2025-10-10"))
    make_request(S.ACTIVE, provider_due=D("2025-11-14"), provider_answered=at("2025-11-01"))
    make_request(S.ACTIVE, provider_answered=at("2025-10-09"))
    # when the rate of October is computed
    result = on_time_rate(
        ShareRequest.objects.all(), D("2025-10-01"), D("2025-10-31"), today=D("2025-10-31")
    )
    # then 1 of 4 was answered by its deadline
    assert result == (1, 4, 0.25)


def test_an_answer_late_on_the_due_day_is_on_time(make_request):
    make_request(S.ACTIVE, provider_due=D("2025-10-16"), provider_answered=at("2025-10-16", 23))
    result = on_time_rate(
        ShareRequest.objects.all(), D("2025-10-01"), D("2025-10-31"), today=D("2025-11-30")
    )
    assert result == (1, 1, 1.0)


def test_on_time_rate_is_none_when_nothing_was_due(make_request):
    make_request(S.PROVIDER_REVIEW, provider_due=D("2025-10-31"))
    result = on_time_rate(
        ShareRequest.objects.all(), D("2025-10-01"), D("2025-10-31"), today=D("2025-10-20")
    )
    assert result == (0, 0, None)


# --- the clock badge ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "text"),
    [
        (Clock("provider", D("2025-10-17"), 7, False, False, None), "7 working days left"),
        (Clock("provider", D("2025-10-17"), 0, False, False, None), "Due today"),
        (Clock("authority", D("2025-10-17"), -2, True, False, None), "Overdue by 2 working days"),
        (Clock("provider", D("2025-10-17"), -1, False, True, False), "Answered late"),
        (Clock("provider", D("2025-10-17"), 3, False, True, True), "Answered on time"),
    ],
)
def test_the_clock_badge_says_where_the_clock_stands(english, clock, text):
    html = render_to_string("sharing/calendar_clock.html", {"clock": clock})
    assert text in html and "2025-10-17" in html
    assert ("data-overdue" in html) == clock.overdue


def test_no_clock_renders_nothing():
    assert render_to_string("sharing/calendar_clock.html", {"clock": None}).strip() == ""
