"""``govshare run`` as it runs (issue #11 item 6): a real process serving on a database that a
real ``govshare migrate`` made, its static files collected by itself. Slow bodies and silent
connections are closed by the server while other requests are served; a second ``govshare
run`` on the same port or the same SQLite file is refused (on PostgreSQL a second one on another
port serves beside the first); no answer names granian; the files it writes are its user's.

The waits below are safety nets for a broken server, never what a test asserts.
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.exchange.gateway.served import SECRET_KEY, served_database
from tests.readiness import POLL_SECONDS, READY_SECONDS, NotReady, wait_for_http, wait_until

ROOT = Path(__file__).resolve().parents[2]
GOVSHARE = str(Path(sys.executable).parent / "govshare")
BODY_TIMEOUT = 3  # seconds: GOVSHARE_BODY_TIMEOUT and GOVSHARE_HEADER_TIMEOUT of the server
MAX_BODY = 8 * 1024 * 1024
SAFETY = READY_SECONDS  # a closed connection is expected long before this
SLOW_CLIENTS = 60  # per path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(var_dir: Path, database_url: str = "") -> dict[str, str]:
    """A govshare process's environment: its own var directory (SQLite there by default)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVSHARE_", "DATABASE_"))}
    env.update(
        GOVSHARE_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        DJANGO_SETTINGS_MODULE="govshare.settings",
        LOG_LEVEL="WARNING",
        GOVSHARE_BODY_TIMEOUT=str(BODY_TIMEOUT),
        GOVSHARE_HEADER_TIMEOUT=str(BODY_TIMEOUT),
        GOVSHARE_MAX_BODY_BYTES=str(MAX_BODY),
    )
    return env


def govshare(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A govshare command to its end; in a session of its own, so that a ``run`` that should
    have been refused and serves instead is stopped with all its processes."""
    process = subprocess.Popen(
        [GOVSHARE, *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=SAFETY * 2)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


class Run:
    """A ``govshare run --no-worker`` process (its own session: granian's processes with it)."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.url = f"http://127.0.0.1:{port}"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [GOVSHARE, "run", "--no-worker", "--port", str(port)],
                env=env,
                cwd=ROOT,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        self.wait_until_serving()

    def wait_until_serving(self) -> None:
        # The first start collects the static files: the generous limit covers it.
        wait_for_http(f"{self.url}/gw/health", process=self.process, log=self.log, ok_only=True)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory) -> Path:
    """A var directory with a migrated SQLite database, which an earlier version left 0644,
    beside a data source also 0644."""
    var = tmp_path_factory.mktemp("var")
    migrated = govshare(environment(var), "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    (var / "govshare.sqlite3").chmod(0o644)
    (var / "sources").mkdir()
    (var / "sources" / "people.sqlite3").write_bytes(b"")
    (var / "sources" / "people.sqlite3").chmod(0o644)
    return var


@pytest.fixture(scope="module")
def platform(var_dir):
    run = Run(environment(var_dir), free_port(), var_dir / "run.log")
    yield run
    run.stop()


# --- slow clients -------------------------------------------------------------------------


def slow_request(port: int, path: str) -> socket.socket:
    """A request announcing 60,000 bytes of body and sending 11. On a page, a form with a CSRF
    cookie: Django reads such a body (for the form's token) in one of its page threads."""
    client = socket.create_connection(("127.0.0.1", port))
    kind = "application/json" if path.startswith("/gw/") else "application/x-www-form-urlencoded"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
        f"Cookie: csrftoken={'a' * 32}\r\nContent-Length: 60000\r\n\r\n"
    )
    client.sendall(head.encode() + b'{"app_key":')
    return client


def read_until_closed(clients: list[socket.socket]) -> dict[socket.socket, bytes | None]:
    """What each connection received before the server closed it; None for one still open
    when the safety net ran out."""
    received: dict[socket.socket, bytes | None] = {client: b"" for client in clients}
    selector = selectors.DefaultSelector()
    for client in clients:
        client.setblocking(False)
        selector.register(client, selectors.EVENT_READ)
    open_ones = set(clients)

    def all_closed() -> bool:
        for key, _events in selector.select(timeout=POLL_SECONDS):
            client = key.fileobj
            try:
                chunk = client.recv(65536)  # type: ignore[union-attr]
            except ConnectionResetError:
                chunk = b""
            if chunk:
                received[client] += chunk  # type: ignore[index, operator]
            else:
                selector.unregister(client)
                open_ones.discard(client)  # type: ignore[arg-type]
        return not open_ones

    try:
        wait_until(all_closed, "the server closing the connections", limit=SAFETY)
    except NotReady:
        pass  # the ones still open are None
    for client in open_ones:
        received[client] = None
    for client in clients:
        client.close()
    return received


def test_slow_bodies_are_closed_by_the_server_while_other_requests_are_served(platform):
    # given many clients that announce a body and send 11 bytes of it, on a page (Django's
    # threads) and on the gateway
    pages = [slow_request(platform.port, "/accounts/login/") for _ in range(SLOW_CLIENTS)]
    calls = [slow_request(platform.port, "/gw/token") for _ in range(SLOW_CLIENTS)]

    # when someone else asks for a page and the gateway's health meanwhile, they are served
    with httpx.Client(base_url=platform.url, timeout=SAFETY) as client:
        assert client.get("/accounts/login/").status_code == 200
        assert client.get("/gw/health").status_code == 200

    # then every slow connection is closed by the server: a page's with a plain 408 page
    for answer in read_until_closed(pages).values():
        assert answer is not None, "still open: not closed by the server"
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert b"\r\nconnection: close\r\n" in answer.lower()
    # and a gateway call's with the gateway's recorded 408 JSON error
    for answer in read_until_closed(calls).values():
        assert answer is not None, "still open: not closed by the server"
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 "), head
        assert b"content-type: application/json" in head.lower(), head
        assert json.loads(body)["code"] == "body_timeout"


def test_a_connection_that_sends_nothing_or_half_its_headers_is_closed(platform):
    silent = socket.create_connection(("127.0.0.1", platform.port))
    halfway = socket.create_connection(("127.0.0.1", platform.port))
    halfway.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")

    received = read_until_closed([silent, halfway])

    assert None not in received.values(), "still open: not closed by the server"


def test_an_upload_slower_than_the_body_timeout_still_arrives_whole(platform):
    # given the sign-in form posted as multipart with a 2 MB file before its last fields,
    # sent in 8 parts over about 4 seconds, longer than the body timeout (3 s), far faster
    # than the minimum rate
    with httpx.Client(base_url=platform.url, timeout=SAFETY) as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        body, boundary = multipart(
            [("csrfmiddlewaretoken", token), ("attachment", os.urandom(2 * 1024 * 1024))],
            [("username", "nobody"), ("password", "wrong-password")],
        )

        def slowly():
            step = len(body) // 8 + 1
            for start in range(0, len(body), step):
                time.sleep(0.5)  # pacing: the upload is slow on purpose
                yield body[start : start + step]

        answer = client.post(
            "/accounts/login/",
            content=slowly(),
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(body)),
                "Referer": f"{platform.url}/accounts/login/",
            },
        )

    # then Django read it all: the form answers the wrong password (no 408, no CSRF failure)
    assert answer.status_code == 200, (answer.status_code, answer.text[:300])
    assert 'name="username"' in answer.text and 'value="nobody"' in answer.text


def multipart(first: list[tuple[str, object]], last: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = "govshare-test-boundary"
    body = b""
    for name, value in [*first, *last]:
        if isinstance(value, bytes):
            disposition = f'form-data; name="{name}"; filename="{name}.bin"'
            part_type = "Content-Type: application/octet-stream\r\n"
            content = value
        else:
            disposition, part_type, content = f'form-data; name="{name}"', "", str(value).encode()
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{part_type}\r\n"
        body += head.encode() + content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), boundary


def test_a_page_body_announced_over_the_limit_is_refused_at_once(platform):
    client = socket.create_connection(("127.0.0.1", platform.port))
    client.sendall(
        f"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Length: {MAX_BODY + 1}\r\n\r\n".encode()
    )

    answer = read_until_closed([client])[client]

    assert answer is not None and answer.startswith(b"HTTP/1.1 413 "), answer


# --- the server header --------------------------------------------------------------------


def test_no_answer_names_granian(platform):
    # given answers of every kind: pages, a static file, Django's 404, the gateway's health,
    # 404 and refusal, a 408, and the HTTP layer's own refusal of a malformed request
    with httpx.Client(base_url=platform.url, timeout=SAFETY) as client:
        page = client.get("/accounts/login/")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
        answers = [
            page,
            client.get(stylesheet),
            client.get("/no-such-page/"),
            client.get("/gw/health"),
            client.get("/gw/no-such-call"),
            client.post("/gw/token", json={}),
        ]
    assert [answer.status_code for answer in answers[:2]] == [200, 200]
    malformed = socket.create_connection(("127.0.0.1", platform.port))
    malformed.sendall(b"GARBAGE\r\n\r\n")
    timed_out = slow_request(platform.port, "/accounts/login/")
    raw = read_until_closed([malformed, timed_out])

    # then none names the server software
    for answer in answers:
        assert answer.headers.get_list("server") == ["-"], answer.headers
        assert "granian" not in str(answer.headers.raw).lower()
    for head in raw.values():
        assert head is not None and head.startswith(b"HTTP/1.1 4")
        assert b"granian" not in head.lower(), head


# --- a second govshare run ----------------------------------------------------------------


def test_a_second_run_on_the_same_port_is_refused(platform, tmp_path):
    # given govshare run serving a port; when another (its own database) starts on that port
    second = govshare(environment(tmp_path), "run", "--no-worker", "--port", str(platform.port))

    # then it refuses, naming the port, and the first still serves
    assert second.returncode != 0
    assert f"port {platform.port}" in second.stderr and "not started" in second.stderr
    assert httpx.get(f"{platform.url}/gw/health", timeout=SAFETY).status_code == 200


def test_a_second_run_on_the_same_sqlite_database_is_refused(platform, var_dir):
    # when another govshare run starts on the same database file, on another port
    second = govshare(environment(var_dir), "run", "--no-worker", "--port", str(free_port()))

    # then it refuses, naming the database and the run that holds it
    assert second.returncode != 0
    assert str(var_dir / "govshare.sqlite3") in second.stderr, second.stderr
    assert f"port {platform.port}" in second.stderr


@pytest.mark.django_db(transaction=True)
def test_runs_on_several_ports_share_a_postgresql_database(tmp_path):
    """The supported scale-out (README): only the port is checked on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: an embedded SQLite database has one writer")
    database_url = served_database(tmp_path)
    first = Run(environment(tmp_path / "a", database_url), free_port(), tmp_path / "a.log")
    try:
        second = Run(environment(tmp_path / "b", database_url), free_port(), tmp_path / "b.log")
        second.stop()
    finally:
        first.stop()


# --- file modes ---------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_run_made_the_files_an_earlier_version_left_readable_private(platform, var_dir):
    # the fixture left the database and a data source 0644 before govshare run started
    database = var_dir / "govshare.sqlite3"
    companions = [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm")]
    assert mode(database) == 0o600
    assert mode(var_dir / "sources" / "people.sqlite3") == 0o600
    assert [mode(path) for path in companions if path.exists()] == [0o600] * sum(
        path.exists() for path in companions
    )


def test_migrate_creates_private_files_and_makes_old_ones_private(tmp_path):
    env = environment(tmp_path)
    # when a new database is made, and a data source written by a govshare command
    assert govshare(env, "migrate", "--noinput", "-v", "0").returncode == 0
    (tmp_path / "sources").mkdir()
    source = tmp_path / "sources" / "made.sqlite3"
    script = f"import sqlite3; sqlite3.connect({str(source)!r}).execute('CREATE TABLE t (x)')"
    assert govshare(env, "shell", "-c", script).returncode == 0

    # then both are 0600 like the keys
    assert mode(tmp_path / "govshare.sqlite3") == 0o600
    assert mode(source) == 0o600

    # given files an earlier version left 0644; when migrate runs again, they are 0600
    for path in (tmp_path / "govshare.sqlite3", source):
        path.chmod(0o644)
    migrated = govshare(env, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    assert mode(tmp_path / "govshare.sqlite3") == 0o600 and mode(source) == 0o600
