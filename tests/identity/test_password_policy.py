"""The password policy speaks Chinese: every configured rule's error and help text."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from govshare.identity.validators import MinimumLengthValidator

pytestmark = pytest.mark.django_db

# A password each configured rule refuses, for a user named like the first one.
BREAKING = {
    "UserAttributeSimilarityValidator": "zhangsan2026",
    "MinimumLengthValidator": "Xq#7",
    "CommonPasswordValidator": "password123",
    "NumericPasswordValidator": "4711081547110815",
}


def _user():
    return get_user_model()(username="zhangsan2026", email="zs@example.cn")


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def test_given_the_settings_then_the_minimum_length_rule_is_ours_with_ten_characters():
    rules = {type(rule): rule for rule in password_validation.get_default_password_validators()}
    assert rules[MinimumLengthValidator].min_length == 10


@pytest.mark.parametrize(
    "rule",
    password_validation.get_default_password_validators(),
    ids=lambda rule: type(rule).__name__,
)
def test_given_the_zh_hans_ui_when_a_rule_refuses_a_password_then_its_message_is_chinese(rule):
    password = BREAKING[type(rule).__name__]
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            rule.validate(password, _user())
        messages, help_text = caught.value.messages, str(rule.get_help_text())
    assert messages and all(_is_chinese(message) for message in messages), messages
    assert _is_chinese(help_text), help_text


def test_given_the_zh_hans_ui_when_a_short_password_is_set_then_the_length_is_in_the_message():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            password_validation.validate_password("Xq#7-abc", _user())
    [message] = caught.value.messages
    assert _is_chinese(message) and "10" in message


@pytest.mark.parametrize(("min_length", "ending"), [(1, "character."), (12, "characters.")])
def test_given_english_when_a_password_is_too_short_then_the_message_counts_characters(
    english, min_length, ending
):
    rule = MinimumLengthValidator(min_length=min_length)
    with pytest.raises(ValidationError) as caught:
        rule.validate("", None)
    [message] = caught.value.messages
    assert message.endswith(f"at least {min_length} {ending}")
    assert rule.get_help_text().endswith(f"at least {min_length} {ending}")
