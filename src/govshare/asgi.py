"""One public port (单一端口): ``/gw/`` goes to the exchange gateway (Starlette, ASGI), every
other path to Django as WSGI through a2wsgi's thread pool.

Django is not served through its own ASGI handler (DESIGN.md: measured 7–12× slower here); the
WSGI app runs unchanged in a2wsgi's threads, while the gateway's calls never touch Django's
middleware. The lifespan belongs to the gateway (its policy refresher and delivery writer).
"""

from __future__ import annotations

import os
from typing import Any

from a2wsgi import WSGIMiddleware

from govshare.exchange.gateway.app import create_app

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govshare.settings")

# Django's page threads: GOVSHARE_WSGI_THREADS (granian's --blocking-threads in WSGI mode).
WSGI_THREADS = int(os.environ.get("GOVSHARE_WSGI_THREADS", "8"))

gateway = create_app()

from govshare.wsgi import application as django_wsgi  # noqa: E402  (after create_app's setup)

django = WSGIMiddleware(django_wsgi, workers=WSGI_THREADS)  # type: ignore[arg-type]


def is_gateway_path(path: str) -> bool:
    return path == "/gw" or path.startswith("/gw/")


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan" or is_gateway_path(scope.get("path", "")):
        await gateway(scope, receive, send)
    elif scope["type"] == "http":
        await django(scope, _as_coroutine(receive), send)  # type: ignore[arg-type]
    else:  # websockets: nothing here speaks them
        await send({"type": "websocket.close", "code": 1000})


def _as_coroutine(receive: Any) -> Any:
    """a2wsgi hands ``receive()`` to ``asyncio.run_coroutine_threadsafe``, which takes only a
    coroutine; granian's ``receive`` returns another awaitable (request bodies would fail)."""

    async def receive_coroutine() -> Any:
        return await receive()

    return receive_coroutine
