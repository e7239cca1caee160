#!/usr/bin/env bash
# Run every benchmark in bench/ (files starting with "_" are helpers). --full: bigger sizes.
# Each prints its figures and writes var/bench/<name>.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--full" ]; then
  export GOVSHARE_BENCH_FULL=1
  shift
fi
if [ $# -gt 0 ]; then
  echo "usage: scripts/bench.sh [--full]" >&2
  exit 2
fi

status=0
for script in bench/[!_]*.py; do
  echo "== $script"
  .venv/bin/python "$script" || { echo "!! $script failed" >&2; status=1; }
done
exit $status
