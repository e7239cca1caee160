"""The catalog counts, for the funding gate, the resources in force each system is a source of."""

from __future__ import annotations

import pytest

from govshare.catalog.services import resource_create, resource_review, resource_submit
from govshare.inventory import funding
from tests.catalog.factories import items_data, resource_data
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db


def test_a_system_without_resources_in_force_fails_the_gate(officer_a, reviewer, dept_a):
    # given two connected systems of dept_a, one the source of a published resource and one the
    # source of a draft only
    feeding = SystemFactory(department=dept_a, name="户籍系统", sharing_status="connected")
    drafting = SystemFactory(department=dept_a, name="草稿系统", sharing_status="connected")
    published = resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(),
        items=items_data(),
        source_systems=[feeding],
    )
    resource_submit(actor=officer_a, resource=published)
    resource_review(actor=reviewer, resource=published, approve=True)
    resource_create(
        actor=officer_a,
        provider=dept_a,
        data=resource_data(name="草稿资源"),
        items=items_data(),
        source_systems=[drafting],
    )

    # when the gate is read with the catalog's counter registered (apps.ready)
    rows = {row.name: row for row in funding.funding_gate(officer_a)}

    # then only the system without a resource in force fails for "no catalog resources"
    assert funding.checks_resources()
    assert "no_resources" not in rows["户籍系统"].reason_codes
    assert "no_resources" in rows["草稿系统"].reason_codes
