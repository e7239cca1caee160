"""Draft → submit → return → fix → approve (code allocated) → change (version 2) → withdraw."""

from __future__ import annotations

import re
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from govshare.catalog.models import Category, CodeCounter, Resource
from govshare.catalog.services import (
    allocate_code,
    resource_create,
    resource_review,
    resource_start_change,
    resource_submit,
    resource_withdraw,
    version_update,
)
from govshare.core.models import AuditEvent
from tests.catalog.factories import items_data, resource_data

pytestmark = pytest.mark.django_db
CODE = re.compile(r"^[1-3]\d{5}[0-9A-Z]*/\d+$")


def _draft(officer, provider):
    return resource_create(
        actor=officer, provider=provider, data=resource_data(), items=items_data()
    )


def test_the_whole_lifecycle(officer_a, reviewer, dept_a):
    resource = _draft(officer_a, dept_a)
    resource_submit(actor=officer_a, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=False, note="摘要过于简单")
    assert resource.status == "draft" and resource.working_version.status == "returned"
    version_update(
        actor=officer_a,
        resource=resource,
        data=resource_data(summary="本市户籍人口的身份、户籍、住址和变动信息"),
        items=items_data(),
    )
    resource_submit(actor=officer_a, resource=resource)
    resource_review(actor=reviewer, resource=resource, approve=True)
    assert resource.status == "published" and CODE.match(resource.code)
    first = resource.current_version
    assert first.number == 1 and first.publish_date is not None
    second = resource_start_change(actor=officer_a, resource=resource)
    version_update(
        actor=officer_a,
        resource=resource,
        data=resource_data(update_cycle="realtime"),
        items=items_data(),
    )
    resource_submit(actor=officer_a, resource=resource)
    assert Resource.objects.get().current_version == first  # still in force during review
    resource_review(actor=reviewer, resource=resource, approve=True)
    first.refresh_from_db()
    assert resource.current_version == second and first.status == "superseded"
    actions = list(resource.events.values_list("action", flat=True))
    assert actions == [
        "create",
        "submit",
        "return",
        "submit",
        "approve",
        "change",
        "submit",
        "approve",
    ]
    resource_withdraw(actor=officer_a, resource=resource, reason="职能调整，数据不再采集")
    assert resource.status == "withdrawn"
    assert AuditEvent.objects.filter(action__startswith="catalog.").count() >= 9


def test_only_the_authority_reviews(officer_a, dept_a):
    resource = _draft(officer_a, dept_a)
    resource_submit(actor=officer_a, resource=resource)
    with pytest.raises(PermissionDenied):
        resource_review(actor=officer_a, resource=resource, approve=True)
    assert Resource.objects.get().code is None


@pytest.mark.parametrize("who", ["officer_b", "staff_a", "auditor", "reviewer"])
def test_only_the_providers_data_officer_drafts(request, who, dept_a):
    with pytest.raises(PermissionDenied):
        _draft(request.getfixturevalue(who), dept_a)
    assert not Resource.objects.exists()


def test_returning_needs_comments_and_withdrawing_a_reason(officer_a, reviewer, dept_a):
    resource = _draft(officer_a, dept_a)
    resource_submit(actor=officer_a, resource=resource)
    with pytest.raises(ValidationError):
        resource_review(actor=reviewer, resource=resource, approve=False, note="")
    with pytest.raises(ValidationError):
        resource_withdraw(actor=officer_a, resource=resource, reason=" ")


def test_a_submitted_version_cannot_be_edited(officer_a, dept_a):
    resource = _draft(officer_a, dept_a)
    resource_submit(actor=officer_a, resource=resource)
    with pytest.raises(ValidationError) as caught:
        version_update(actor=officer_a, resource=resource, data=resource_data(), items=items_data())
    assert caught.value.error_dict["status"][0].code == "conflict"


def test_codes_under_one_prefix_count_up(dept_a):
    category = Category.objects.get(code="101001")
    first, second = allocate_code(category, dept_a.pk), allocate_code(category, dept_a.pk)
    assert first.split("/")[0] == second.split("/")[0]
    assert int(second.split("/")[1]) == int(first.split("/")[1]) + 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_share_a_code(dept_a):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the race matters on PostgreSQL")
    category = Category.objects.get(code="101001")
    codes: list[str] = []

    def take() -> None:
        from django.db import transaction

        for _ in range(10):
            with transaction.atomic():
                codes.append(allocate_code(category, dept_a.pk))
        connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(codes) == 40 and len(set(codes)) == 40
    assert CodeCounter.objects.get().last == 40
