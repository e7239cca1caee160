"""The gateway under random calls (issue #11): random bytes as bodies, lone surrogates in names,
values and headers, bodies over the size limit and nested 30,000 deep, odd headers, methods and
paths, with and without a valid token. Afterwards the gateway is healthy, every answer is a JSON
body with a code (or the data asked for), no 5xx but an upstream's failure, every answer has
exactly one delivery record, and the chain verifies.

Most calls start from a right one (a granted lookup, a token call with the real key) and spoil it
in one or two ways, so they get past the checks that come first. Seeded and reproducible: case n
of seed s is always the same call. ``make test`` runs a few hundred against the ASGI app and a
few dozen against a real granian server; ``make soak`` sets GOVSHARE_FUZZ_CASES for thousands.
To replay one case: GOVSHARE_FUZZ_SEED=s GOVSHARE_FUZZ_ONLY=n.
"""

from __future__ import annotations

import http.client
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from django.core.management import call_command

from govshare.core.evidence import chain
from govshare.exchange.models import DeliveryRecord
from tests.exchange.gateway.factories import ITEMS, PEOPLE, api_mount, grant
from tests.exchange.gateway.served import Server, command, process_env, served_database
from tests.exchange.gateway.test_processes import free_port, token_from

CASES = int(os.environ.get("GOVSHARE_FUZZ_CASES", "300"))
SERVED_CASES = max(40, CASES // 8)
SEED = int(os.environ.get("GOVSHARE_FUZZ_SEED", "11"))
ONLY = os.environ.get("GOVSHARE_FUZZ_ONLY")

ZHANG, ZHANG_NAME = PEOPLE[0][0], PEOPLE[0][1]
# What a right call of each kind looks like: its path, its methods, its parameters.
TARGETS = {
    "query": ("/gw/resources/{ref}/query", ["GET", "POST"], {"GMSFHM": ZHANG}),
    "verify": ("/gw/resources/{ref}/verify", ["POST"], {"GMSFHM": ZHANG, "XM": ZHANG_NAME}),
    "proxy": ("/gw/resources/{ref}/proxy", ["GET", "POST"], {"GMSFHM": ZHANG}),
    "openapi": ("/gw/resources/{ref}/openapi.json", ["GET"], {}),
    "discovery": ("/gw/resources", ["GET"], {}),
    "token": ("/gw/token", ["POST"], {"app_key": "{key}", "app_secret": "{secret}"}),
}
ODD_METHODS = ["HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "HEAD", "GET", "POST"]
NAMES = [*ITEMS, "items", "limit", "offset", "app_key", "app_secret", "grant_type"]
SURROGATES = ["\ud800", "\udfff", "\udc80", "a\ud83d", "\ude00\ud83d"]
ODD_TEXT = [
    *("", "\x00", "a\x01b", "\x7f", "\t\r\n", "\\", "' OR '1'='1", "%", "-1", "1e999"),
    *("王" * 300, "9" * 5000, "\ufeff", "\u202e", "GMSFHM,ZZ,NOPE", "XM", "999999999999"),
]
ODD_PATHS = [
    *("/gw", "/gw/", "/gw/token/", "/gw/resources/", "/gw/resources//query", "/gw/nothing"),
    *("/gw/resources/%ff%fe/query", "/gw/resources/%ed%a0%80/query", "/gw/resources/%00/verify"),
    *("/gw/resources/../token", "/gw/resources/x/query/extra", "/gw/" + "a" * 3000),
    "/gw/health/x",
]
HEALTH = "/gw/health"
ASCII_HEADERS = [b"a\x01b", b"\x7f", b"u" * 101, b"u" * 5000, b"Bearer ", b"Bearer v1.1.1.1.x"]
# Bytes outside ASCII reach the gateway only from a real server: the TestClient re-encodes them,
# and cannot read an answer echoing them (tests/exchange/gateway/test_calls.py says so too).
RAW_HEADERS = ["王经办".encode(), b"\xff\xfe", "\ud800".encode("utf-8", "surrogatepass")]


@dataclass
class Case:
    method: str
    path: str
    headers: dict[str, Any] = field(default_factory=dict)
    body: bytes = b""
    with_token: bool = True
    request_id: str | None = None  # the X-Request-Id sent, when a valid one was sent


def text(rng: random.Random) -> str:
    """A value or a name: ordinary, odd, holding a lone surrogate, or any code points."""
    kind = rng.random()
    if kind < 0.25:
        return rng.choice([ZHANG, ZHANG_NAME, "1", "GMSFHM,XM", "10", "370702"])
    if kind < 0.5:
        return rng.choice(SURROGATES) + rng.choice(["", "x", ZHANG])
    if kind < 0.85:
        return rng.choice(ODD_TEXT)
    return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 12)))


def spoiled(rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with one or two things wrong (or none: some calls must succeed)."""
    changed = dict(params)
    for _ in range(rng.choice([0, 1, 1, 2])):
        name = rng.choice([*changed, *NAMES]) if rng.random() < 0.7 else text(rng)
        changed[name] = rng.choice([text(rng), [text(rng), text(rng)], 1, True, None, {"a": 1}])
    return changed


def json_text(value: Any) -> bytes:
    """JSON as a caller may write it: lone surrogates as \\u escapes (not encodable as UTF-8)."""
    return json.dumps(value, ensure_ascii=True).encode()


def odd_body(rng: random.Random) -> bytes:
    """Random bytes, a body over the 64 kB limit, or one nested far deeper than any limit."""
    kind = rng.randrange(3)
    if kind == 0:
        return rng.randbytes(rng.randrange(1, 2000))
    if kind == 1:
        return b'{"GMSFHM":"' + b"1" * rng.randrange(65_000, 200_000) + b'"}'
    levels = rng.choice([9, 100, 10_000, 30_000])
    if rng.random() < 0.5:
        return b'{"GMSFHM":' + b"[" * levels + b"]" * levels + b"}"
    return b'{"a":' * levels + b"1" + b"}" * levels


def encoded_form(params: dict[str, Any]) -> str:
    pairs = [(str(name), str(value)) for name, value in params.items()]
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass")


def odd_headers(rng: random.Random, raw: bool) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    for name in ("X-End-User", "X-Case-Number", "Accept-Language", "Authorization"):
        if rng.random() < 0.15:
            headers[name] = rng.choice(ASCII_HEADERS + (RAW_HEADERS if raw else []))
    return headers


def case(seed: int, number: int, fill: dict[str, str], raw: bool = False) -> Case:
    """Case ``number`` of ``seed``: the same call every time. ``fill``: the resource's ref, the
    credential's key and secret; ``raw``: headers may hold bytes outside ASCII (a real server)."""
    rng = random.Random(f"{seed}-{number}")
    template, methods, params = TARGETS[rng.choice(list(TARGETS))]
    path = template.format(**fill) if rng.random() < 0.9 else rng.choice(ODD_PATHS)
    if rng.random() < 0.05:
        path = path.replace(fill["ref"], quote(text(rng), errors="surrogatepass"))
    method = rng.choice(methods) if rng.random() < 0.75 else rng.choice(ODD_METHODS)
    params = spoiled(rng, {name: value.format(**fill) for name, value in params.items()})
    found = Case(method, path, odd_headers(rng, raw), with_token=rng.random() < 0.85)
    if method == "POST" or (method in {"PUT", "PATCH"} and rng.random() < 0.5):
        kind = rng.random()
        if kind < 0.6:
            found.body, content_type = json_text(params), "application/json"
        elif kind < 0.75:
            found.body = encoded_form(params).encode()
            content_type = "application/x-www-form-urlencoded"
        else:
            found.body, content_type = odd_body(rng), rng.choice(["application/json", ""])
        found.headers["Content-Type"] = content_type
    elif params:
        found.path += "?" + encoded_form(params)
    if rng.random() < 0.9:
        found.request_id = f"fz-{seed}-{number}"
        found.headers["X-Request-Id"] = found.request_id
    else:  # an invalid id: the gateway makes one up and names it in the answer
        found.headers["X-Request-Id"] = rng.choice([b"has space", b"r" * 65, b"\x01"])
    return found


def numbers(count: int) -> list[int]:
    return [int(ONLY)] if ONLY is not None else list(range(count))


def path_in_url(path: str) -> str:
    """The path as sent: %-escapes as written, anything else not allowed in a URL escaped."""
    return quote(path, safe="/?&=%+", encoding="utf-8", errors="surrogatepass")


def has_control_bytes(sent: Case) -> bool:
    values = [v if isinstance(v, bytes) else v.encode() for v in sent.headers.values()]
    return any(byte < 0x20 or byte == 0x7F for value in values for byte in value)


@dataclass
class Answers:
    """What came back, by request id, and the problems seen."""

    seed: int
    by_id: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    refused_by_server: int = 0

    def check(self, number: int, sent: Case, status: int, headers: Any, content: bytes) -> None:
        where = f"case {number} (seed {self.seed}): {sent.method} {sent.path[:80]}"
        if sent.path.split("?")[0] == HEALTH and sent.method in {"GET", "HEAD"}:
            return  # the health check is no delivery: not recorded
        request_id = headers.get("x-request-id")
        if request_id is None and status == 400 and has_control_bytes(sent):
            # Not an HTTP message (RFC 9110 §5.5: no control characters in a field value):
            # the server refuses it before any application sees it.
            self.refused_by_server += 1
            return
        if request_id is None or (sent.request_id and request_id != sent.request_id):
            self.problems.append(f"{where}: answered {status} without its request id")
            return
        if request_id in self.by_id:
            self.problems.append(f"{where}: request id {request_id} answered twice")
        self.by_id[request_id] = status
        if status >= 500 and status not in {502, 504}:  # 502/504: the upstream's failure
            self.problems.append(f"{where}: {status} {content[:200]!r}")
        if sent.method != "HEAD":  # an answer to HEAD has no body
            self.check_body(where, status, headers, content)

    def check_body(self, where: str, status: int, headers: Any, content: bytes) -> None:
        if headers.get("content-type") != "application/json":
            self.problems.append(f"{where}: {status} is not JSON: {content[:200]!r}")
            return
        body = json.loads(content)
        if status != 200 and not (isinstance(body, dict) and body.get("code")):
            self.problems.append(f"{where}: {status} without a code: {content[:200]!r}")

    def check_records(self, records: list[tuple[str, int]]) -> None:
        recorded: dict[str, list[int]] = {}
        for request_id, status in records:
            recorded.setdefault(request_id, []).append(status)
        for request_id, status in self.by_id.items():
            if recorded.get(request_id) != [status]:
                found = recorded.get(request_id)
                self.problems.append(f"{request_id}: answered {status}, recorded {found}")

    def statuses(self) -> Counter[int]:
        return Counter(self.by_id.values())


@pytest.fixture
def granted(world, gw, upstream_url):
    """Grants of every mode (proxy over a real upstream), and a token."""
    api_mount(world.resource, upstream_url + "/people")
    grant(world, ["GMSFHM", "XM", "XBDM"])
    grant(world, ["GMSFHM", "XM"], mode="verify")
    grant(world, ["XM", "LXDH"], mode="proxy")
    gw.refresh()
    return gw.token(world)


def fill_of(world) -> dict[str, str]:
    return {"ref": world.ref, "key": world.credential.app_key, "secret": world.secret}


def test_random_calls_leave_the_gateway_healthy_and_every_answer_recorded(
    world, gw, granted, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # a quarantine file, should one be written, stays here
    answers = Answers(SEED)
    for number in numbers(CASES):
        sent = case(SEED, number, fill_of(world))
        headers = dict(sent.headers)
        if sent.with_token:
            headers.setdefault("Authorization", f"Bearer {granted}")
        response = gw.client.request(
            sent.method, path_in_url(sent.path), headers=headers, content=sent.body
        )
        answers.check(number, sent, response.status_code, response.headers, response.content)

    answers.check_records(list(DeliveryRecord.objects.values_list("request_id", "status")))
    assert answers.problems == [], "\n".join(answers.problems)
    health = gw.client.get(HEALTH).json()
    assert (health["status"], health["records_set_aside"]) == ("ok", 0)
    assert chain.verify_chain(DeliveryRecord).is_intact
    call_command("audit", "verify", "--deliveries")  # raises CommandError if broken
    if ONLY is None:  # the calls got past the first checks: data was served, and refused
        assert {200, 401, 404, 405, 413, 422} <= set(answers.statuses()), answers.statuses()


def test_random_calls_to_a_real_server(world, upstream_url, tmp_path):
    # given the gateway as it runs (granian, real sockets: headers arrive as the bytes sent)
    api_mount(world.resource, upstream_url + "/people")
    grant(world, ["GMSFHM", "XM", "XBDM"])
    grant(world, ["GMSFHM", "XM"], mode="verify")
    grant(world, ["XM", "LXDH"], mode="proxy")
    env = process_env(tmp_path, served_database(tmp_path))
    server = Server(env, free_port(), tmp_path / "granian.log")
    server.start()
    answers = Answers(SEED + 1)
    try:
        token = token_from(server.url, world)
        for number in numbers(SERVED_CASES):
            sent = case(SEED + 1, number, fill_of(world), raw=True)
            answers.check(number, sent, *raw_call(server.port, sent, token))
        health = httpx.get(f"{server.url}{HEALTH}", timeout=10).json()
    finally:
        server.stop()

    # then every answer has its record, the chain verifies, the gateway is healthy
    found = command(env, "deliveries")
    answers.check_records([(request_id, status) for request_id, status in found["records"]])
    assert answers.problems == [], "\n".join(answers.problems)
    assert found["intact"], found["reason"]
    assert (health["status"], health["records_set_aside"]) == ("ok", 0)
    if ONLY is None:
        assert 200 in answers.statuses(), answers.statuses()


def raw_call(port: int, sent: Case, token: str) -> tuple[int, Any, bytes]:
    """The call over a socket of its own, headers as the bytes given (http.client checks only
    for CR and LF; httpx refuses control characters and edge spaces before sending)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(sent.headers)
    if sent.with_token:
        headers.setdefault("Authorization", f"Bearer {token}")
    try:
        connection.request(sent.method, path_in_url(sent.path), sent.body or None, headers)
        response = connection.getresponse()
        content = response.read()
        found = {name.lower(): value for name, value in response.getheaders()}
        return response.status, found, content
    finally:
        connection.close()
