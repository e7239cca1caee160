"""Request bodies read against a deadline (请求体读取时限), issue #11 item 6.

granian times out a request's headers but not its body: a client that announces 60,000 bytes and
sends 11 held its connection (and, on a Django path, one of the page threads) for as long as it
liked. Here a body must arrive within ``timeout`` seconds plus one second for every ``min_rate``
bytes already received (the rule of Apache's mod_reqtimeout, ``body=20,MinRate=500``): a slow
client is cut off, while a large upload (the catalog and census Excel imports) that keeps
arriving at the minimum rate or faster goes through however long it takes.

``BodyTimeout`` is the hook for the application behind a guarded ``receive``: it is raised from
``receive()`` when the deadline passes. The gateway answers it as a recorded 408 JSON error
(``BODY_TIMEOUT_CODE``); whatever the application does, the router closes the connection after
the answer (``asgi.py``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import Any

Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]

BODY_TIMEOUT_CODE = "body_timeout"
BODY_TOO_LARGE_CODE = "body_too_large"
SPOOL_BYTES = 1024 * 1024  # a buffered body stays in memory up to this size, then on disk
REPLAY_CHUNK = 64 * 1024


class BodyTimeout(Exception):
    """The body did not arrive in time (408): raised by ``DeadlineReceive``."""

    status = 408
    code = BODY_TIMEOUT_CODE


class BodyTooLarge(Exception):
    """The body is larger than a buffered body may be (413)."""

    status = 413
    code = BODY_TOO_LARGE_CODE


@dataclass(frozen=True)
class BodyLimits:
    """``timeout`` seconds for a body, plus a second per ``min_rate`` bytes received;
    ``max_bytes`` for a body read whole before the application runs."""

    timeout: float
    min_rate: float
    max_bytes: int


class DeadlineReceive:
    """``receive`` with the body's deadline; once the body is complete (or the client gone),
    later calls (a wait for the disconnect) pass through without one. A request without a
    body (``has_body`` false: most gateway calls) passes through from the start, at no cost."""

    def __init__(
        self,
        receive: Receive,
        limits: BodyLimits,
        has_body: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.receive, self.limits, self.clock = receive, limits, clock
        self.started = clock()
        self.received = 0
        self.is_complete = not has_body
        self.timed_out = False

    def deadline(self) -> float:
        return self.started + self.limits.timeout + self.received / self.limits.min_rate

    async def __call__(self) -> Message:
        if self.is_complete:
            return await self.receive()
        try:
            async with asyncio.timeout(max(self.deadline() - self.clock(), 0.0)):
                message = await self.receive()
        except TimeoutError:
            self.timed_out = True
            raise BodyTimeout from None
        self.received += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.is_complete = True
        return message


class BufferedBody:
    """A body read whole: ``receive`` replays it; ``close()`` when the request is done."""

    def __init__(self, spool: Any) -> None:
        self.spool = spool
        self.size = spool.tell()
        spool.seek(0)

    async def receive(self) -> Message:
        if self.spool.closed:  # asked again after the end: the body stays complete
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = self.spool.read(REPLAY_CHUNK)
        return {"type": "http.request", "body": chunk, "more_body": self.spool.tell() < self.size}

    def close(self) -> None:
        self.spool.close()


async def buffer_body(receive: DeadlineReceive, declared: int | None) -> BufferedBody | None:
    """Read the whole body now, on the event loop, or None when the client went away first.
    Django's page threads then never wait on a slow client.

    Raises BodyTooLarge past ``max_bytes`` (announced or counted) and BodyTimeout (the
    deadline)."""
    limit = receive.limits.max_bytes
    if declared is not None and declared > limit:
        raise BodyTooLarge
    spool = SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        if await _fill(spool, receive, limit):
            return BufferedBody(spool)
    except BaseException:
        spool.close()
        raise
    spool.close()
    return None


async def _fill(spool: Any, receive: DeadlineReceive, limit: int) -> bool:
    """Write the body into ``spool``; False when the client disconnected first."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return False
        spool.write(message.get("body", b""))
        if spool.tell() > limit:
            raise BodyTooLarge
        if not message.get("more_body", False):
            return True


def has_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request has a body: HTTP/1.1 frames one only by Content-Length (not zero)
    or Transfer-Encoding (RFC 9112 section 6.3)."""
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"transfer-encoding" or (lowered == b"content-length" and value != b"0"):
            return True
    return False


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The Content-Length a request announces (None without one, or when unreadable: the
    server has refused a malformed one before the application runs)."""
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
