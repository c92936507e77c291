# Siyu — the two set-up commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install console migrate lint typecheck test-sqlite test-postgres test-e2e bench clean api-types

$(BIN)/python:
	@command -v $(PY) >/dev/null || { echo "Python 3.11 ($(PY)) is required"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip uv

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/uv pip install -q -p $(BIN)/python -e '.[test]'
	@touch $@

install: $(VENV)/.installed

console/dist/index.html: $(shell find console/src console/index.html console/package.json -type f 2>/dev/null)
	@if [ -f console/package.json ]; then \
		cd console && npm ci --no-audit --no-fund --loglevel=error && npm run build; \
	else echo "no console sources yet: Siyu serves a placeholder page"; fi

console: console/dist/index.html

## make api-types: regenerate the console's API types from the app's OpenAPI (commit both files)
api-types: install
	$(BIN)/python -m siyu.api.openapi > console/openapi.json
	cd console && npm run api:types

migrate: install
	$(BIN)/siyu init

## make run: install, build the console, migrate, and start the demo (sandbox corp) until Ctrl-C
run: install console migrate
	$(BIN)/siyu demo

## make test: lint, types, the whole suite on SQLite and on PostgreSQL, and the browser tests
test: install console lint typecheck test-sqlite test-postgres test-e2e

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --config .importlinter

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/pytest -q --db=sqlite --ignore=tests/e2e

test-postgres: install
	$(BIN)/pytest -q --db=postgres --ignore=tests/e2e

test-e2e: install console
	@if [ -d tests/e2e ]; then $(BIN)/pytest -q tests/e2e; fi

# the bench extra (numpy: segments.py generates its data with it) on top of the test extra
$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/uv pip install -q -p $(BIN)/python -e '.[test,bench]'
	@touch $@

## make bench: every script of benchmarks/ with its defaults (the 10M segments run takes ~40 min)
bench: install $(VENV)/.bench-installed
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var console/dist console/node_modules test-artifacts
