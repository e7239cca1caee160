"""Tests hold on a busy machine (issue #12 item 10): whatever a test or a benchmark starts is
waited for by polling its readiness through tests/readiness.py, with a generous limit; no test
sleeps a fixed time hoping a server is up, and none asserts how long something took."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests import readiness
from tests.readiness import NotReady, wait_for_http, wait_until

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")])
HELPER = ROOT / "tests" / "readiness.py"
# Names that hold a measured time: a test compares none of them with a bound.
TIMED = ("elapsed", "took", "latency", "duration", "seconds_taken")


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_the_limit_is_generous_enough_for_a_loaded_machine():
    # a server that needs a minute or more to start on a loaded machine is still waited for
    assert readiness.READY_SECONDS >= 300


def test_a_server_that_starts_late_is_waited_for():
    # given a port nobody listens on yet, and a server that starts there after a few polls
    with ThreadingHTTPServer(("127.0.0.1", 0), Ok) as probe:
        port = probe.server_address[1]
    polls = []
    servers: list[ThreadingHTTPServer] = []

    def listening() -> bool:
        polls.append(1)
        if len(polls) == 5:
            servers.append(ThreadingHTTPServer(("127.0.0.1", port), Ok))
            threading.Thread(target=servers[0].serve_forever, daemon=True).start()
        return readiness.http_answers(f"http://127.0.0.1:{port}/")

    # when the test waits for it
    try:
        wait_until(listening, "the late server")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

    # then the wait ended once it answered, not before
    assert len(polls) == 5


def test_a_process_that_exits_ends_the_wait_at_once_with_its_output(tmp_path):
    # given a server process that fails while starting
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "raise SystemExit('no such module: app')"],
            stdout=out,
            stderr=out,
        )

    # when a test waits for it to answer, then it is told why at once, with the log
    with pytest.raises(NotReady, match="(?s)exited with 1.*no such module"):
        wait_for_http("http://127.0.0.1:9/", process=process, log=log)


def test_nothing_ready_within_the_limit_is_an_error_naming_the_wait():
    with pytest.raises(NotReady, match="the sun: not ready within 0 s"):
        wait_until(lambda: False, "the sun", limit=0.1)


def _calls(tree: ast.AST, dotted: str) -> list[ast.Call]:
    module, name = dotted.split(".")
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == module
    ]


def test_no_test_or_bench_rolls_its_own_deadline():
    # a deadline of one's own (time.monotonic() + N) is a readiness wait with its own, smaller
    # limit: tests/readiness.py holds the only one
    own = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path in SOURCES
        if path != HELPER
        for call in _calls(ast.parse(path.read_text()), "time.monotonic")
    ]
    assert own == []


def test_every_fixed_sleep_paces_behaviour_and_says_so():
    # a sleep may pace what a test does (a slow upstream, a slow upload) but never stand in for
    # a readiness wait; each says which it is on its line
    unexplained = []
    for path in SOURCES:
        if path == HELPER:
            continue
        lines = path.read_text().splitlines()
        for call in _calls(ast.parse("\n".join(lines)), "time.sleep"):
            if "# pacing:" not in lines[call.lineno - 1]:
                unexplained.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert unexplained == []


def _timed(node: ast.expr) -> bool:
    names = [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    names += [n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)]
    return any(part in name.lower() for name in names for part in TIMED)


def test_no_test_asserts_how_long_something_took():
    timing = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Assert):
                continue
            for compare in [n for n in ast.walk(node.test) if isinstance(n, ast.Compare)]:
                bounded = any(isinstance(op, ast.Lt | ast.LtE) for op in compare.ops)
                if bounded and any(_timed(part) for part in [compare.left, *compare.comparators]):
                    timing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert timing == []
