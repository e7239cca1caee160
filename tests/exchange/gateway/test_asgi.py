"""One port: ``/gw/`` reaches the gateway, every other path Django (through a2wsgi); ``govshare
run`` serves that router with granian's ASGI interface."""

from __future__ import annotations

import subprocess

import pytest

from govshare import asgi, cli
from tests.exchange.gateway.conftest import TestClient


@pytest.mark.parametrize(
    "path, is_gateway",
    [("/gw", True), ("/gw/", True), ("/gw/health", True), ("/gwx", False), ("/", False)],
)
def test_the_router_sends_only_gw_paths_to_the_gateway(path, is_gateway):
    assert asgi.is_gateway_path(path) is is_gateway


def test_gateway_and_django_answer_on_the_same_app(
    transactional_db, connections_closed_after_each_request
):
    with TestClient(asgi.application, client=("127.0.0.1", 50000)) as client:
        health = client.get("/gw/health")
        page = client.get("/accounts/login/", follow_redirects=False)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "content-security-policy" not in health.headers  # no Django middleware on /gw/
    # the sign-in page comes from Django, through its middleware
    assert page.status_code == 200 and "content-security-policy" in page.headers
    assert "csrftoken" in page.headers.get("set-cookie", "")


def test_govshare_run_serves_the_asgi_router_with_granian(monkeypatch):
    started: list[list[str]] = []

    class Child:
        def __init__(self, args, **kwargs):
            started.append(list(args))

        def wait(self):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(cli, "_ensure_static", lambda bin_dir: None)
    monkeypatch.setattr(subprocess, "Popen", Child)
    assert cli.run(["--no-worker", "--workers", "2", "--port", "8123"]) == 0
    (server,) = started
    assert server[server.index("--interface") + 1] == "asgi"
    assert server[server.index("--workers") + 1] == "2"
    assert server[-1] == "govshare.asgi:application"
