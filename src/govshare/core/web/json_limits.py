"""JSON request bodies parsed within limits (请求体限制): size and nesting depth.

``json.loads`` recurses once per level of nesting: a body of 10,000–30,000 brackets raised
RecursionError, a 500 (issue #11, item 3). Every parser of a caller's JSON goes through
``loads_limited``, which refuses such a body with a typed error before parsing it: the gateway
answers 413 or 422, the REST API 413 or 400, each naming the rule.

The depth check costs next to nothing on ordinary bodies: the number of opening brackets bounds
the depth, and two ``count`` calls (C loops) settle it; only a body with more brackets than the
limit is scanned precisely (strings taken out, then the brackets' running sum), still in C.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Literal

DEFAULT_MAX_DEPTH = 32
# A JSON string (escapes included), then anything that is not a bracket: both taken out before
# the brackets that remain are summed (+1 opening, -1 closing) to find the deepest point.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}

Rule = Literal["too_large", "too_deep"]


class JsonLimitError(ValueError):
    """A body over a limit; ``rule`` names it and ``limit`` is its value (bytes or levels)."""

    def __init__(self, rule: Rule, limit: int) -> None:
        super().__init__(f"JSON body {rule.replace('_', ' ')} (limit {limit})")
        self.rule: Rule = rule
        self.limit = limit


def loads_limited(
    data: bytes | str, *, max_depth: int = DEFAULT_MAX_DEPTH, max_bytes: int | None = None
) -> Any:
    """``json.loads(data)``, refusing a body longer than ``max_bytes`` or nested deeper than
    ``max_depth`` with JsonLimitError; a malformed body raises ValueError as json.loads does."""
    if max_bytes is not None and len(data) > max_bytes:
        raise JsonLimitError("too_large", max_bytes)
    text = data if isinstance(data, str) else _decoded(data)
    if text.count("[") + text.count("{") > max_depth and depth_of(text) > max_depth:
        raise JsonLimitError("too_deep", max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # malformed text can fool the scan; the parser's limit is the last
        raise JsonLimitError("too_deep", max_depth) from None


def _decoded(data: bytes) -> str:
    """The text, decoded as ``json.loads`` decodes bytes (UTF-8, -16 or -32, by its BOM or its
    zero bytes); lone surrogates pass as json.loads lets them pass."""
    return data.decode(json.detect_encoding(data), "surrogatepass")


def depth_of(text: str) -> int:
    """The deepest nesting of arrays and objects in JSON ``text`` (0 for a scalar)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets.encode("ascii"))), default=0)
