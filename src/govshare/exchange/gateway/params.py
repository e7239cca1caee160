"""Reading a call's parameters within limits (参数校验): body size, names, value counts, lengths.

Parameters arrive in the query string, a JSON object or a form, and leave here as
``{name: [values]}``. Anything out of bounds is refused before it reaches a connector; values
that pass are only ever bound parameters there, so SQL-looking text is just data.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from govshare.core.web.bodies import BodyTimeout
from govshare.core.web.json_limits import JsonLimitError, loads_limited
from govshare.exchange.gateway.errors import GatewayCode, GatewayError

MAX_BODY_BYTES = 64 * 1024
# A body is an object of scalars or lists of scalars (depth 2); a little room, and no more.
MAX_BODY_DEPTH = 8
MAX_QUERY_BYTES = 16 * 1024
MAX_VALUE_CHARS = 256
MAX_VALUES = 20
MAX_NAMES = 30
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
DIGITS = re.compile(r"[0-9]{1,9}")
# Characters no value may hold: control characters other than tab, LF and CR, and lone
# surrogates (JSON's "\ud800" escape gives one; it cannot be encoded, stored or hashed).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

Params = dict[str, list[str]]


def shown_name(name: str) -> str:
    """A caller's parameter name as it may be echoed in an error: bounded here, escaped where
    the error body is rendered (``errors.error_body``)."""
    return name[:64]


async def read_body(request: Request) -> bytes:
    """The body, refused with 413 past MAX_BODY_BYTES (declared or actually sent)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise GatewayError(GatewayCode.BODY_TOO_LARGE)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise GatewayError(GatewayCode.BODY_TOO_LARGE)
            chunks.append(chunk)
    except BodyTimeout:  # the server's body deadline (core/web/bodies.py): a recorded 408
        raise GatewayError(GatewayCode.BODY_TIMEOUT) from None
    return b"".join(chunks)


async def read_params(request: Request) -> Params:
    """Query-string parameters, then those of a JSON or form body (POST), within limits."""
    params = await read_unchecked_params(request)
    check_params(params)
    return params


async def read_unchecked_params(request: Request) -> Params:
    """The parameters as sent, before ``check_params``: for a value the record keeps even when
    it is refused (the app key of a token call)."""
    raw_query = request.scope.get("query_string", b"")
    if len(raw_query) > MAX_QUERY_BYTES:
        raise GatewayError(GatewayCode.BODY_TOO_LARGE)
    params: Params = {}
    # Decoded byte for byte (%-escapes too), then read as UTF-8 by _add_pairs.
    pairs = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    _add_pairs(params, pairs)
    if request.method == "POST":
        body = await read_body(request)
        if body.strip():
            _add_body(params, body, request.headers.get("content-type", ""))
    return params


def _add_pairs(params: Params, pairs: list[tuple[str, str]]) -> None:
    for name, value in pairs:
        # parse_qsl decoded %-escapes as latin-1; the bytes are UTF-8.
        params.setdefault(_utf8(name), []).append(_utf8(value))


def _utf8(text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise GatewayError(GatewayCode.INVALID, {"query": "not_text"}) from None


def _add_body(params: Params, body: bytes, content_type: str) -> None:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise GatewayError(GatewayCode.INVALID, {"body": "bad_body"}) from None
        for name, value in parse_qsl(text, keep_blank_values=True):
            params.setdefault(name, []).append(value)
        return
    try:
        data = loads_limited(body, max_depth=MAX_BODY_DEPTH, max_bytes=MAX_BODY_BYTES)
    except JsonLimitError as error:  # issue #11: 30,000 brackets were a RecursionError, a 500
        if error.rule == "too_large":
            raise GatewayError(GatewayCode.BODY_TOO_LARGE) from None
        raise GatewayError(GatewayCode.INVALID, {"body": ("too_deep", error.limit)}) from None
    except ValueError:  # malformed JSON, or bytes that are no Unicode text
        raise GatewayError(GatewayCode.INVALID, {"body": "bad_body"}) from None
    if not isinstance(data, dict):
        raise GatewayError(GatewayCode.INVALID, {"body": "bad_body"})
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        params.setdefault(str(name), []).extend(_scalar(str(name), v) for v in values)


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise GatewayError(GatewayCode.INVALID, {shown_name(name): "not_text"})


def check_params(params: Params) -> None:
    """Bounds on names, counts, lengths and characters; GatewayError naming the first broken."""
    if len(params) > MAX_NAMES:
        raise GatewayError(GatewayCode.INVALID, {"parameters": ("too_many", MAX_NAMES)})
    bad_names = [shown_name(name) for name in params if not NAME.fullmatch(name)]
    if bad_names:
        raise GatewayError(GatewayCode.UNKNOWN_PARAMETER, dict.fromkeys(bad_names[:10], "unknown"))
    for name, values in params.items():
        if len(values) > MAX_VALUES:
            raise GatewayError(GatewayCode.INVALID, {name: ("too_many", MAX_VALUES)})
        for value in values:
            if len(value) > MAX_VALUE_CHARS:
                raise GatewayError(GatewayCode.INVALID, {name: ("too_long", MAX_VALUE_CHARS)})
            if CONTROL.search(value):
                raise GatewayError(GatewayCode.INVALID, {name: "bad_characters"})


def refuse_unknown(params: Params, allowed: set[str] | frozenset[str]) -> None:
    unknown = [name for name in params if name not in allowed]
    if unknown:
        raise GatewayError(GatewayCode.UNKNOWN_PARAMETER, dict.fromkeys(unknown[:10], "unknown"))


def single(params: Params, name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise GatewayError(GatewayCode.INVALID, {name: ("too_many", 1)})
    return values[0]


def integer(params: Params, name: str, default: int, maximum: int) -> int:
    value = single(params, name)
    if value is None or value == "":
        return default
    if not DIGITS.fullmatch(value) or int(value) > maximum:
        raise GatewayError(GatewayCode.INVALID, {name: ("integer", maximum)})
    return int(value)


def item_list(params: Params) -> list[str] | None:
    """``items=A,B`` or repeated ``items``; None when not given."""
    values = params.get("items")
    if values is None:
        return None
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if len(names) > MAX_NAMES * 4:
        raise GatewayError(GatewayCode.INVALID, {"items": ("too_many", MAX_NAMES * 4)})
    return list(dict.fromkeys(names))
