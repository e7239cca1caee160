"""Configurable rules: a value of the wrong type is refused naming the key, nothing is stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from govshare.core.config import coerce, param, param_set
from govshare.core.models import AuditEvent, ConfigParam
from govshare.inventory.config import SIMILARITY
from govshare.sharing.config import CONFORMITY_ENABLED

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("core:config_list")
FLOAT_KEY = SIMILARITY.key  # inventory.zombie.similarity_threshold, 0.1–1.0
BOOL_KEY = CONFORMITY_ENABLED.key  # sharing.conformity_review, default True


def _assert_nothing_stored(key: str) -> None:
    assert not ConfigParam.objects.filter(key=key).exists()
    assert not AuditEvent.objects.filter(action="core.config.set").exists()


# --- coerce ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["nan", "NaN", "-nan", float("nan"), "inf", "-inf", "1e400"])
def test_given_a_float_setting_when_given_a_non_finite_number_then_it_is_refused(raw):
    with pytest.raises(ValidationError) as caught:
        coerce(SIMILARITY, raw)
    assert list(caught.value.message_dict) == [FLOAT_KEY]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        ("on", True),
        ("OFF", False),
        ("yes", True),
        (" No ", False),
    ],
)
def test_given_a_yes_no_setting_when_given_a_clear_spelling_then_it_is_read(raw, expected):
    assert coerce(CONFORMITY_ENABLED, raw) is expected


@pytest.mark.parametrize("raw", ["maybe", "", "ture", "2", "-1", None, "none", 1.5])
def test_given_a_yes_no_setting_when_given_anything_else_then_it_is_refused(english, raw):
    with pytest.raises(ValidationError) as caught:
        coerce(CONFORMITY_ENABLED, raw)
    assert caught.value.message_dict == {BOOL_KEY: ["Enter true or false."]}


@pytest.mark.parametrize("value", ["nan", "maybe"])
def test_given_a_bad_value_when_set_by_the_service_then_nothing_is_stored(admin_user, value):
    key = FLOAT_KEY if value == "nan" else BOOL_KEY
    with pytest.raises(ValidationError) as caught:
        param_set(actor=admin_user, key=key, value=value)
    assert key in caught.value.message_dict
    _assert_nothing_stored(key)


# --- the settings page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (FLOAT_KEY, "nan", "请输入类型正确的值。"),
        (BOOL_KEY, "maybe", "请输入 true 或 false。"),
        (BOOL_KEY, "", "请输入 true 或 false。"),
    ],
)
def test_given_an_admin_when_a_bad_value_is_posted_then_the_page_names_the_key_and_stores_nothing(
    client_for, admin_user, key, value, message
):
    response = client_for(admin_user).post(SETTINGS_URL, {"key": key, "value": value})
    assert response.status_code == 422
    row = next(row for row in response.context["rows"] if row["spec"].key == key)
    assert row["errors"] == [message]
    assert message in response.content.decode()
    _assert_nothing_stored(key)


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("true", True)])
def test_given_an_admin_when_the_yes_no_select_is_posted_then_the_choice_is_saved(
    client_for, admin_user, value, expected
):
    client = client_for(admin_user)
    response = client.post(SETTINGS_URL, {"key": BOOL_KEY, "value": value})
    assert response.status_code == 302
    assert param(BOOL_KEY) is expected


def test_given_an_unknown_key_when_posted_then_the_page_shows_the_error(client_for, admin_user):
    response = client_for(admin_user).post(SETTINGS_URL, {"key": "no.such.key", "value": "1"})
    assert response.status_code == 422
    assert response.context["page_errors"] == ["未知配置项。"]
    assert "未知配置项。" in response.content.decode()
    assert not ConfigParam.objects.exists()


def test_given_yes_no_settings_when_the_page_is_opened_then_defaults_read_yes_or_no(
    client_for, admin_user
):
    response = client_for(admin_user).get(SETTINGS_URL)
    row_html = _row_of(response.content.decode(), BOOL_KEY)
    default_cell = row_html.rsplit("<td", 1)[1]
    assert "是" in default_cell
    assert "True" not in row_html and "False" not in row_html


def test_given_a_reader_without_the_right_when_the_page_is_opened_then_values_read_yes_or_no(
    client_for, officer_a
):
    response = client_for(officer_a).get(SETTINGS_URL)
    assert response.context["can_change"] is False
    row_html = _row_of(response.content.decode(), BOOL_KEY)
    assert "True" not in row_html and "False" not in row_html


def _row_of(html: str, key: str) -> str:
    start = html.rindex("<tr>", 0, html.index(key))
    return html[start : html.index("</tr>", start)]
