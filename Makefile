# Nodeloom: `make run` starts the app, `make test` proves it.
# Stamp files make a second run reuse what is installed: only what changed is redone.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := $(VENV)/.stamps
FRONTEND_SOURCES := $(shell find frontend/src frontend/public frontend/scripts -type f -not -name schema.d.ts 2>/dev/null) \
	frontend/index.html $(wildcard frontend/*.config.* frontend/tsconfig*.json) frontend/package.json

.PHONY: help run test lint test-python test-frontend test-e2e install install-dev frontend \
	system-deps bench screenshots clean

help:
	@echo "make run    set up and start Nodeloom at http://127.0.0.1:8000 (SQLite, in-process bus)"
	@echo "make test   set up the test services and run every test"
	@echo "make bench  run the benchmarks under bench/"
	@echo "make screenshots  drive the app in Chromium and refresh docs/screenshots/"
	@echo "make clean  remove the virtualenv, node_modules and the frontend build"

run: install frontend
	$(BIN)/nodeloom serve

test: install-dev frontend
	@scripts/run-tests.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-python: install-dev
	$(BIN)/pytest tests

test-frontend: frontend
	npm --prefix frontend test

test-e2e: install-dev frontend
	$(BIN)/pytest e2e

bench: install-dev
	@for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

screenshots: install-dev frontend
	$(BIN)/python e2e/screenshots.py

install: $(STAMPS)/runtime
install-dev: $(STAMPS)/dev $(STAMPS)/system
frontend: frontend/dist/index.html

$(STAMPS)/venv:
	@scripts/check-tools.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@mkdir -p $(STAMPS) && touch $@

$(STAMPS)/runtime: $(STAMPS)/venv pyproject.toml
	$(BIN)/pip install --quiet --editable .
	@touch $@

# The dev extras include llama-cpp-python, which compiles from source on first install
# (several minutes): build with every core. GGML_NATIVE=OFF builds for AVX2, not for
# this very CPU: a native build turns on ggml's Intel AMX kernels on CPUs that have AMX,
# and those crash the process (SIGSEGV in ggml_backend_amx_mul_mat) on the first token.
$(STAMPS)/dev: $(STAMPS)/runtime
	CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
		$(BIN)/pip install --quiet --editable '.[dev]'
	@touch $@

# Debian packages the tests need (Chromium for the end-to-end tests).
$(STAMPS)/system: $(STAMPS)/venv
	@scripts/install-system-deps.sh
	@touch $@

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	npm --prefix frontend ci --no-audit --no-fund
	@touch $@

frontend/dist/index.html: frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	npm --prefix frontend run build

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .test-artifacts
