# Entry points of ../shared/contract/operations.md. Every target installs what it needs first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
REQUIREMENTS := requirements-dev.txt $(wildcard apps/*/requirements.txt)

.PHONY: help venv test lint run up down backup restore render diff cluster cluster-verify cluster-down sync images bench profile

# The first target: a plain `make` prints this list.
help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([a-z-]+):.*## (.*)/\1\t\2/' | expand -t 16

venv: $(INSTALLED)  ## create .venv and install the pinned tools (every target runs it first)

# Re-installs only when a requirements file changes.
$(INSTALLED): $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required: install it from https://www.python.org/downloads/")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

test: lint  ## lint, then every test (services, e2e, policy, scripts, delivery, bootstrap)
	@$(PY) -m pytest

lint: venv  ## ruff check and ruff format --check
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .

# ISOLATED=1: routes, posts and offers in the isolated profile (they never call users); `down` stops either.
run: venv  ## the local stack in the foreground (ISOLATED=1: the isolated profile); Ctrl-C stops it
	@$(PY) -m scripts.stack run $(if $(filter 1,$(ISOLATED)),--profile isolated)

up: venv  ## the local stack in the background, once every service is ready (ISOLATED=1 too)
	@$(PY) -m scripts.stack up $(if $(filter 1,$(ISOLATED)),--profile isolated)

down: venv  ## stop what make up/run started; the data stays in .local/
	@$(PY) -m scripts.stack down

backup: venv  ## dump every database of the running local stack into build/backups/<UTC time>/; prints the folder
	@$(PY) -m scripts.stack backup

# FROM=<folder> restores all four, FROM=<folder>/<svc>.dump one; FORCE=1 replaces databases that hold rows.
restore: venv  ## restore FROM=<backup folder or one .dump> into the local stack (FORCE=1: over existing rows)
	@$(PY) -m scripts.stack restore $(if $(FROM),"$(FROM)") $(if $(filter 1,$(FORCE)),--force)

render: venv  ## write build/manifests/<env>.yaml, <env>-isolated.yaml and argocd.yaml
	@$(PY) -m scripts.delivery.render

diff: venv  ## the rendered-manifest diff between BASE=<ref> and the working tree
	@$(PY) -m scripts.delivery.render_diff $(BASE)

cluster: venv  ## Minikube + Argo CD + the root Application, then wait for Synced and Healthy (DRY_RUN=1: print the plan)
	@$(PY) -m bootstrap.cluster up $(if $(DRY_RUN),--dry-run)

cluster-verify: venv  ## check the running cluster: pods, HPAs, NetworkPolicies, the user journey (DRY_RUN=1)
	@$(PY) -m bootstrap.verify $(if $(DRY_RUN),--dry-run)

cluster-down: venv  ## delete the Minikube profile, data included (DRY_RUN=1)
	@$(PY) -m bootstrap.cluster down $(if $(DRY_RUN),--dry-run)

sync: venv  ## ask Argo CD for a hard refresh of every Application (DRY_RUN=1)
	@$(PY) -m bootstrap.cluster sync $(if $(DRY_RUN),--dry-run)

images: venv  ## build the images into the Minikube profile and bump the minikube env to them (DRY_RUN=1)
	@$(PY) -m bootstrap.build_images $(if $(DRY_RUN),--dry-run)

# apps/core: the benchmark's baseline app uses service_core's database URL mapping, in process.
# BENCH_ARGS goes to `python -m scripts.bench` as it is (its --help lists the options).
bench: venv  ## paired runs against a baseline at both gunicorn settings; build/bench.json, bench.md (BENCH_ARGS="--runs 5 --seconds 10")
	@PYTHONPATH=apps/core $(PY) -m scripts.bench $(BENCH_ARGS)

profile: venv  ## py-spy samples each benchmarked endpoint under load: each layer's share and µs per request; build/profile.md
	@PYTHONPATH=apps/core $(PY) -m scripts.bench.profile
