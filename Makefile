# Careweave — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup demo test test-postgres lint bench messages browser-deps clean help

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

setup: $(STAMP)

# Real-browser tests use Debian's chromium; installed when we may (root with apt), else skipped.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: browser tests will be skipped"; fi

demo: setup
	$(BIN)/careweave demo

test: setup browser-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: setup browser-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m careweave.bench

messages: setup
	cd careweave && ../$(BIN)/django-admin makemessages --settings=careweave.settings -l nl -l fr -l de -l en --no-obsolete
	cd careweave && ../$(BIN)/django-admin compilemessages --settings=careweave.settings

clean:
	rm -rf $(VENV) var/careweave.sqlite3 .pytest_cache
