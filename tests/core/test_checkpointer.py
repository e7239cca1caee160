"""The checkpointer as ``govshare run`` starts it: a real process that signs the chain heads at its
interval and once more when SIGTERM stops it, so the last checkpoint covers the last records."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from govshare import cli
from govshare.core.evidence import audit
from tests.exchange.gateway.served import BIN, ROOT, process_env, served_database
from tests.readiness import READY_SECONDS, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = READY_SECONDS  # against a hang only
ADD_EVENTS = (
    "from govshare.core.evidence import audit\n"
    "for n in range({count}):\n"
    "    audit.record(actor=None, action='test.write', object_type='test', object_id=str(n))\n"
)


@pytest.fixture
def node(tmp_path):
    """A database other processes share with the test, three audit records in it, and the
    environment of a node whose var directory is the test's own."""
    for n in range(3):
        audit.record(actor=None, action="test.write", object_type="test", object_id=str(n))
    var = tmp_path / "var"
    var.mkdir()
    env = process_env(var, served_database(var))
    env["GOVSHARE_DATA_KEY"] = settings.GOVSHARE_DATA_KEY
    return env, var / "checkpoints" / "audit.jsonl"


def govshare(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "govshare"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )


def start_checkpointer(env: dict[str, str], every: str) -> subprocess.Popen[str]:
    """As ``govshare run`` starts it."""
    return cli.start_checkpointer(
        [str(BIN / "govshare"), "audit", "checkpoint", "--every", every],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def signed_seqs(path: Path) -> list[int]:
    if not path.exists():
        return []
    return [json.loads(line)["seq"] for line in path.read_text().splitlines()]


def wait_for_checkpoint(path: Path, seq: int, process: subprocess.Popen[str]) -> None:
    def gone() -> str | None:
        return None if process.poll() is None else f"it exited: {process.communicate()}"

    wait_until(lambda: seq in signed_seqs(path), f"checkpoint #{seq}", gone=gone)


def add_events(env: dict[str, str], count: int) -> None:
    done = govshare(env, "shell", "-c", ADD_EVENTS.format(count=count))
    assert done.returncode == 0, done.stderr


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=WAIT_SECONDS)
    return process.returncode, out + err


def test_sigterm_takes_a_final_checkpoint_that_covers_the_last_records(node):
    env, path = node
    # given a checkpointer whose interval is far away, and its first checkpoint (at start)
    process = start_checkpointer(env, "3600")
    try:
        wait_for_checkpoint(path, 3, process)

        # when records are written and the checkpointer is stopped
        add_events(env, 2)
        code, output = stop(process)
    finally:
        if process.poll() is None:
            process.kill()

    # then it exits cleanly after signing the head it found at that moment
    assert code == 0, output
    assert "final checkpoint" in output
    assert signed_seqs(path) == [3, 5]
    verified = govshare(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "last good checkpoint #5" in verified.stdout


def test_the_interval_loop_signs_each_new_head_and_skips_an_unchanged_one(node):
    env, path = node
    process = start_checkpointer(env, "0.2")
    try:
        wait_for_checkpoint(path, 3, process)
        add_events(env, 1)
        wait_for_checkpoint(path, 4, process)  # taken by the loop: the process still runs
        assert process.poll() is None
        code, output = stop(process)
    finally:
        if process.poll() is None:
            process.kill()

    # rounds where the head had not moved wrote nothing
    assert code == 0, output
    assert signed_seqs(path) == [3, 4]


def test_a_stop_while_the_checkpointer_still_starts_waits_for_its_final_checkpoint(node):
    env, path = node
    process = start_checkpointer(env, "3600")
    code, output = stop(process)  # at once: it is still loading Python and Django
    assert code == 0, output
    assert "final checkpoint" in output and signed_seqs(path) == [3]
