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
  # Exit 77: the bench skipped itself (a server it needs does not answer) and said why.
  rc=0
  .venv/bin/python "$script" || rc=$?
  if [ $rc -eq 77 ]; then
    echo "-- $script skipped"
  elif [ $rc -ne 0 ]; then
    echo "!! $script failed" >&2
    status=1
  fi
done
exit $status
