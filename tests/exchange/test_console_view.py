"""The API console: a data officer sees only the department's live grants as consumer, the chosen
grant's items, masking and key parameters, a curl example — and a page with no inline script,
whose key and secret inputs could never be submitted to the server."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from govshare.catalog.models import Mount
from govshare.core.roles import Role
from govshare.exchange.models import ApiMount
from tests.exchange.gateway.factories import World, grant, published_resource, table_mount
from tests.factories import DepartmentFactory, member
from tests.inventory.factories import SystemFactory

pytestmark = pytest.mark.django_db

CONSOLE = "/exchange/console/"


@pytest.fixture
def world(dept_a, dept_b, officer_a, officer_b, reviewer) -> World:
    """公安局 (A) publishes a resource mounted on a table keyed by GMSFHM and XM; 人社局 (B)
    has an application that calls it."""
    resource = published_resource(officer_a, reviewer, dept_a)
    return World(
        provider=dept_a,
        consumer=dept_b,
        officer=officer_b,
        resource=resource,
        mount=table_mount(resource, dept_a),
        application=SystemFactory(department=dept_b, name="社保经办系统"),
        credential=None,
        secret="",
    )


def grant_ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [int(pk) for pk in re.findall(r'data-grant="(\d+)"', response.content.decode())]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(CONSOLE)
    assert response.status_code == 302
    assert reverse("identity:login") in response["Location"]


@pytest.mark.parametrize("user", ["staff_a", "auditor", "reviewer"])
def test_only_data_officers_use_the_console(request, client_for, user):
    assert client_for(request.getfixturevalue(user)).get(CONSOLE).status_code == 403


def test_lists_only_my_departments_live_grants_as_consumer(client_for, world, officer_a):
    live = grant(world, ["GMSFHM", "XM", "LXDH"])
    grant(world, ["XM"], state="suspended")
    grant(world, ["XM"], state="revoked")
    grant(world, ["XM"], valid_until=live.valid_from)  # expired yesterday
    grant(world, ["XM"], valid_from=live.valid_until)  # not valid yet
    assert grant_ids(client_for(world.officer).get(CONSOLE)) == [live.pk]
    # The provider's officer sees none of them: they are not its department's calls to make.
    assert grant_ids(client_for(officer_a).get(CONSOLE)) == []


def test_a_third_departments_officer_sees_nothing_and_cannot_open_one(client_for, world):
    live = grant(world, ["XM"])
    officer_c = member(DepartmentFactory(name="民政局"), Role.DATA_OFFICER)
    client = client_for(officer_c)
    assert grant_ids(client.get(CONSOLE)) == []
    assert client.get(CONSOLE, {"grant": live.pk}).status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "99999999999999999999999", "1;2"])
def test_a_malformed_grant_parameter_is_404(client_for, world, value):
    grant(world, ["XM"])
    assert client_for(world.officer).get(CONSOLE, {"grant": value}).status_code == 404


def test_a_query_grant_shows_items_masking_key_parameters_and_curl(client_for, world):
    live = grant(world, ["GMSFHM", "XM", "LXDH"])
    response = client_for(world.officer).get(CONSOLE, {"grant": live.pk})
    page = response.content.decode()
    assert re.findall(r'data-item="(\w+)"', page) == ["GMSFHM", "XM", "LXDH"]
    assert re.findall(r'data-console-param="(\w+)"', page) == ["GMSFHM", "XM"]  # key items
    assert f"GET /gw/resources/{world.resource.pk}/query" in page
    curl = response.context["curl"]
    assert "/gw/token" in curl and "$APP_SECRET" in curl
    assert "--data-urlencode GMSFHM=&lt;value&gt;" in page or "GMSFHM=<value>" in curl
    assert "items=GMSFHM,XM,LXDH" in curl
    config = response.context["config"]
    assert config == {
        "gateway": "/gw",
        "resource": world.resource.pk,
        "mode": "query",
        "path": f"/gw/resources/{world.resource.pk}/query",
        "method": "GET",
        "items": ["GMSFHM", "XM", "LXDH"],
        "parameters": ["GMSFHM", "XM"],
    }


def test_one_live_grant_is_chosen_at_once(client_for, world):
    live = grant(world, ["XM"])
    response = client_for(world.officer).get(CONSOLE)
    assert response.context["grant"] == live


def test_a_verify_grant_asks_for_keys_and_the_values_to_compare(client_for, world):
    live = grant(world, ["GMSFHM", "XM", "XBDM"], mode="verify")
    response = client_for(world.officer).get(CONSOLE, {"grant": live.pk})
    page = response.content.decode()
    assert re.findall(r'data-console-param="(\w+)"', page) == ["GMSFHM", "XM", "XBDM"]
    assert response.context["call"]["method"] == "POST"
    assert "-X POST" in response.context["curl"]


def test_a_proxy_grant_takes_the_upstream_key_parameters(client_for, world):
    mount = Mount.objects.create(resource=world.resource, kind="api", status="mounted")
    ApiMount.objects.create(
        mount=mount, base_url="http://127.0.0.1:9/", key_params={"GMSFHM": "sfzh"}, fields={}
    )
    live = grant(world, ["GMSFHM", "XM"], mode="proxy")
    page = client_for(world.officer).get(CONSOLE, {"grant": live.pk}).content.decode()
    assert re.findall(r'data-console-param="(\w+)"', page) == ["GMSFHM"]
    assert f"/gw/resources/{world.resource.pk}/proxy" in page


def test_without_key_items_parameters_are_free_form(client_for, world):
    Mount.objects.filter(resource=world.resource).delete()
    live = grant(world, ["XM"])
    page = client_for(world.officer).get(CONSOLE, {"grant": live.pk}).content.decode()
    assert "data-console-free" in page
    assert "data-console-param=" not in page


def test_the_page_runs_no_inline_script_and_submits_no_secret(client_for, world):
    live = grant(world, ["GMSFHM", "XM"])
    page = client_for(world.officer).get(CONSOLE, {"grant": live.pk}).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert any("exchange/console.js" in tag for tag in scripts)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", page)
    assert not re.search(r"javascript:", page, re.IGNORECASE)
    form = re.search(r'<form[^>]*id="gs-console-form".*?</form>', page, re.DOTALL).group(0)
    assert "name=" not in form  # nothing typed in the console can be submitted here
    assert 'type="password"' in form


def test_a_key_parameter_is_not_labelled_as_a_settings_key(client_for, world):
    # "key" of the settings page (配置键) and a query's key parameter are two meanings of one
    # English word: the console's badge has a message context of its own (issue 12).
    live = grant(world, ["GMSFHM", "XM"])
    page = client_for(world.officer).get(CONSOLE, {"grant": live.pk}).content.decode()
    assert pgettext("query parameter", "key") in page
    assert gettext("key") not in page
