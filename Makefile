# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export RAPPORT_DEMO_DB ?= $(CURDIR)/demo.db

.PHONY: demo test install lint bench serve clean

$(BIN)/rapport: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/rapport

## demo: create .venv, load the demo workspace (and the real twcs sample if present), serve on :$(PORT)
demo: install
	RAPPORT_DATABASE_URL=sqlite:///$(RAPPORT_DEMO_DB) $(BIN)/rapport demo load --reset
	RAPPORT_DATABASE_URL=sqlite:///$(RAPPORT_DEMO_DB) $(BIN)/rapport serve --host 127.0.0.1 --port $(PORT)

## test: create .venv, install, run every test (browser tests need /usr/bin/chromium: see scripts/ensure-chromium)
test: install
	sh scripts/ensure-chromium
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm
