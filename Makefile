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
# The tests and benchmarks open real Kivy windows: always on a virtual 1920x1080 screen.
XVFB := xvfb-run -a -s "-screen 0 1920x1080x24"
# pytest on every core (pytest-xdist; the workers share the one Xvfb display).
# `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto
NEED_XVFB = @command -v xvfb-run >/dev/null || { echo "make: xvfb-run is missing; install it with: sudo apt-get install -y xvfb xauth" >&2; exit 1; }

.PHONY: run test bench lint format translations extract-messages install clean

run: install translations
	@scripts/system-deps run
	$(BIN)/kiosk run

test: install translations
	@scripts/system-deps test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(NEED_XVFB)
	$(XVFB) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal

bench: install translations
	@scripts/system-deps test
	$(NEED_XVFB)
	$(XVFB) $(BIN)/python -m benchmarks; \
	  status=$$?; $(BIN)/python -m benchmarks.report; exit $$status

install: $(STAMP)

# The venv needs python3-venv first; `make test` asks for the test packages at the
# same time, so that someone who is not root gets one install line, not two.
$(BIN)/python:
	@scripts/system-deps $(if $(filter test bench,$(MAKECMDGOALS)),test,run)
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

translations: $(MO)

locales/%/LC_MESSAGES/kiosk.mo: locales/%/LC_MESSAGES/kiosk.po | $(STAMP)
	$(BIN)/pybabel -q compile -D kiosk -d locales -l $*

# New UI strings: run this, translate the new entries in locales/{vi,km}/ (remove
# "fuzzy" after checking a suggestion), then `make translations`. tests/text fails
# while a vi or km entry is untranslated or fuzzy. See docs/text.md.
extract-messages: $(STAMP)
	@mkdir -p locales
	$(BIN)/pybabel -q extract -F babel.cfg --no-wrap --sort-by-file --add-comments=TRANSLATORS: \
	  -k _ -k gettext -k ngettext:1,2 -k N_ -k N_plural:1,2 \
	  --project=commune-kiosk --copyright-holder="commune-kiosk authors" \
	  -o locales/kiosk.pot kiosk
	$(BIN)/pybabel -q update -D kiosk -i locales/kiosk.pot -d locales --no-wrap --previous

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis $(MO)
