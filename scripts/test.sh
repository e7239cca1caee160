#!/usr/bin/env bash
# The whole suite: lint, then the tests on SQLite, then again on PostgreSQL when one answers.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

# Browser tests drive Debian's Chromium; Chinese needs a CJK font or it renders as boxes.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing ${need[*]} for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "The browser tests need: ${need[*]}. Run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

echo "== ruff"
$BIN/ruff check src tests bench scripts
$BIN/ruff format --check --quiet src tests bench scripts

echo "== mypy"
$BIN/mypy src

echo "== import layers (DESIGN.md)"
$BIN/lint-imports --no-cache

workers=${GOVSHARE_TEST_WORKERS:-2}

echo "== tests on SQLite ($workers workers)"
DATABASE_URL= $BIN/pytest -q -n "$workers" "$@"

pg_url_base=${GOVSHARE_TEST_PG:-postgresql://postgres@127.0.0.1:5432}
if $BIN/python - "$pg_url_base/postgres" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PY
then
  db="govshare_ci_$$"
  # A dedicated database with a UTF-8 ctype (pg_trgm is blind to Chinese under the C ctype).
  # One database per test worker: pytest-xdist suffixes the name with _gw0, _gw1, ...
  $BIN/python - "$pg_url_base/postgres" "$db" "$workers" <<'PY'
import sys, psycopg
url, base, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
with psycopg.connect(url, autocommit=True) as conn:
    for name in [f"{base}_gw{i}" for i in range(workers)]:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                     "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'")
PY
  drop() {
    $BIN/python - "$pg_url_base/postgres" "$db" "$workers" <<'PY' || true
import sys, psycopg
url, base, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
with psycopg.connect(url, autocommit=True) as conn:
    for name in [f"{base}_gw{i}" for i in range(workers)]:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
PY
  }
  trap drop EXIT
  echo "== tests on PostgreSQL ($db)"
  DATABASE_URL="$pg_url_base/$db" GOVSHARE_TEST_DB_NAME="$db" \
    $BIN/pytest -q -n "$workers" --reuse-db "$@"
else
  echo "== PostgreSQL not reachable at $pg_url_base: skipped the PostgreSQL run"
fi
