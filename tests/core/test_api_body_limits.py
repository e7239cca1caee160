"""The REST API parses bodies through core/web/json_limits.py: a body nested too deeply is a 400
naming the rule (not "not valid JSON", and never a 500), one too large a 413 (issue #11)."""

from __future__ import annotations

import pytest

from govshare.core.web.api import JSON_MAX_DEPTH
from govshare.orgs.models import Department
from tests.api_client import API, api_client, assert_error_body, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(admin_user, dept_a):
    return api_client(admin_user)


@pytest.mark.parametrize("levels", [JSON_MAX_DEPTH + 1, 10_000, 30_000])
@pytest.mark.parametrize("path", ["/departments", "/me/tokens"])
def test_a_deeply_nested_body_is_a_400_naming_the_depth_limit(admin_api, path, levels):
    before = Department.objects.count()
    body = '{"name":' + "[" * levels + "]" * levels + "}"

    response = send(admin_api, "POST", API + path, body)

    refused = assert_error_body(response, 400)
    assert refused["code"] == "body_too_deep"
    assert str(JSON_MAX_DEPTH) in refused["message"]
    assert Department.objects.count() == before


def test_a_body_nested_within_the_limit_is_read_as_usual(admin_api):
    body = '{"name":' + "[" * (JSON_MAX_DEPTH - 1) + "]" * (JSON_MAX_DEPTH - 1) + "}"

    response = send(admin_api, "POST", f"{API}/me/tokens", body)

    assert assert_error_body(response, 422)["fields"].keys() == {"name"}


def test_a_body_over_the_upload_limit_is_a_413(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = send(admin_api, "POST", f"{API}/me/tokens", {"name": "长" * 1000})

    refused = assert_error_body(response, 413)
    assert refused["code"] == "body_too_large" and "1000" in refused["message"]
