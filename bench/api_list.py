"""Requests/s of the authenticated API list GET /api/v1/departments against a bare Django view.

Both are served by one granian process (WSGI, one worker, as ``govshare run``) over a temporary
SQLite database with the demo city loaded. The API request carries a Bearer token and goes
through the whole stack: middleware, token check, ``restrict``, pagination and schema. The
baseline (bench/_urls.py) returns the same rows as JSON from a plain view with no auth. The two
are measured alternately by the same threaded httpx client; ratio = api / baseline.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from _common import (
    BIN,
    HOST,
    ROOT,
    Figure,
    free_port,
    is_full,
    run_checked,
    seconds,
    start_granian,
    stop,
    wait_until_up,
    write_figures,
)

GOAL = 0.5
BENCH_USER = "ga_officer"  # a department data officer from the demo city


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    headers: dict[str, str]


@dataclass
class Tally:
    ok: int = 0
    failed: int = 0
    elapsed: float = 0.0

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0


def bench_env(var_dir: Path) -> dict[str, str]:
    """A fresh node in ``var_dir``: its own SQLite file, secrets and settings with the baseline."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.update(
        GOVSHARE_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="bench._settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        DEBUG="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("GOVSHARE_TEST_DB_NAME", None)
    return env


def prepare() -> str:
    """(Runs inside the bench environment.) Migrate, load the demo, return a fresh token."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from govshare.identity.services import token_create

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", stdout=io.StringIO())
    user = get_user_model().objects.get(username=BENCH_USER)
    return token_create(actor=user, name="bench").plaintext


def drive(target: Target, duration: float, clients: int) -> Tally:
    """``clients`` threads, each with a keep-alive connection, call ``target`` for ``duration``."""
    tally = Tally()
    lock = threading.Lock()
    # Clients are built before the clock starts: each loads an SSL context, slow on its own.
    sessions = [httpx.Client(headers=target.headers, timeout=30.0) for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    deadline = 0.0

    def client_loop(client: httpx.Client) -> None:
        ok = failed = 0
        start.wait()
        while time.perf_counter() < deadline:
            if client.get(target.url).status_code == 200:
                ok += 1
            else:
                failed += 1
        with lock:
            tally.ok += ok
            tally.failed += failed

    threads = [threading.Thread(target=client_loop, args=(c,)) for c in sessions]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    deadline = started + duration
    start.wait()
    for thread in threads:
        thread.join()
    tally.elapsed = time.perf_counter() - started
    for client in sessions:
        client.close()
    return tally


def check_same_rows(api: Target, bare: Target) -> None:
    """Both endpoints answer 200 with the same departments (and warm up their code paths)."""
    with httpx.Client(timeout=30.0) as client:
        for _ in range(20):
            api_body = client.get(api.url, headers=api.headers).raise_for_status().json()
            bare_body = client.get(bare.url).raise_for_status().json()
    api_ids = [row["id"] for row in api_body["items"]]
    assert api_ids == [row["id"] for row in bare_body["items"]], "the two lists differ"
    assert api_body["count"] == bare_body["count"] and api_ids, "no rows to compare"


def measure(base: str, token: str) -> tuple[Tally, Tally]:
    api = Target("api", f"{base}/api/v1/departments", {"Authorization": f"Bearer {token}"})
    bare = Target("bare", f"{base}/bench/departments", {})
    check_same_rows(api, bare)
    rounds, clients = (4, 16) if is_full() else (2, 8)
    per_round = seconds(5.0, 20.0) / rounds
    totals = {"api": Tally(), "bare": Tally()}
    for _ in range(rounds):
        for target in (bare, api):  # alternate, so drift on the machine hits both alike
            result = drive(target, per_round, clients)
            total = totals[target.name]
            total.ok, total.failed = total.ok + result.ok, total.failed + result.failed
            total.elapsed += result.elapsed
    return totals["api"], totals["bare"]


def run() -> Figure:
    with tempfile.TemporaryDirectory(prefix="govshare-bench-") as tmp:
        env = bench_env(Path(tmp))
        python = str(BIN / "python")
        token = run_checked([python, __file__, "--prepare"], env).strip().splitlines()[-1]
        log, port = Path(tmp) / "granian.log", free_port()
        server = start_granian("govshare.wsgi:application", env, port, log)
        try:
            base = f"http://{HOST}:{port}"
            wait_until_up(server, f"{base}/api/v1/openapi.json", log)
            api, bare = measure(base, token)
        finally:
            stop(server)
    for name, tally in (("api", api), ("baseline", bare)):
        print(f"{name}: {tally.ok} ok, {tally.failed} failed in {tally.elapsed:.1f} s")
    if not (api.ok and bare.ok) or api.failed or bare.failed:
        raise RuntimeError("requests failed during the measurement")
    return Figure(
        figure="api_list_departments_rps",
        value=round(api.per_second, 1),
        baseline=round(bare.per_second, 1),
        ratio=round(api.per_second / bare.per_second, 3),
        goal=f">= {GOAL}",
        unit="req/s",
    )


def main() -> int:
    if sys.argv[1:] == ["--prepare"]:
        print(prepare())
        return 0
    write_figures("api_list", [run()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
