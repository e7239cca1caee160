"""A GET on an action URL (a form's POST target) never answers with a bare 405 (issue 12).

After a refused form the browser sits on the action's address; reloading it, following a shared
link or signing in with ``?next=`` pointing at it sends a GET, which Django's ``require_POST``
answered with an empty 405 the browser shows as "HTTP ERROR 405"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

from govshare.core.web.action_views import nothing_done
from govshare.sharing.services.requests import request_submit
from tests.sharing.factories import draft_request, published_resource

pytestmark = pytest.mark.django_db

# Placeholders for the path converters the URL map uses.
SAMPLE_VALUES = {"int": "1", "str": "table", "slug": "x", "path": "x"}
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def management_routes(
    patterns: list[Any], prefix: str = ""
) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(sample URL, view) for every route of the pages (the API answers in JSON of its own)."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from management_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not route.startswith("api/"):
            url = "/" + CONVERTER.sub(lambda m: SAMPLE_VALUES[m.group(1) or "str"], route)
            yield url, pattern.callback


@pytest.fixture
def admin_client(admin_user) -> Client:
    """A signed-in administrator: no login redirect hides a view's answer. A page that refuses
    the placeholder arguments answers its own error page, which is not under test here."""
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


def test_no_route_answers_a_get_with_a_bare_405(admin_client):
    bare = []
    # When every route of the URL map is requested with GET,
    for url, _view in management_routes(get_resolver().url_patterns):
        response = admin_client.get(url)
        # then none answers 405 without a page saying what to do.
        if response.status_code == 405 and b"<h1" not in response.content:
            bare.append(url)
    assert not bare, bare


def test_a_get_on_an_action_leads_to_the_page_it_belongs_to(admin_client):
    actions = [
        (url, view.answers_get_with)
        for url, view in management_routes(get_resolver().url_patterns)
        if getattr(view, "answers_get_with", None) is not None
    ]
    # (the action URLs the issue names are among them)
    named = {"/sharing/requests/1/conformity/", "/sharing/requests/1/answer/"}
    named |= {"/catalog/resources/1/review/", "/sharing/grants/1/suspend/"}
    assert named | {"/inventory/census/1/review/"} <= {url for url, _back in actions}
    for url, (back, keep) in actions:
        # When an action's address is requested with GET,
        response = admin_client.get(url)
        # then the answer is a redirect to the page of its object (the sample key, 1).
        assert response.status_code == 302, url
        kwargs = {key: 1 for key in keep if key in resolve(url).kwargs}
        assert response["Location"] == reverse(back, kwargs=kwargs), url


def test_reloading_a_refused_step_shows_the_request_page(
    officer_a, officer_b, reviewer, dept_a, dept_b
):
    # Given a submitted request and the authority's reviewer, whose conformity review was
    # refused (no outcome chosen): the browser now sits on the step's address;
    resource = published_resource(officer_a, reviewer, dept_a)
    share_request = draft_request(officer_b, dept_b, resource)
    request_submit(actor=officer_b, share_request=share_request)
    client = Client()
    client.force_login(reviewer)
    step = reverse("sharing:request_conformity", args=[share_request.pk])
    assert client.post(step, {"note": ""}).status_code == 400
    # when the reviewer reloads the page (a GET on the same address),
    response = client.get(step, follow=True)
    # then the request's page is shown, saying nothing was done.
    assert response.redirect_chain == [
        (reverse("sharing:request_detail", args=[share_request.pk]), 302)
    ]
    assert response.status_code == 200
    assert share_request.number in response.content.decode()
    messages = [str(message) for message in response.context["messages"]]
    with translation.override("zh-hans"):
        assert nothing_done() in messages
