"""Request bodies read against a deadline (core/web/bodies.py), on a real event loop: a client
that stops sending is cut off; one that keeps sending at the minimum rate is not, however long
its body takes; a page's body is read whole and replayed as it came."""

from __future__ import annotations

import asyncio
import os

import pytest

from govshare.core.web.bodies import (
    SPOOL_BYTES,
    BodyLimits,
    BodyTimeout,
    BodyTooLarge,
    DeadlineReceive,
    buffer_body,
    declared_length,
    has_body,
)
from tests.loops import run_coroutine

NEVER = 3600.0


def client(*parts: tuple[float, bytes], then: float = NEVER, ends: bool = True):
    """A client's ``receive``: each part after its pause, the last one ending the body (unless
    not ``ends``); after them it sends nothing for ``then`` seconds and goes away."""
    queue = list(parts)

    async def receive():
        if not queue:
            await asyncio.sleep(then)
            return {"type": "http.disconnect"}
        pause, body = queue.pop(0)
        await asyncio.sleep(pause)
        return {"type": "http.request", "body": body, "more_body": bool(queue) or not ends}

    return receive


async def read_all(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def test_a_client_that_stops_sending_is_cut_off():
    # given a client that sends 11 bytes of its body, then nothing
    guarded = DeadlineReceive(
        client((0, b"hello world"), (NEVER, b"rest")), BodyLimits(0.2, 500, 0)
    )

    # when the application reads the body, then the read ends with BodyTimeout
    with pytest.raises(BodyTimeout):
        run_coroutine(read_all(guarded))
    assert guarded.timed_out and guarded.received == 11
    assert (BodyTimeout.status, BodyTimeout.code) == (408, "body_timeout")


def test_a_body_arriving_at_the_minimum_rate_passes_though_it_outlasts_the_timeout():
    # given 0.3 s for a body plus a second per 200 bytes, and a client sending 200 bytes every
    # 0.25 s: six parts, longer in all than the 0.3 s
    limits = BodyLimits(timeout=0.3, min_rate=200, max_bytes=0)
    parts = [(0.0, b"a" * 200)] + [(0.25, b"b" * 200)] * 5

    # when the body is read, then it arrives whole
    assert (
        run_coroutine(read_all(DeadlineReceive(client(*parts), limits))) == b"a" * 200 + b"b" * 1000
    )


def test_after_the_body_the_wait_for_the_disconnect_has_no_deadline():
    # given a complete body, then a client that stays connected past the body's timeout
    guarded = DeadlineReceive(client((0, b"{}"), then=0.5), BodyLimits(0.1, 500, 0))

    async def body_then_disconnect():
        await read_all(guarded)
        return await guarded()

    # then waiting for the disconnect (a streaming answer does) is not a timeout
    assert run_coroutine(body_then_disconnect()) == {"type": "http.disconnect"}
    assert not guarded.timed_out


def test_a_page_body_is_read_whole_and_replayed_as_it_came():
    # given a body larger than what stays in memory, in uneven parts
    payload = os.urandom(SPOOL_BYTES + 12345)
    parts = [(0, payload[:1000]), (0, payload[1000:700_000]), (0, payload[700_000:])]
    guarded = DeadlineReceive(client(*parts), BodyLimits(5, 500, len(payload)))

    async def buffered_then_replayed():
        buffered = await buffer_body(guarded, declared=len(payload))
        try:
            return await read_all(buffered.receive), await buffered.receive()
        finally:
            buffered.close()

    # then the replay gives the same bytes, and stays complete when asked again
    replayed, again = run_coroutine(buffered_then_replayed())
    assert replayed == payload
    assert again == {"type": "http.request", "body": b"", "more_body": False}


def test_a_page_body_over_the_limit_is_refused_announced_or_counted():
    limits = BodyLimits(5, 500, max_bytes=1000)
    # an announced length over the limit: refused before anything is read
    never_read = DeadlineReceive(client((NEVER, b"x")), limits)
    with pytest.raises(BodyTooLarge):
        run_coroutine(buffer_body(never_read, declared=1001))
    # no length announced (chunked): refused once the count passes the limit
    chunked = DeadlineReceive(client((0, b"x" * 600), (0, b"x" * 600)), limits)
    with pytest.raises(BodyTooLarge):
        run_coroutine(buffer_body(chunked, declared=None))
    assert (BodyTooLarge.status, BodyTooLarge.code) == (413, "body_too_large")


def test_a_client_gone_before_its_body_ended_leaves_nothing_to_answer():
    # given a client that sends part of a body and goes away
    gone = DeadlineReceive(client((0, b"x" * 10), then=0, ends=False), BodyLimits(5, 500, 1000))

    # then there is no body to hand on
    assert run_coroutine(buffer_body(gone, declared=100)) is None


def test_a_request_without_a_body_waits_without_a_deadline():
    # given a request framing no body (most gateway calls): its receive is the disconnect
    assert not has_body([(b"host", b"x"), (b"content-length", b"0")])
    guarded = DeadlineReceive(client(then=0.5), BodyLimits(0.1, 500, 0), has_body=False)

    # then waiting for it is not a body timeout
    assert run_coroutine(guarded()) == {"type": "http.disconnect"}
    assert has_body([(b"Content-Length", b"11")]) and has_body([(b"transfer-encoding", b"x")])


def test_the_announced_length():
    assert declared_length([(b"Content-Length", b"60000")]) == 60000
    assert declared_length([(b"content-type", b"text/plain")]) is None
    assert declared_length([(b"content-length", b"x")]) is None
