"""The one-port router (govshare/asgi.py), called in-process with small ASGI apps standing in
for the gateway and Django: what it answers itself. The same answers from a real server are in
tests/core/test_run.py."""

from __future__ import annotations

import asyncio
import json

import pytest

from govshare import asgi
from govshare.core.web.bodies import BodyTimeout
from tests.loops import run_coroutine


def scope(path: str, language: str) -> dict:
    headers = [(b"accept-language", language.encode()), (b"content-length", b"60000")]
    return {"type": "http", "method": "POST", "path": path, "headers": headers}


def call(path: str, language: str = "en", slow: bool = True) -> tuple[dict, bytes]:
    """The router's answer to a request announcing 60,000 bytes whose client sent 11 (or,
    not ``slow``, all of them)."""
    sent: list[dict] = []
    calls = []

    async def receive():
        calls.append(1)
        if not slow:
            return {"type": "http.request", "body": b"x" * 60000, "more_body": False}
        if len(calls) > 1:
            await asyncio.sleep(3600)  # nothing more comes
        return {"type": "http.request", "body": b"hello world", "more_body": True}

    async def send(message):
        sent.append(message)

    run_coroutine(asgi.application(scope(path, language), receive, send))
    start, body = sent[0], b"".join(message.get("body", b"") for message in sent[1:])
    return {**start, "headers": dict(start["headers"])}, body


async def reads_its_body(scope, receive, send):
    while (await receive()).get("more_body"):
        pass


async def crashes(scope, receive, send):
    raise RuntimeError("a fault before any answer")


def test_a_gateway_body_timeout_nobody_answered_is_a_408_json_answer(monkeypatch):
    # given a gateway that lets BodyTimeout (the hook it answers itself) escape
    monkeypatch.setattr(asgi, "LIMITS", asgi.BodyLimits(0.1, 500, 1000))
    monkeypatch.setattr(asgi, "gateway", reads_its_body)

    start, body = call("/gw/token")

    # then the router answers 408 with the gateway's JSON error shape, and closes
    assert start["status"] == 408
    assert start["headers"][b"content-type"] == b"application/json"
    assert start["headers"][b"connection"] == b"close"
    assert json.loads(body)["code"] == BodyTimeout.code


def test_a_page_body_timeout_is_a_plain_408_page_before_django_runs(monkeypatch):
    monkeypatch.setattr(asgi, "LIMITS", asgi.BodyLimits(0.1, 500, 100_000))
    monkeypatch.setattr(asgi, "django", crashes)  # never reached: the body never completes

    start, body = call("/accounts/login/")

    assert start["status"] == 408 and start["headers"][b"connection"] == b"close"
    assert start["headers"][b"content-type"].startswith(b"text/plain")
    assert body.decode() == "The request body did not arrive in time."


def test_a_page_body_announced_over_the_limit_is_a_413_page(monkeypatch):
    monkeypatch.setattr(asgi, "LIMITS", asgi.BodyLimits(5, 500, 1000))

    start, _body = call("/catalog/import/")

    assert start["status"] == 413 and start["headers"][b"connection"] == b"close"


@pytest.mark.parametrize("path", ["/gw/health", "/accounts/login/"])
def test_an_error_before_any_answer_is_answered_here_without_naming_the_server(monkeypatch, path):
    # given an application that fails before it answers (granian's own 500 would say granian)
    monkeypatch.setattr(asgi, "LIMITS", asgi.BodyLimits(5, 500, 100_000))
    monkeypatch.setattr(asgi, "gateway", crashes)
    monkeypatch.setattr(asgi, "django", crashes)

    start, _body = call(path, language="zh-hans", slow=False)

    # then the router answers 500 itself, naming no server software
    assert start["status"] == 500 and start["headers"][b"server"] == b"-"
