"""JSON bodies parsed within limits: too deep and too large are refused by rule, before
``json.loads`` recurses (issue #11, item 3); ordinary bodies parse as json.loads parses them."""

from __future__ import annotations

import json

import pytest

from govshare.core.text import escaped, is_storable
from govshare.core.web.json_limits import JsonLimitError, depth_of, loads_limited


def nested(levels: int, opening: str = "[", closing: str = "]") -> str:
    return opening * levels + closing * levels


@pytest.mark.parametrize("levels", [10_000, 30_000])
def test_a_deeply_nested_body_is_refused_as_too_deep(levels):
    for body in (nested(levels), '{"a":' * levels + "1" + "}" * levels):
        with pytest.raises(JsonLimitError) as refused:
            loads_limited(body.encode(), max_depth=8)
        assert (refused.value.rule, refused.value.limit) == ("too_deep", 8)


def test_the_depth_limit_is_exact():
    assert loads_limited(nested(8), max_depth=8) == json.loads(nested(8))
    with pytest.raises(JsonLimitError):
        loads_limited(nested(9), max_depth=8)


def test_many_brackets_that_are_not_nesting_pass():
    # siblings, and brackets inside strings (escaped quotes included), count for no depth
    siblings = json.dumps([[1], {"a": [2]}] * 50)
    in_strings = json.dumps({"text": "[[[{{{" * 100, "quoted": '\\"[[[' * 50, "list": ["]"]})
    for body in (siblings, in_strings):
        assert loads_limited(body.encode(), max_depth=3) == json.loads(body)


def test_a_body_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(JsonLimitError) as refused:
        loads_limited(b"[" + b"1," * 600 + b"1]", max_bytes=1000)
    assert (refused.value.rule, refused.value.limit) == ("too_large", 1000)


def test_malformed_json_and_lone_surrogates_behave_as_json_loads():
    with pytest.raises(ValueError) as malformed:
        loads_limited(b"{not json")
    assert not isinstance(malformed.value, JsonLimitError)
    assert loads_limited(b'{"\\ud800": "\\udfff"}') == {"\ud800": "\udfff"}
    assert loads_limited('{"a": 1}'.encode("utf-16")) == {"a": 1}


@pytest.mark.parametrize(
    "text, depth", [("1", 0), ("[]", 1), ('{"a": [1, {"b": "]]]"}]}', 3), ('["\\"["]', 1)]
)
def test_depth_of(text, depth):
    assert depth_of(text) == depth


@pytest.mark.parametrize(
    "text, shown",
    [
        ("\ud800", "\\ud800"),
        ("a\x00b\x1f", "a\\x00b\\x1f"),
        ("back\\slash", "back\\\\slash"),
        ("王经办", "王经办"),
    ],
)
def test_escaped_text_is_storable_and_tells_what_was_sent(text, shown):
    assert escaped(text) == shown
    assert is_storable(escaped(text))
    escaped(text).encode("utf-8")  # encodable: it can be hashed and stored


def test_escaped_text_is_cut_to_its_column():
    assert escaped("\ud800" * 40, 32) == ("\\ud800" * 6)[:32]
