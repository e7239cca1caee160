"""The API's input errors speak the caller's language (issue #12: ``date_from=2026-02-30`` said
"Input should be a valid date or datetime…" to a Chinese caller, ``active_users=1e300`` "Unable
to parse input string as an integer…", an enum error listed raw values).

Table-driven over the OpenAPI document: every parameter and every body field of every operation
gets a bad value of its kind; the answer names the field and the rule, in Chinese under
``Accept-Language: zh-hans`` and in English under ``en``, and never in pydantic's own words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils import translation

from govshare.api import api
from govshare.core.web.api import choice_labels, choices_text, expected_values
from tests.api_client import assert_error_body, token_for

pytestmark = pytest.mark.django_db

DOCUMENT = api.get_openapi_schema()
SCHEMAS = DOCUMENT["components"]["schemas"]
CJK = re.compile("[\u4e00-\u9fff]")
# Two English words in a row: a sentence (a code or a field name is one word).
WORDS = re.compile("[A-Za-z]{2,} [A-Za-z]{2,}")
# The start of every message pydantic writes itself.
PYDANTIC = re.compile(
    r"Input should|Unable to|Field required|Value error|String should|Extra inputs|"
    r"should be|Invalid JSON|Object has no|Assertion failed|valid (integer|date|number)"
)


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # with {placeholders}
    field: str  # as the error names it
    where: str  # "query", "path" or "body"
    value: Any

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.where}:{self.field}={self.value!r:.40}"


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema itself: through $ref, allOf of one, and the non-null side of anyOf."""
    if "$ref" in schema:
        return resolve(SCHEMAS[schema["$ref"].rsplit("/", 1)[1]])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve(schema["allOf"][0])
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if options:
        return resolve(options[0])
    return schema


def bad_values(schema: dict[str, Any], in_query: bool) -> list[Any]:
    """Values of the wrong kind, or of the right kind breaking the schema's rule."""
    schema = resolve(schema)
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return ["bogus"]
    if kind == "integer":
        return ["abc", "1e300", "1" * 25] if in_query else ["abc", 1e300, 10**25, 1.5]
    if kind == "number" or kind is None and "anyOf" in schema:
        return ["abc", "-1"]
    if kind == "boolean":
        return ["maybe"]
    if kind == "array":
        items = bad_values(schema.get("items", {}), in_query)
        return items[:1] if in_query else ["not a list", items[:1]]
    if kind == "object":
        return [] if in_query else [5]
    if schema.get("format") == "date":
        return ["2026-02-30", "tomorrow"]
    if schema.get("format") == "date-time":
        return ["2026-02-30T10:00:00", "tomorrow"]
    bad: list[Any] = [] if in_query else [123]
    if "maxLength" in schema:
        bad.append("x" * (schema["maxLength"] + 1))
    pattern = schema.get("pattern")
    if pattern:  # written in what Python's re and ECMA-262 read alike (core/web/api_inputs.py)
        bad += [text for text in ("!", "a\x00b") if not re.search(pattern, text)][:1]
    return bad


def cases() -> list[Case]:
    found: list[Case] = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            for parameter in operation.get("parameters", []):
                where = parameter["in"]
                for value in bad_values(parameter["schema"], in_query=True):
                    found.append(Case(method, path, parameter["name"], where, value))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                found += body_cases(method, path, resolve(body["schema"]))
    return found


def body_cases(method: str, path: str, schema: dict[str, Any], prefix: str = "") -> list[Case]:
    found = []
    for name, field in schema.get("properties", {}).items():
        for value in bad_values(field, in_query=False):
            found.append(Case(method, path, prefix + name, "body", value))
    return found


CASES = cases()


def request(client: Any, case: Case, language: str) -> Any:
    path = DOCUMENT_PATH.sub("1", case.path)
    query: dict[str, Any] = {}
    body: dict[str, Any] = {}
    if case.where == "path":
        path = case.path.replace(f"{{{case.field}}}", str(case.value))
        path = DOCUMENT_PATH.sub("1", path)
    elif case.where == "query":
        query[case.field] = case.value
    else:
        body[case.field] = case.value
    url = path + ("?" + urlencode(query) if query else "")
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if case.method == "GET":
        return client.get(url, **headers)
    call = getattr(client, case.method.lower())
    return call(url, json.dumps(body), content_type="application/json", **headers)


DOCUMENT_PATH = re.compile(r"\{[a-z_]+\}")


@pytest.fixture
def admin_api(admin_user, client):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_for(admin_user)}"
    return client


def test_the_table_covers_every_operation_that_takes_input():
    taking = {
        (method.upper(), path)
        for path, operations in DOCUMENT["paths"].items()
        for method, operation in operations.items()
        if operation.get("parameters") or operation.get("requestBody")
    }
    assert {(case.method, case.path) for case in CASES} == taking


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bad_value_is_answered_in_the_callers_language_naming_the_field(admin_api, case):
    # given a platform admin (may call everything) and a value that breaks the field's rule
    for language, is_chinese in (("zh-hans", True), ("en", False)):
        # when it is sent in that language
        response = request(admin_api, case, language)

        # then the answer is a 4xx error that names the field, in that language
        body = assert_error_body(response)
        named = [key for key in body["fields"] if key.split(".")[0] == case.field]
        assert named, (language, body)  # the field itself, or an item of it ("items.0")
        colon = "：" if is_chinese else ": "
        assert all(f"{key}{colon}" in body["message"] for key in named), (language, body)
        messages = [body["message"], *(m for ms in body["fields"].values() for m in ms)]
        for message in messages:
            assert not PYDANTIC.search(message), (language, message)
            if is_chinese:
                assert CJK.search(message) and not WORDS.search(message), message
            else:
                assert not CJK.search(message), message


# --- the parts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, expected",
    [
        ("zh-hans",
         "unconditional（无条件共享）、conditional（有条件共享）、not_shared（不予共享）"),
        ("en", "unconditional (Shared without conditions), conditional (Shared on conditions), "
               "not_shared (Not shared)"),
    ],
)  # fmt: skip
def test_allowed_values_are_listed_with_their_labels(language, expected):
    with translation.override(language):
        assert choices_text(expected_values("unconditional, conditional or not_shared")) == (
            expected
        )


def test_a_label_naming_its_value_is_not_repeated_and_the_blank_value_is_named():
    with translation.override("zh-hans"):
        assert choices_text(["2xx", "4xx", "5xx"]) == "成功（2xx）、拒绝（4xx）、失败（5xx）"
        assert choices_text(["", "consumer"]).startswith("空值（全部）、")


def test_values_no_choices_class_holds_are_listed_as_they_are():
    assert choice_labels(frozenset({"north", "south"})) == {}
    with translation.override("zh-hans"):
        assert choices_text(["north", "south"]) == "north、south"


def test_several_bad_fields_read_as_sentences_in_chinese(admin_api):
    # given two bad query parameters, when sent under zh-hans
    response = admin_api.get(
        "/api/v1/exchange/deliveries?date_from=2026-02-30&side=x", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    # then each is named with a full-width colon, one sentence after the other
    message = assert_error_body(response, 422)["message"]
    assert message.startswith("date_from：请输入") and "。side：请从以下取值中选择" in message
    assert "；" not in message and ": " not in message
