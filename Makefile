# Siyu — the two set-up commands are `make run` and `make test`; the rest are helpers.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test install console migrate lint typecheck test-sqlite test-postgres test-e2e bench clean api-types audit lock

$(BIN)/python:
	@command -v $(PY) >/dev/null || { echo "Python 3.11 ($(PY)) is required"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip uv

# the exact versions of uv.lock (`make lock` after changing pyproject.toml's dependencies),
# then Siyu itself as an editable install
define locked-install
	$(BIN)/uv export -q --frozen --no-emit-project $(1) -o $(VENV)/requirements.lock.txt
	$(BIN)/uv pip install -q -p $(BIN)/python -r $(VENV)/requirements.lock.txt
	$(BIN)/uv pip install -q -p $(BIN)/python --no-deps -e .
endef

$(VENV)/.installed: $(BIN)/python pyproject.toml uv.lock
	$(call locked-install,--extra test)
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
# the SQLite and PostgreSQL passes run side by side (each waits on its own servers, callbacks and
# child processes much of the time; -O keeps each pass's output together), then the browser tests
test: install console lint typecheck
	$(MAKE) --no-print-directory -j2 -O test-sqlite test-postgres
	$(MAKE) --no-print-directory test-e2e

lint: install
	$(BIN)/uv lock --check -q || { echo "uv.lock is stale: run make lock"; exit 1; }
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --config .importlinter

typecheck: install
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/pytest -q --durations=15 --db=sqlite --ignore=tests/e2e

test-postgres: install
	$(BIN)/pytest -q --durations=15 --db=postgres --ignore=tests/e2e

test-e2e: install console
	@if [ -d tests/e2e ]; then $(BIN)/pytest -q --durations=10 tests/e2e; fi

# the bench extra (numpy: segments.py generates its data with it) on top of the test extra
$(VENV)/.bench-installed: $(VENV)/.installed
	$(call locked-install,--extra test --extra bench)
	@touch $@

## make lock: re-resolve uv.lock after a change of pyproject.toml's dependencies (commit both)
lock: $(BIN)/python
	$(BIN)/uv lock

## make audit: known vulnerabilities in uv.lock (pip-audit) and the console's production
## packages (npm audit --omit=dev); needs PyPI's and npm's advisory services, says so if not
$(VENV)/.audit-installed: $(VENV)/.installed
	$(call locked-install,--extra test --extra audit)
	@touch $@

audit: $(VENV)/.audit-installed
	$(BIN)/python scripts/audit.py

## make bench: every script of benchmarks/ with its defaults (the 10M segments run takes ~40 min)
bench: install $(VENV)/.bench-installed
	@for b in benchmarks/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var console/dist console/node_modules test-artifacts
