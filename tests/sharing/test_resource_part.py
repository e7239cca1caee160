"""Sharing's part of the catalog resource page, reached through catalog.resource_page (the
catalog names no sharing module or template)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govshare.catalog.resource_page import resource_page_parts
from govshare.sharing.views.resource_part import RESOURCE_SHARING_PART
from tests.sharing.factories import draft_request, published_resource


@pytest.fixture
def resource(officer_a, reviewer, dept_a):
    return published_resource(officer_a, reviewer, dept_a)


def test_sharing_registers_its_part_when_ready():
    assert RESOURCE_SHARING_PART in list(resource_page_parts)


def test_given_a_request_on_a_resource_then_its_page_has_the_sharing_tab_with_the_request(
    client_for, officer_b, dept_b, resource
):
    # Given a request of department B on department A's resource
    request = draft_request(officer_b, dept_b, resource)
    # When B's data officer opens the resource's page
    page = client_for(officer_b).get(reverse("catalog:resource_detail", args=[resource.pk]))
    html = page.content.decode()
    # Then sharing's tab lists it, with its count, and "request data" is offered
    assert 'id="gs-tab-requests"' in html and 'id="gs-pane-requests"' in html
    assert page.context["part_tabs"][0].count == 1
    assert 'id="gs-resource-requests"' in html and request.number in html
    assert 'id="gs-resource-request"' in html


def test_without_registered_parts_the_page_has_no_sharing_tab(
    client_for, officer_b, resource, monkeypatch
):
    # Given no package registered a part (sharing not installed, say)
    monkeypatch.setattr(resource_page_parts, "_entries", [])
    # When the page is opened, then it renders without sharing's tab or action
    html = client_for(officer_b).get(reverse("catalog:resource_detail", args=[resource.pk]))
    text = html.content.decode()
    assert html.status_code == 200
    assert 'id="gs-tab-requests"' not in text and 'id="gs-resource-request"' not in text
