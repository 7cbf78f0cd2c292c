# idc-guardrail — the one entry point.
#   make demo   the main job: build and run the guardrail over the samples in events/
#   make test   every check: format, lints, unit, property, golden, CLI, emulator and template tests

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv
PY_REQUIREMENTS := $(wildcard tests/emulator/requirements.txt infra/requirements.txt)
CLI := target/release/idc-guard

.PHONY: help demo test lint fmt-check clippy unit-test emulator-test venv build clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

build: ## build the idc-guard CLI (release)
	$(CARGO) build --release --locked --bin idc-guard

demo: build ## evaluate every sample scenario in events/ and print the summary
	@echo "== idc-guardrail: every scenario in events/manifest.json, evaluated offline =="
	@$(CLI) samples --check --manifest events/manifest.json

test: lint unit-test emulator-test infra-test ## run every test
	@echo "make test: all checks passed"

lint: fmt-check clippy ## formatting and clippy, warnings are errors

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

unit-test: ## unit, property, golden and CLI tests
	$(CARGO) test --locked --workspace

# A project-local virtualenv with the pinned Python tools (moto server, cfn-lint, checkov, cargo-lambda).
venv: $(VENV)/.installed
$(VENV)/.installed: $(PY_REQUIREMENTS)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --upgrade pip
	$(if $(PY_REQUIREMENTS),$(VENV)/bin/pip install --quiet --disable-pip-version-check $(addprefix -r ,$(PY_REQUIREMENTS)))
	touch $@

emulator-test: venv ## the local AWS emulator's extension, tested against moto server
	@if [ -d tests/emulator ]; then $(VENV)/bin/python -m pytest -q tests/emulator; else echo "no emulator tests yet"; fi

clean:
	$(CARGO) clean
	rm -rf $(VENV)

-include infra/make.mk
ifeq ($(wildcard infra/make.mk),)
infra-test:
	@echo "no infra checks yet"
endif
