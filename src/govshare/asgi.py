"""One public port (单一端口): ``/gw/`` goes to the exchange gateway (Starlette, ASGI), every
other path to Django as WSGI through a2wsgi's thread pool.

Django is not served through its own ASGI handler (DESIGN.md: measured 7–12× slower here); the
WSGI app runs unchanged in a2wsgi's threads, while the gateway's calls never touch Django's
middleware. The lifespan belongs to the gateway (its policy refresher and delivery writer).

What granian leaves to the application (issue #11 item 6):
- a request body's deadline (``core/web/bodies.py``): the gateway reads its bodies through a
  guarded ``receive`` and answers ``BodyTimeout`` itself; Django's bodies are read whole on the
  event loop before a page thread is taken, and refused here (408, 413). After such an answer
  the connection is closed;
- the ``server`` header: granian names itself in every answer that has none and has no switch
  to leave it out (granian issue #594), so every answer here carries a neutral one;
- an error escaping the application before it answered: answered here (granian's own 500
  names granian).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import MutableMapping
from typing import Any

from a2wsgi import WSGIMiddleware

from govshare.exchange.gateway.app import create_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govshare.settings")

# Django's page threads: GOVSHARE_WSGI_THREADS (granian's --blocking-threads in WSGI mode).
WSGI_THREADS = int(os.environ.get("GOVSHARE_WSGI_THREADS", "8"))

gateway = create_app()

from django.conf import settings  # noqa: E402  (after create_app's setup)
from django.utils import translation  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from govshare.core.web.bodies import (  # noqa: E402
    BodyLimits,
    BodyTimeout,
    BodyTooLarge,
    DeadlineReceive,
    buffer_body,
    declared_length,
    has_body,
)
from govshare.exchange.gateway.errors import wants_english  # noqa: E402
from govshare.wsgi import application as django_wsgi  # noqa: E402

django = WSGIMiddleware(django_wsgi, workers=WSGI_THREADS)  # type: ignore[arg-type]
LIMITS = BodyLimits(
    timeout=settings.GOVSHARE_BODY_TIMEOUT,
    min_rate=settings.GOVSHARE_BODY_MIN_RATE,
    max_bytes=settings.GOVSHARE_MAX_BODY_BYTES,
)
# Says nothing about the software (OWASP: remove the header or give it a non-informative value).
SERVER_HEADER = (b"server", b"-")
logger = logging.getLogger(__name__)


def is_gateway_path(path: str) -> bool:
    return path == "/gw" or path.startswith("/gw/")


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await gateway(scope, receive, send)
        return
    if scope["type"] != "http":  # websockets: nothing here speaks them
        await send({"type": "websocket.close", "code": 1000})
        return
    body = DeadlineReceive(receive, LIMITS, has_body(scope["headers"]))
    answer = Answer(send, body)
    on_gateway = is_gateway_path(scope.get("path", ""))
    try:
        if on_gateway:
            await gateway(scope, body, answer)
        else:
            await serve_django(scope, body, answer)
    except Exception as error:
        if answer.is_started:
            raise
        if not isinstance(error, BodyTimeout):
            logger.exception("%s %s: unanswered error", scope["method"], scope["path"])
        await answer.refuse(scope, 408 if isinstance(error, BodyTimeout) else 500, on_gateway)


async def serve_django(scope: dict[str, Any], body: DeadlineReceive, answer: Answer) -> None:
    """Read the body whole first (bounded), then hand the request to a page thread."""
    if body.is_complete:  # no body to wait for
        await django(scope, body, answer)  # type: ignore[arg-type]
        return
    try:
        buffered = await buffer_body(body, declared_length(scope["headers"]))
    except BodyTooLarge:
        await answer.refuse(scope, 413, on_gateway=False)
        return
    if buffered is None:  # the client went away: nobody to answer
        return
    try:
        await django(scope, buffered.receive, answer)  # type: ignore[arg-type]
    finally:
        buffered.close()


class Answer:
    """``send`` for one request: a neutral ``server`` header on the answer, and
    ``connection: close`` once its body timed out or was refused (the rest of it may still be
    on its way: the connection cannot serve another request)."""

    def __init__(self, send: Any, body: DeadlineReceive) -> None:
        self.send, self.body = send, body
        self.is_started = False
        self.closes = False

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.is_started = True
            headers = [pair for pair in message.get("headers", []) if pair[0].lower() != b"server"]
            headers.append(SERVER_HEADER)
            if self.closes or self.body.timed_out:
                headers.append((b"connection", b"close"))
            message = {**message, "headers": headers}
        await self.send(message)

    async def refuse(self, scope: dict[str, Any], status: int, on_gateway: bool) -> None:
        """A refusal of our own: JSON with a code on the gateway's paths, a plain page on
        Django's; then the connection is closed."""
        self.closes = True
        english = wants_english(_header(scope, b"accept-language"))
        with translation.override("en" if english else settings.LANGUAGE_CODE):
            message = str(REFUSALS[status][1])
        if on_gateway:
            payload = {"code": REFUSALS[status][0], "message": message, "fields": {}}
            content, media = json.dumps(payload, ensure_ascii=False), b"application/json"
        else:
            content, media = message, b"text/plain; charset=utf-8"
        headers = [(b"content-type", media), (b"cache-control", b"no-store")]
        await self({"type": "http.response.start", "status": status, "headers": headers})
        await self({"type": "http.response.body", "body": content.encode()})


# (code, message) of the answers given here rather than by the gateway or Django.
REFUSALS = {
    408: (BodyTimeout.code, _("The request body did not arrive in time.")),
    413: (BodyTooLarge.code, _("The request body is too large.")),
    500: ("internal_error", _("The server could not answer this request.")),
}


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""
