"""What every benchmark shares: sizes, the figure writer, and a local granian server.

Each ``bench/<name>.py`` prints its figures and writes ``var/bench/<name>.json`` as
``{"figure", "value", "baseline", "ratio", "goal", "unit"}`` (a list when several).
Environment: GOVSHARE_BENCH_FULL=1 for the bigger sizes (``scripts/bench.sh --full``),
GOVSHARE_BENCH_SECONDS to force a measuring time, GOVSHARE_BENCH_OUT for the output directory.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"  # benchmarks talk to this machine only


@dataclass(frozen=True)
class Figure:
    figure: str
    value: float
    baseline: float
    ratio: float
    goal: str
    unit: str


def is_full() -> bool:
    return os.environ.get("GOVSHARE_BENCH_FULL") == "1"


def seconds(reduced: float, full: float) -> float:
    """Measuring time: GOVSHARE_BENCH_SECONDS if set, else the reduced or the full size."""
    forced = os.environ.get("GOVSHARE_BENCH_SECONDS")
    if forced:
        return float(forced)
    return full if is_full() else reduced


def output_dir() -> Path:
    return Path(os.environ.get("GOVSHARE_BENCH_OUT") or ROOT / "var" / "bench")


def write_figures(name: str, figures: Sequence[Figure]) -> Path:
    """Print the figures and write them to ``<output>/<name>.json``."""
    for fig in figures:
        print(
            f"{fig.figure}: {fig.value:.1f} {fig.unit} vs baseline {fig.baseline:.1f} "
            f"→ ratio {fig.ratio:.2f} (goal {fig.goal})"
        )
    rows = [asdict(fig) for fig in figures]
    path = output_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def run_checked(args: Sequence[str], env: Mapping[str, str]) -> str:
    """Run a command to completion; its output, or an error carrying that output."""
    done = subprocess.run(args, env=dict(env), capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start_granian(
    app: str, env: Mapping[str, str], port: int, log: Path, threads: int = 8
) -> subprocess.Popen[bytes]:
    """Serve a WSGI ``app`` on HOST:port the way ``govshare run`` does (one worker)."""
    args = [
        str(BIN / "granian"),
        *("--interface", "wsgi", "--host", HOST, "--port", str(port)),
        *("--workers", "1", "--blocking-threads", str(threads), "--no-ws", "--no-access-log"),
        app,
    ]
    with log.open("wb") as out:
        return subprocess.Popen(args, env=dict(env), cwd=ROOT, stdout=out, stderr=out)


def wait_until_up(
    server: subprocess.Popen[bytes], url: str, log: Path, timeout: float = 60.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited ({server.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server we started, by its pid: SIGTERM, then SIGKILL if it lingers."""
    if server.poll() is not None:
        return
    os.kill(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
