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
# A bench that cannot run here (a server it needs does not answer) exits with this code and
# says why (the automake convention for a skipped test).
SKIPPED = 77
SCRIPTS = sorted(p for p in (ROOT / "bench").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_bench_writes_its_figures(script, tmp_path):
    if script.stem.startswith("sync_") and os.environ.get("DATABASE_URL", "").startswith(
        "postgres"
    ):
        # The sync benches make databases of their own and a node on SQLite, whatever the
        # platform's database: make test's PostgreSQL pass would only run them again.
        pytest.skip("does not use the platform's database: run once, in the SQLite pass")
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

    if done.returncode == SKIPPED:  # a server it needs (PostgreSQL) does not answer here
        pytest.skip(done.stdout.strip() or f"{script.name} skipped itself")

    # then it succeeds and writes figures with every field, the ratio matching its parts
    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads((tmp_path / f"{script.stem}.json").read_text())
    figures = written if isinstance(written, list) else [written]
    assert figures
    for figure in figures:
        assert set(figure) == FIELDS
        assert figure["value"] > 0 and figure["baseline"] > 0
        assert abs(figure["ratio"] - figure["value"] / figure["baseline"]) < 0.01 * figure["ratio"]


@pytest.mark.parametrize("script", [p for p in SCRIPTS if p.stem.startswith("sync_")], ids=str)
def test_a_sync_bench_without_postgresql_skips_itself(script, tmp_path):
    # given no PostgreSQL server where the sync benches look for one (a closed port)
    env = {**os.environ, "GOVSHARE_TEST_PG": "postgresql://postgres@127.0.0.1:9"}
    env["GOVSHARE_BENCH_OUT"] = str(tmp_path)

    # when a sync benchmark runs
    done = subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
    )

    # then it says so and exits as skipped, writing no figures
    assert done.returncode == SKIPPED, done.stdout + done.stderr
    assert "PostgreSQL does not answer" in done.stdout
    assert not list(tmp_path.iterdir())
