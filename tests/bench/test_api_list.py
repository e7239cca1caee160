"""The API list benchmark runs end to end in a reduced size and writes its figure.

Only the shape of the result is checked: timings vary by machine, so none is asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {"figure", "value", "baseline", "ratio", "goal", "unit"}


def test_api_list_bench_writes_its_figure(tmp_path):
    # given a tiny measuring time and a private output directory
    env = {**os.environ, "GOVSHARE_BENCH_SECONDS": "0.5", "GOVSHARE_BENCH_OUT": str(tmp_path)}
    env.pop("GOVSHARE_BENCH_FULL", None)

    # when the benchmark runs
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "api_list.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    # then it succeeds and writes one figure with every field
    assert done.returncode == 0, done.stdout + done.stderr
    figure = json.loads((tmp_path / "api_list.json").read_text())
    assert set(figure) == FIELDS
    assert figure["unit"] == "req/s" and figure["value"] > 0 and figure["baseline"] > 0
    assert abs(figure["ratio"] - figure["value"] / figure["baseline"]) < 0.01
