# Entry points of ../shared/contract/operations.md. Every target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
REQUIREMENTS := requirements-dev.txt $(wildcard apps/*/requirements.txt)

.PHONY: venv test lint run up down render diff cluster cluster-verify cluster-down sync images bench

venv: $(INSTALLED)

# Re-installs only when a requirements file changes.
$(INSTALLED): $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required: install it from https://www.python.org/downloads/")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

test: lint
	@$(PY) -m pytest

lint: venv
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

# ISOLATED=1: routes, posts and offers in the isolated profile (they never call users); `down` stops either.
run: venv
	@$(PY) -m scripts.stack run $(if $(filter 1,$(ISOLATED)),--profile isolated)

up: venv
	@$(PY) -m scripts.stack up $(if $(filter 1,$(ISOLATED)),--profile isolated)

down: venv
	@$(PY) -m scripts.stack down

render: venv
	@$(PY) -m scripts.delivery.render

diff: venv
	@$(PY) -m scripts.delivery.render_diff $(BASE)

cluster: venv
	@$(PY) -m bootstrap.cluster up $(if $(DRY_RUN),--dry-run)

cluster-verify: venv
	@$(PY) -m bootstrap.verify $(if $(DRY_RUN),--dry-run)

cluster-down: venv
	@$(PY) -m bootstrap.cluster down $(if $(DRY_RUN),--dry-run)

sync: venv
	@$(PY) -m bootstrap.cluster sync $(if $(DRY_RUN),--dry-run)

images: venv
	@$(PY) -m bootstrap.build_images $(if $(DRY_RUN),--dry-run)

# apps/core: the benchmark's baseline app uses service_core's database URL mapping, in process.
bench: venv
	@PYTHONPATH=apps/core $(PY) -m scripts.bench
