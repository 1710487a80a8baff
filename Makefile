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
	@$(PY) scripts/local_stack.py run $(if $(filter 1,$(ISOLATED)),--profile isolated)

up: venv
	@$(PY) scripts/local_stack.py up $(if $(filter 1,$(ISOLATED)),--profile isolated)

down: venv
	@$(PY) scripts/local_stack.py down

render: venv
	@$(PY) scripts/render.py

diff: venv
	@$(PY) scripts/render_diff.py $(BASE)

cluster: venv
	@$(PY) -m bootstrap.cluster up $(if $(DRY_RUN),--dry-run)

cluster-verify: venv
	@$(PY) scripts/cluster_verify.py $(if $(DRY_RUN),--dry-run)

cluster-down: venv
	@$(PY) -m bootstrap.cluster down $(if $(DRY_RUN),--dry-run)

sync: venv
	@$(PY) -m bootstrap.cluster sync $(if $(DRY_RUN),--dry-run)

images: venv
	@$(PY) scripts/build_images.py $(if $(DRY_RUN),--dry-run)

bench: venv
	@PYTHONPATH=apps/core $(PY) scripts/bench.py
