"""The gateway as it runs: a granian server process. A revocation made by another process stops
its calls (the gateway re-reads the stamp every second: test_policy_store.py); a server killed
mid-load and restarted leaves every answered call with its delivery record and an intact chain.

Nothing here asserts how long anything took: waits poll until what they wait for holds, within
tests/readiness.py's generous limit."""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid

import httpx
import pytest

from tests.exchange.gateway.factories import PEOPLE, grant
from tests.exchange.gateway.served import Server, command, process_env, served_database
from tests.readiness import ATTEMPT_SECONDS, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

ZHANG = PEOPLE[0][0]
CALLS_BEFORE = 50  # answered calls before the kill, and again after the restart


def delivered_count(answered: list[tuple[str, int]]) -> int:
    return sum(1 for _request_id, status in list(answered) if status == 200)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(world, tmp_path):
    """The world with a query grant, in a database other processes open; their environment."""
    grant(world, ["GMSFHM", "XM"])
    return process_env(tmp_path, served_database(tmp_path))


def token_from(base: str, world) -> str:
    response = httpx.post(
        f"{base}/gw/token",
        json={"app_key": world.credential.app_key, "app_secret": world.secret},
        timeout=ATTEMPT_SECONDS,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_a_revocation_in_another_process_stops_its_calls(world, served, tmp_path):
    server = Server(served, free_port(), tmp_path / "granian.log")
    server.start()
    try:
        token = token_from(server.url, world)
        url = f"{server.url}/gw/resources/{world.ref}/query"
        headers = {"Authorization": f"Bearer {token}", "X-End-User": "王经办".encode()}

        def call() -> httpx.Response:
            params = {"GMSFHM": ZHANG}
            return httpx.get(url, params=params, headers=headers, timeout=ATTEMPT_SECONDS)

        working = call()
        assert working.status_code == 200, working.text
        assert working.headers.raw and working.headers["x-end-user"] == "王经办"

        # when another process revokes the credential (and bumps the gateway's stamp)
        command(served, "revoke", str(world.credential.pk))

        # then the gateway refuses its calls (once its policy thread has seen the stamp)
        answers = [working]

        def refused() -> bool:
            answers.append(call())
            return answers[-1].status_code != 200

        wait_until(refused, "the revoked credential's refusal")
        assert answers[-1].status_code == 401 and answers[-1].json()["code"] == "credential_revoked"
    finally:
        server.stop()


def test_a_killed_gateway_leaves_no_answer_without_its_record(world, served, tmp_path):
    # given a gateway under load from 8 clients
    log = tmp_path / "granian.log"
    current = {"server": Server(served, free_port(), log)}
    current["server"].start()
    token = token_from(current["server"].url, world)
    answered: list[tuple[str, int]] = []
    failures = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(timeout=5) as http:
            while not stop.is_set():
                request_id = uuid.uuid4().hex
                base = current["server"].url
                try:
                    response = http.get(
                        f"{base}/gw/resources/{world.ref}/query",
                        params={"GMSFHM": ZHANG},
                        headers={"Authorization": f"Bearer {token}", "X-Request-Id": request_id},
                    )
                except httpx.TransportError:
                    with lock:
                        failures[0] += 1
                    time.sleep(0.05)  # pacing: a client backs off while nobody listens
                    continue
                with lock:
                    answered.append((request_id, response.status_code))

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    try:
        # when it is killed mid-run (SIGKILL: no shutdown, no flush) and started again
        wait_until(lambda: delivered_count(answered) >= CALLS_BEFORE, "calls before the kill")
        before_kill = len(answered)
        current["server"].kill()
        restarted = Server(served, free_port(), log)
        restarted.start()
        current["server"] = restarted
        goal = delivered_count(answered) + CALLS_BEFORE
        wait_until(lambda: delivered_count(answered) >= goal, "calls after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        current["server"].stop()

    # then every 200 the clients received has its record, and the chain verifies
    found = command(served, "deliveries")
    recorded = {request_id: status for request_id, status in found["records"]}
    delivered = [request_id for request_id, status in answered if status == 200]
    assert before_kill > 0 and len(delivered) > before_kill, (before_kill, len(delivered))
    missing = [request_id for request_id in delivered if recorded.get(request_id) != 200]
    assert missing == []
    assert found["intact"], found["reason"]


def test_the_one_port_server_takes_form_posts_for_django(world, served, tmp_path, settings):
    # given `govshare run`'s app (the router) under granian, its pages' static files collected
    (tmp_path / "static").symlink_to(settings.STATIC_ROOT)
    server = Server(
        served, free_port(), tmp_path / "router.log", target="govshare.asgi:application"
    )
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            # when the sign-in form is posted with its CSRF token (a request body through a2wsgi)
            page = client.get("/accounts/login/")
            assert page.status_code == 200, (page.status_code, page.text[:300])
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            answer = client.post(
                "/accounts/login/",
                data={"csrfmiddlewaretoken": token, "username": "nobody", "password": "x"},
                headers={"Referer": f"{server.url}/accounts/login/"},
            )
            gateway = client.get("/gw/health")
    finally:
        server.stop()
    # then Django reads the body and answers the form (no 500), and /gw/ is the gateway
    assert answer.status_code == 200 and 'name="username"' in answer.text
    assert gateway.json()["status"] == "ok"
