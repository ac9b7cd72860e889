# Heartbeat Miles: `make run` serves the app (gunicorn) with a demo centre;
# `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app heartbeat
HOST ?= 127.0.0.1
PORT ?= 5000
# One process keeps the in-memory rate limits exact without Redis; threads serve requests at once.
WORKERS ?= 1
THREADS ?= 8

.PHONY: run test setup setup-dev system-deps system-deps-browser lint bench bench-quick clean \
	i18n-update i18n-compile i18n-check

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

system-deps:
	@scripts/system-deps.sh

system-deps-browser:
	@scripts/system-deps.sh --browser

setup: system-deps $(VENV)/.installed
	$(FLASK) db upgrade

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js) is needed for the browser tests' accessibility scanner" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup-dev: system-deps $(VENV)/.installed-dev node_modules/.installed

# Links printed on certificates and emailed point here unless HEARTBEAT_PUBLIC_URL says otherwise.
run: export HEARTBEAT_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: setup
	$(FLASK) seed-demo --if-empty
	@echo "Serving Heartbeat Miles on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) \
	  --timeout 120 --graceful-timeout 5 --log-level warning 'heartbeat:create_app()'

# One test process per core (pytest-xdist; the browser journeys together on one of them, in
# order); TEST_WORKERS=0 runs everything in this one process.
TEST_WORKERS ?= auto
test: setup-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

bench: setup-dev
	@scripts/system-deps.sh --bench
	$(BIN)/python -m bench.run

bench-quick: setup-dev
	@scripts/system-deps.sh --bench
	$(BIN)/python -m bench.run --quick

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m heartbeat.devtools.i18n check

# Translations (docs/translating.md): after marking text, `make i18n-update` brings the
# catalogues in line with the code; translate the new entries, then `make i18n-compile`.
i18n-update: setup-dev
	$(BIN)/python -m heartbeat.devtools.i18n update

i18n-compile: setup-dev
	$(BIN)/python -m heartbeat.devtools.i18n compile

i18n-check: setup-dev
	$(BIN)/python -m heartbeat.devtools.i18n check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts node_modules
