"""Chinese text keeps Chinese punctuation (issue #12): the zh_Hans catalogue, every error message
a form of the platform can show (Django's own included, corrected in our catalogue where its
Chinese is wrong), messages joined from several, and the pages the walk found."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import polib
import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import get_resolver, reverse
from django.utils import translation

from govshare.core.corrected_messages import CORRECTED
from govshare.core.errors import error_payload
from tests.punctuation import as_read, mixed_punctuation

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"


class Figures(defaultdict):
    """Any placeholder of a message, as a number (a plural message picks its form by it)."""

    def __init__(self) -> None:
        super().__init__(lambda: 14)


def rendered(message: Any) -> str:
    try:
        return str(message % Figures())  # a lazy plural message picks its form here
    except (TypeError, ValueError, KeyError):
        return str(message)


def platform_forms() -> list[type[forms.BaseForm]]:
    get_resolver().url_patterns  # noqa: B018 (imports every view, and so every form)
    found, todo = [], [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.startswith("govshare."):
                found.append(subclass)
    return found


def field_messages(field: forms.Field) -> list[Any]:
    messages = list(field.error_messages.values())
    for validator in field.validators:
        messages += [getattr(validator, "message", None)]
        messages += list(getattr(validator, "messages", {}).values())
    return [message for message in messages if message]


def test_the_catalogue_has_no_mixed_punctuation():
    wrong = {
        entry.msgid: problems
        for entry in polib.pofile(str(CATALOGUE))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if (problems := mixed_punctuation(text))
    }
    assert wrong == {}


def test_every_form_error_message_reads_as_chinese():
    # given every form of the platform and every message its fields may show
    messages = {
        f"{form.__module__}.{form.__name__}.{name}": message
        for form in platform_forms()
        for name, field in form.base_fields.items()
        for message in field_messages(field)
    }
    assert len(messages) > 100  # the walk found them all

    # when they are shown in Chinese, then each is punctuated as Chinese
    with translation.override("zh-hans"):
        wrong = {where: mixed_punctuation(rendered(m)) for where, m in messages.items()}
    assert {where: problems for where, problems in wrong.items() if problems} == {}


def test_the_corrected_django_messages_read_as_chinese():
    with translation.override("zh-hans"):
        shown = [rendered(message) for message in CORRECTED]
    assert all(text.endswith("。") and not mixed_punctuation(text) for text in shown), shown


def test_a_nul_character_is_named_as_such():
    # given a text field sent with a NUL character
    form = forms.Form()
    form.fields["name"] = forms.CharField()
    with translation.override("zh-hans"):
        bound = type(form)(data={"name": "a\x00b"})
        bound.fields["name"] = forms.CharField()

        # then the message says what is wrong (Django's Chinese called it an empty string)
        assert bound.errors["name"] == ["不允许包含空字符（NUL）。"]


def test_several_messages_of_a_service_error_are_joined_as_sentences():
    error = ValidationError({"name": ["名称已被使用。"], "kind": ["请选择类型。"]})

    _code, message, _fields = error_payload(error)

    assert message == "名称已被使用。请选择类型。"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["inventory:connectivity", "inventory:zombie_list"])
def test_the_walks_pages_read_as_chinese(client, admin_user, page):
    client.force_login(admin_user)

    response = client.get(reverse(page), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert mixed_punctuation(as_read(response.content.decode())) == []
