"""Per-request context (request id, client IP, actor) carried to the audit trail.

Views get it from middleware; CLI commands and tasks open one with ``audit_context``.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None = None
    source: str = "web"


_current: ContextVar[RequestContext | None] = ContextVar("govshare_request_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_context() -> RequestContext:
    return _current.get() or RequestContext(request_id=new_request_id(), source="system")


@contextlib.contextmanager
def audit_context(
    *, request_id: str | None = None, ip: str | None = None, source: str = "system"
) -> Iterator[RequestContext]:
    context = RequestContext(request_id=request_id or new_request_id(), ip=ip, source=source)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
