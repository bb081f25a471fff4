# AHSN Involvement Portal: developer commands. See docs/running.md.
#
#   make run                  embedded PostgreSQL/Redis if needed, demo data, web + worker + beat
#   make test                 the test suite (PYTEST_ARGS="-x -k claims" to pass pytest options)
#   make lint                 ruff check, ruff format --check, mypy, lint-imports (docs/architecture.md)
#   make backup               database (pg_dump) + private files + manifest into .data/backups/<time>/
#   make restore BACKUP=DIR   restore a backup into an empty database and store (see docs/running.md)
#   make bench | migrate | clean-data | install

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEVENV := $(PY) scripts/devenv.py
PY_STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
# The portal's stylesheet, compiled from NHS.UK frontend's Sass (static/scss/portal.scss).
CSS := static/dist/portal.css
CSS_SOURCES := $(wildcard static/scss/*.scss static/css/*.css)
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test lint bench migrate clean-data backup restore

help:
	@sed -n 's/^#   //p' Makefile

install: $(PY_STAMP) $(NODE_STAMP) $(CSS)

run: install
	$(DEVENV) run

test: install
	$(DEVENV) test -- $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-logo

bench: install
	$(DEVENV) bench

migrate: install
	$(DEVENV) migrate

backup: install
	$(DEVENV) backup

restore: install
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=.data/backups/<time>"; exit 2; }
	$(DEVENV) restore -- $(BACKUP)

clean-data:
	rm -rf .data

# --- Dependencies: reinstalled only when their manifest is newer than the stamp ---------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

# Only when the lock file is missing: `npm ci` installs exactly what it records.
package-lock.json:
	npm install --package-lock-only --no-audit --no-fund

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Rebuilt when its Sass, the portal's CSS or the installed packages change.
$(CSS): $(CSS_SOURCES) $(NODE_STAMP)
	npm run --silent build:css
