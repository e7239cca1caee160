# govshare — `make run` serves the platform, `make test` runs the whole suite.
# Both start with `make setup`, which only does what is not done yet. `make soak`: the full
# benchmarks, then the gateway's fuzz test with 20,000 cases (about a minute), then the sync kill
# test: one 1,000,000-row full load, its worker SIGKILLed 20 times (a few minutes).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GOVSHARE := $(BIN)/govshare
PORT ?= 8000
STAMP := var/.stamps

.PHONY: setup run test lint bench soak clean-test-db demo worker

setup: $(STAMP)/python $(STAMP)/assets $(STAMP)/messages $(STAMP)/static

$(STAMP):
	@mkdir -p $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP)/python: requirements.lock pyproject.toml $(BIN)/python | $(STAMP)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.lock
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

$(STAMP)/assets: package.json package-lock.json scripts/build-assets.mjs | $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $@

$(STAMP)/messages: $(STAMP)/python $(wildcard src/govshare/locale/*/LC_MESSAGES/django.po) | $(STAMP)
	$(GOVSHARE) compilemessages_py
	@touch $@

$(STAMP)/static: $(STAMP)/assets $(STAMP)/python $(shell find src/govshare -path '*/static/*' -type f -not -path '*/vendor/*' 2>/dev/null) | $(STAMP)
	$(GOVSHARE) collectstatic --noinput -v 0
	@touch $@

run: setup
	$(GOVSHARE) migrate --noinput -v 0
	PORT=$(PORT) $(GOVSHARE) demo
	GOVSHARE_DEMO_ENDPOINTS=true PORT=$(PORT) $(GOVSHARE) run

demo: setup
	$(GOVSHARE) migrate --noinput -v 0
	PORT=$(PORT) $(GOVSHARE) demo

worker: setup
	$(GOVSHARE) worker

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

test: setup
	bash scripts/test.sh

bench: setup
	bash scripts/bench.sh

soak: setup
	bash scripts/bench.sh --full
	GOVSHARE_FUZZ_CASES=20000 $(BIN)/pytest -q tests/exchange/gateway/test_fuzz.py
	GOVSHARE_KILL_ROWS=1000000 GOVSHARE_KILLS=20 $(BIN)/pytest -q -s tests/exchange/sync/test_runner_kill.py
