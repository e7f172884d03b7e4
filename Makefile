# Careweave — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core; each gets its own test database. TEST_WORKERS=0 runs in-process.
TEST_WORKERS ?= auto

.PHONY: setup assets demo test test-postgres lint bench bench-quick screenshots messages browser-deps clean help

help:
	@echo "make demo          set up, load the synthetic demo zone and serve on http://127.0.0.1:8000"
	@echo "make test          set up and run the whole test suite (SQLite; DATABASE_URL for PostgreSQL)"
	@echo "make test-postgres the suite against PostgreSQL on 127.0.0.1:5432 (database test)"
	@echo "make bench         benchmarks; results in docs/benchmarks.md"
	@echo "make messages      extract and compile translations (needs GNU gettext)"

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) assets

# Front-end assets from npm (pinned in package-lock.json): htmx, idb-keyval (offline assessments) and leaflet
# (the social map) are served, axe-core is for browser tests.
# The app still works without them (plain form posts), so a missing npm only prints a warning.
assets:
	@if command -v npm >/dev/null; then \
		[ -d node_modules/htmx.org ] && [ -d node_modules/axe-core ] && [ -d node_modules/idb-keyval ] && [ -d node_modules/leaflet ] || npm ci --no-audit --no-fund --loglevel=error; \
		mkdir -p careweave/web/static/vendor; \
		cp node_modules/htmx.org/dist/htmx.min.js careweave/web/static/vendor/htmx.min.js; \
		cp node_modules/idb-keyval/dist/umd.js careweave/web/static/vendor/idb-keyval.js; \
		mkdir -p careweave/web/static/vendor/leaflet/images; \
		cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css careweave/web/static/vendor/leaflet/; \
		cp node_modules/leaflet/dist/images/*.png careweave/web/static/vendor/leaflet/images/; \
	else echo "npm not found: serving pages without htmx"; fi

# Real-browser tests use Debian's chromium; installed when we may (root with apt), else skipped.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: browser tests will be skipped"; fi

demo: setup
	$(BIN)/careweave demo

test: setup browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-postgres: setup browser-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Refresh the README's pictures: the browser tests write to docs/screenshots instead of var/.
screenshots: setup browser-deps
	CAREWEAVE_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

bench: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m benchmarks

bench-quick: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m benchmarks --quick --out docs/benchmarks-quick.md

messages: setup
	cd careweave && ../$(BIN)/django-admin makemessages --settings=careweave.settings -l nl -l fr -l de -l en --no-obsolete
	cd careweave && ../$(BIN)/django-admin compilemessages --settings=careweave.settings

clean:
	rm -rf $(VENV) var/careweave.sqlite3 .pytest_cache
