# GridCare everyday targets. `make demo` and `make test` are the README's two commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo install test test-sqlite test-postgres lint format serve worker clean bench

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,forecast-compare]'
	touch $(TEST_STAMP)

install: $(STAMP)

## The first command: install and run the demo utility on embedded SQLite (http://127.0.0.1:8000).
demo: $(STAMP)
	$(BIN)/gridcare demo $(DEMO_ARGS)

## The second command: install what the tests need and run everything (SQLite, then PostgreSQL).
test: $(TEST_STAMP)
	bash scripts/ensure-system-packages.sh
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	GRIDCARE_DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py check
	GRIDCARE_DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite:
	env -u DATABASE_URL GRIDCARE_DATA_DIR=$$(mktemp -d) $(BIN)/pytest

test-postgres:
	DATABASE_URL=$$(bash scripts/ensure-postgres.sh) GRIDCARE_DATA_DIR=$$(mktemp -d) $(BIN)/pytest

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

serve: $(STAMP)
	$(BIN)/gridcare serve

worker: $(STAMP)
	$(BIN)/gridcare worker

bench: $(STAMP)
	$(BIN)/python bench/import_customers.py

clean:
	rm -rf $(VENV) var test-artifacts
