# Two commands from a fresh clone with only Python 3.11+:  make run  |  make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PORT   ?= 8000
export PORT

.PHONY: run test lint typecheck unit bench bench-pg bench-sqlite clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

## Serve the API on http://127.0.0.1:$(PORT) with an embedded SQLite database and demo data.
run: $(STAMP)
	$(BIN)/selfserve serve --demo --port $(PORT)

## ruff, mypy and pytest (SQLite and PostgreSQL).
test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

## Benchmark on PostgreSQL (1,000,000 orders) and SQLite (100,000 orders); writes docs/performance.md
## and docs/performance-portal.md (the portal's pages for a customer with 500 orders).
bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.portal

bench-pg: $(STAMP)
	$(BIN)/python -m bench.run --only pg

bench-sqlite: $(STAMP)
	$(BIN)/python -m bench.run --only sqlite --only sqlite-nostats

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
