# The two commands of the README: `make run` and `make test` (and `make bench`).
# Each works from a fresh clone on Debian 12: venv, Python packages, system
# packages (when root), compiled translations. A second run is quick.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PO := $(wildcard locales/*/LC_MESSAGES/kiosk.po)
MO := $(PO:.po=.mo)

.PHONY: run test bench lint format translations extract-messages install clean

run: install translations
	@scripts/system-deps run
	$(BIN)/kiosk run

test: install translations
	@scripts/system-deps test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(if $(shell command -v xvfb-run),xvfb-run -a -s "-screen 0 1920x1080x24",) $(BIN)/python -m pytest

bench: install translations
	@scripts/system-deps test
	$(if $(shell command -v xvfb-run),xvfb-run -a -s "-screen 0 1920x1080x24",) $(BIN)/python -m benchmarks

install: $(STAMP)

$(BIN)/python:
	@scripts/system-deps run
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

translations: $(MO)

locales/%/LC_MESSAGES/kiosk.mo: locales/%/LC_MESSAGES/kiosk.po | $(STAMP)
	$(BIN)/pybabel compile -q -D kiosk -d locales -l $*

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -o locales/kiosk.pot kiosk
	$(BIN)/pybabel update -D kiosk -i locales/kiosk.pot -d locales

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis $(MO)
