"""Every benchmark in bench/ runs end to end in its reduced size and writes its figures.

Only the shape of the result is checked: timings vary by machine, so none is asserted. A new
bench/*.py script is picked up here without further work, so `make test` runs each of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readiness import READY_SECONDS

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"figure", "value", "baseline", "ratio", "goal", "unit"}
SCRIPTS = sorted(p for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_bench_writes_its_figures(script, tmp_path):
    # given a tiny measuring time and a private output directory
    env = {**os.environ, "GOVSHARE_BENCH_SECONDS": "0.5", "GOVSHARE_BENCH_OUT": str(tmp_path)}
    env.pop("GOVSHARE_BENCH_FULL", None)

    # when the benchmark runs (the limit only stops a hang: its servers alone may take up to
    # READY_SECONDS each to answer on a loaded machine)
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=4 * READY_SECONDS,
    )

    # then it succeeds and writes figures with every field, the ratio matching its parts
    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads((tmp_path / f"{script.stem}.json").read_text())
    figures = written if isinstance(written, list) else [written]
    assert figures
    for figure in figures:
        assert set(figure) == FIELDS
        assert figure["value"] > 0 and figure["baseline"] > 0
        assert abs(figure["ratio"] - figure["value"] / figure["baseline"]) < 0.01 * figure["ratio"]
