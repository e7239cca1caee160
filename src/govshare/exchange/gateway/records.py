"""What one call did, and its delivery record (交付记录).

``begin`` makes a ``Call`` of the request's context headers before anything is checked; the
checks and the endpoint fill it in (credential, resource, grant, items, rows) as they go; and
``delivery_record`` turns it, with the answer's status and body, into the record the delivery
writer commits before the answer leaves.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from starlette.requests import Request

from govshare.core.crypto import sm3_hex
from govshare.core.text import escaped, is_storable
from govshare.core.web.client_ip import forwarded_client
from govshare.exchange.gateway.errors import GatewayCode, GatewayError, wants_english
from govshare.exchange.gateway.policy import CredentialPolicy, GrantPolicy, ResourcePolicy

REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
# The caller's context headers: (header, longest value) — the record's field lengths.
CONTEXT_HEADERS = {"x-end-user": 100, "x-case-number": 100}


@dataclass
class Call:
    """What one call did, for its answer and its delivery record."""

    mode: str
    created: dt.datetime
    started: float
    request_id: str
    client_ip: str
    english: bool
    echo: dict[str, str]
    end_user: str = ""
    case_number: str = ""
    header_error: GatewayError | None = None
    app_key: str = ""
    credential: CredentialPolicy | None = None
    resource: ResourcePolicy | None = None
    grant: GrantPolicy | None = None
    items: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    row_count: int = 0


def _header_value(raw: str, longest: int) -> tuple[str, tuple[str, Any] | str | None]:
    """A context header as its record keeps it, and the rule it breaks (None: none).

    Starlette hands the value over decoded as latin-1; its bytes are UTF-8. A refused value is
    still recorded: bytes that are not UTF-8 and control characters escaped, cut to the column.
    """
    text = raw.encode("latin-1").decode("utf-8", "surrogateescape")
    if not is_storable(text):
        return escaped(text, longest), "bad_characters"
    if len(text) > longest:
        return text[:longest], ("too_long", longest)
    return text, None


def time_ordered_id() -> str:
    """A request id for a call that brings none: a UUID version 7 (RFC 9562) in hex — the time
    in milliseconds, then 74 random bits. Ids made one after another sort together, so the
    delivery log's request-id index grows at its end instead of at random pages (random ids
    doubled the time of each log write)."""
    value = (time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | 0b10 << 62
    value |= int.from_bytes(os.urandom(10)) & RANDOM_BITS
    return f"{value:032x}"


# The random bits of a UUIDv7: 12 after the version nibble, 62 after the variant bits.
RANDOM_BITS = (0xFFF << 64) | ((1 << 62) - 1)


def caller_address(request: Request) -> str:
    """The caller's address: the connection's peer, or behind a trusted proxy (issue #11: the
    allow-lists and the log must see the client, not the proxy) the client it forwards for."""
    client = request.scope.get("client")
    peer = str(client[0]) if client else ""
    if not settings.GOVSHARE_TRUSTED_PROXIES:
        return peer[:45]
    forwarded = forwarded_client(peer, request.headers.get("x-forwarded-for", ""))
    return (forwarded or peer)[:45]


def begin(request: Request, mode: str) -> Call:
    headers = request.headers
    call = Call(
        mode=mode,
        created=timezone.now(),
        started=time.perf_counter(),
        request_id=time_ordered_id(),
        client_ip=caller_address(request),
        english=wants_english(headers.get("accept-language", "")),
        echo={},
    )
    given_id = headers.get("x-request-id")
    if given_id is not None:
        if REQUEST_ID.fullmatch(given_id):
            call.request_id = given_id
        else:
            call.header_error = GatewayError(GatewayCode.INVALID, {"X-Request-Id": "bad_header"})
    call.echo["X-Request-Id"] = call.request_id
    for name, longest in CONTEXT_HEADERS.items():
        raw = headers.get(name)
        if raw is None:
            continue
        text, broken = _header_value(raw, longest)
        shown = "X-End-User" if name == "x-end-user" else "X-Case-Number"
        setattr(call, "end_user" if name == "x-end-user" else "case_number", text)
        if broken is not None:
            call.header_error = GatewayError(GatewayCode.INVALID, {shown: broken})
        else:
            call.echo[shown] = raw
    return call


def bare_call(request: Request, mode: str) -> Call:
    """A call for an answer when ``begin`` itself failed: nothing of the caller's headers."""
    request_id = time_ordered_id()
    return Call(
        mode=mode,
        created=timezone.now(),
        started=time.perf_counter(),
        request_id=request_id,
        client_ip=caller_address(request),
        english=False,
        echo={"X-Request-Id": request_id},
    )


def delivery_record(call: Call, status: int, code: str, body: bytes) -> dict[str, Any]:
    """The call's delivery record, as DeliveryRecord field values (no model instance:
    building one cost more than the rest of the record)."""
    credential, grant, resource = call.credential, call.grant, call.resource
    return {
        "created": call.created,
        "request_id": call.request_id,
        "application_id": credential.application_id if credential else None,
        "application_name": credential.application_name if credential else "",
        "consumer_id": grant.consumer_id
        if grant
        else (credential.department_id if credential else None),
        "consumer_name": grant.consumer_name
        if grant
        else (credential.department_name if credential else ""),
        "provider_id": resource.provider_id if resource else None,
        "resource_id": resource.id if resource else None,
        "resource_name": resource.name[:200] if resource else "",
        "grant_id": grant.id if grant else None,
        "share_request_number": grant.request_number if grant else "",
        "purpose": grant.purpose if grant else "",
        "app_key": credential.app_key if credential else call.app_key,
        "end_user": call.end_user,
        "case_number": call.case_number,
        "mode": call.mode,
        "items": list(call.items),
        "masked": list(call.masked),
        "row_count": call.row_count,
        "status": status,
        "error_code": code,
        "latency_ms": round((time.perf_counter() - call.started) * 1000, 3),
        "body_digest": sm3_hex(body),
        "client_ip": call.client_ip[:45],
    }
