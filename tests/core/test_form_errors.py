"""A form sent back with errors lists them all at its top, each linking to its field (issue 12:
long forms showed errors only beside the fields). One include (includes/form_errors.html)
serves the generic form page and the long forms of their own."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.sharing.factories import application_of, published_resource
from tests.sharing.test_request_views import create_url, form_post

pytestmark = pytest.mark.django_db


def summary_links(html: str) -> dict[str, str]:
    """{field name: the link's target} of the error summary."""
    summary = html.split('id="gs-form-errors"', 1)[1].split("</div>\n</div>", 1)[0]
    return dict(
        (name, target)
        for target, name in re.findall(r'href="#([\w-]+)" data-error-for="(\w+)"', summary)
    )


def test_the_long_request_form_lists_every_error_at_its_top(
    client_for, officer_a, officer_b, reviewer, dept_a, dept_b
):
    resource = published_resource(officer_a, reviewer, dept_a)
    application = application_of(dept_b)
    # When the request form is sent with three fields left empty,
    data = form_post(application, purpose_detail="", basis="", scenario="")
    response = client_for(officer_b).post(create_url(resource), data)
    # then its top names the three, each linking to its input.
    assert response.status_code == 400
    links = summary_links(response.content.decode())
    assert links == {
        "purpose_detail": "id_purpose_detail",
        "basis": "id_basis",
        "scenario": "id_scenario",
    }


def test_the_generic_form_page_lists_its_errors_at_its_top(client_for, admin_user):
    response = client_for(admin_user).post(reverse("orgs:department_create"), {})
    html = response.content.decode()
    links = summary_links(html)
    assert links and all(f'id="{target}"' in html for target in links.values())
