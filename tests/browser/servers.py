"""An ASGI app served over TCP by uvicorn in a thread of the test process, so it shares the
test database (and settings) with the test and with pytest-django's live server."""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn

from tests.readiness import READY_SECONDS, wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AsgiServer:
    """``with AsgiServer(app) as base_url: ...``; the lifespan runs (the gateway's writer)."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        wait_until(
            lambda: self.server.started,
            f"uvicorn on port {self.port}",
            gone=lambda: None if self.thread.is_alive() else "its thread ended",
        )
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=READY_SECONDS)
