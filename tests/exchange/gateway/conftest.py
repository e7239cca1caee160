"""Fixtures of the gateway tests: a world in the database, the gateway app with its lifespan
(policy refresher and delivery writer running), tokens, and a real upstream HTTP server.

The gateway reads the database from its own threads (policy, writer, worker threads), so every
test here commits: ``transactional_db``. SQLite's in-memory test database is shared between
threads of this process (shared cache); tests that need another process copy it to a file.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from govshare.exchange.gateway.app import create_app
from tests.catalog.conftest import catalog_reference_data  # noqa: F401  (autouse: the seed)
from tests.exchange.gateway.factories import PEOPLE, World, build_world
from tests.upstream import JsonHandler, serve

with warnings.catch_warnings():
    # Starlette 1.x would rather have httpx2; httpx (pinned in the lock file) still works.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

CLIENT_IP = "127.0.0.1"


@pytest.fixture
def gateway_sources(settings, tmp_path) -> Path:
    directory = tmp_path / "sources"
    directory.mkdir()
    settings.GOVSHARE_SOURCES_DIR = directory
    return directory


@pytest.fixture
def world(transactional_db, gateway_sources) -> World:
    return build_world(gateway_sources)


@dataclass
class Running:
    """The gateway app in a TestClient, and its parts (policy, writer)."""

    client: TestClient
    gateway: Any

    def refresh(self) -> None:
        """Pick up database changes now instead of within the poll interval."""
        self.gateway.policy.load()

    def token(self, world: World, **headers: str) -> str:
        response = self.client.post(
            "/gw/token",
            json={"app_key": world.credential.app_key, "app_secret": world.secret},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.request(method, path, headers=headers, **kwargs)


def start_gateway(**options: Any) -> Iterator[Running]:
    # The policy thread stays idle here (tests call refresh()): SQLite's shared in-memory
    # database locks whole tables, so a poll racing the test's own writes would fail them.
    # Polling itself is tested across real processes (test_processes.py).
    app = create_app(poll_seconds=options.pop("poll_seconds", 3600), **options)
    with TestClient(app, client=(CLIENT_IP, 50000)) as client:
        yield Running(client, app.state.gateway)


@pytest.fixture
def gw(world) -> Iterator[Running]:
    """The gateway, started after the world exists (its first policy holds it)."""
    yield from start_gateway(redis_url="")


# --- a real upstream HTTP API -------------------------------------------------------------


class Upstream(JsonHandler):
    """``/people?sfzh=`` the people as records under ``data``; ``/slow`` sleeps; ``/boom`` 500."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/slow":
            time.sleep(1.0)  # pacing: slower than the mount's timeout, on purpose
        if url.path == "/boom":
            return self.send(500, {"error": "boom"})
        records = [
            {"sfzh": p[0], "xm": p[1], "xb": p[2], "lxdh": p[4], "secret_field": "不应出现"}
            for p in PEOPLE
            if not params.get("sfzh") or p[0] == params["sfzh"]
        ]
        self.send(200, {"data": records})


@pytest.fixture
def upstream_url() -> Iterator[str]:
    with serve(Upstream) as url:
        yield url
