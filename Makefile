# Two commands on a fresh machine: `make demo` and `make test`.
#
#   make demo    create .venv, install, load the demo into ./demo.db, serve http://127.0.0.1:8000
#   make test    create .venv, install, make sure chromium is there, run the tests (not `slow`)
#   make lint    ruff and mypy
#   make bench   the ingest, inbox, routing, language/sentiment/intent, discovery trends and listening benchmarks
#
# PORT=8080 make demo serves on another port. Installing re-runs whenever pyproject.toml changes.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PORT    ?= 8000
DEMO_DB ?= $(CURDIR)/demo.db
DEMO_URL := sqlite:///$(DEMO_DB)
# A stamp, newer than pyproject.toml once the project and its dev tools are installed.
INSTALLED := $(VENV)/.installed

.PHONY: demo demo-load test install lint bench clean help

help:
	@sed -n 's/^#   //p' Makefile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(INSTALLED)

## demo-load: (re)load the demo workspace into ./demo.db, with the twcs sample where present
demo-load: install
	RAPPORT_DATABASE_URL=$(DEMO_URL) PORT=$(PORT) $(BIN)/rapport demo load --reset

## demo: load, then serve the app; the URL and the demo login are printed before serving
demo: demo-load
	RAPPORT_DATABASE_URL=$(DEMO_URL) $(BIN)/rapport serve --host 127.0.0.1 --port $(PORT)

test: install
	sh scripts/ensure-chromium
	$(BIN)/pytest -q -m "not slow"

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/enrich_ingest.py
	$(BIN)/python benchmarks/routing.py
	$(BIN)/python benchmarks/nlp.py
	$(BIN)/python benchmarks/discovery.py
	$(BIN)/python benchmarks/trends.py
	$(BIN)/python benchmarks/listening.py

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm
