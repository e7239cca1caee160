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
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a bench runs as a script: bench/ is on the path, the root not
    sys.path.insert(0, str(ROOT))

from tests.readiness import wait_for_http  # noqa: E402 (the one readiness wait, tests' too)

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
            f"{fig.figure}: {_number(fig.value)} {fig.unit} vs baseline {_number(fig.baseline)} "
            f"→ ratio {fig.ratio:.2f} (goal {fig.goal})"
        )
    rows = [asdict(fig) for fig in figures]
    path = output_dir() / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2) + "\n")
    print(f"wrote {path}")
    return path


def _number(value: float) -> str:
    """One decimal, or three significant digits for a small value (0.021 s is not "0.0 s")."""
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


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


def wait_until_up(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Wait until the ``server`` we started answers ``url`` (tests/readiness.py's limit)."""
    wait_for_http(url, process=server, log=log)


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
