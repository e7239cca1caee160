"""Waiting for what a test or a benchmark started — a server, a process, a record — to be ready.

The one way to wait in tests/ and bench/: poll a readiness check until it holds. The limit
(READY_SECONDS, 300 s unless GOVSHARE_READY_SECONDS says otherwise) is generous on purpose: it only
stops a test that would otherwise hang on a server that never comes up. On a machine loaded by
other work a server may need a minute to start (issue #12 item 10: a bench server that had not
answered within 60 s failed the suite), and a test must not fail for that. How long anything
took is never what a test asserts.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

READY_SECONDS = float(os.environ.get("GOVSHARE_READY_SECONDS", "300"))
POLL_SECONDS = 0.05
# One attempt of an HTTP readiness check: a loaded server may take a while to answer its first
# request (imports, a cold cache); an attempt that runs out is just tried again.
ATTEMPT_SECONDS = 10.0


class NotReady(AssertionError):
    """What was waited for did not become ready within the limit, or what should have become
    ready died first."""


def wait_until(
    is_ready: Callable[[], bool],
    what: str,
    *,
    gone: Callable[[], str | None] = lambda: None,
    limit: float = READY_SECONDS,
) -> None:
    """Poll ``is_ready`` until it holds. ``gone`` says why waiting longer is pointless (a
    process that exited, with its output), or None; ``what`` names the wait in the error."""
    deadline = time.monotonic() + limit
    while not is_ready():
        reason = gone()
        if reason is not None:
            raise NotReady(f"{what}: gave up, {reason}")
        if time.monotonic() > deadline:
            raise NotReady(f"{what}: not ready within {limit:.0f} s")
        time.sleep(POLL_SECONDS)


def http_answers(url: str, accept: Callable[[int], bool] = lambda status: status < 500) -> bool:
    """Whether ``url`` answers with a status ``accept`` takes (by default: any but a 5xx)."""
    try:
        return accept(httpx.get(url, timeout=ATTEMPT_SECONDS).status_code)
    except httpx.TransportError:
        return False


def exited(
    process: subprocess.Popen[bytes] | subprocess.Popen[str], log: Path | None = None
) -> Callable[[], str | None]:
    """A ``gone`` check: the process has exited (with its log's text, when there is one)."""

    def reason() -> str | None:
        if process.poll() is None:
            return None
        output = log.read_text(errors="replace") if log is not None and log.exists() else ""
        return f"the process exited with {process.returncode}\n{output}"

    return reason


def wait_for_http(
    url: str,
    *,
    process: subprocess.Popen[bytes] | subprocess.Popen[str] | None = None,
    log: Path | None = None,
    ok_only: bool = False,
) -> None:
    """Wait until a server answers ``url`` (a 200 if ``ok_only``, else anything but a 5xx);
    give up at once if the ``process`` serving it exits."""
    accept = (lambda status: status == 200) if ok_only else (lambda status: status < 500)
    gone = exited(process, log) if process is not None else (lambda: None)
    wait_until(lambda: http_answers(url, accept), f"waiting for {url}", gone=gone)
