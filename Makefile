# idc-guardrail — the one entry point.
#   make demo   the main job: build and run the guardrail over the samples in events/
#   make test   every check: format, lints, unit, property, golden, CLI, fuzz (short), emulator and template tests
#   make fuzz   the long in-process fuzz run of the event parser and the rules

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv
PY_REQUIREMENTS := tests/emulator/requirements.txt tests/e2e/requirements.txt infra/requirements.txt
CHECKOV_REQUIREMENTS := infra/requirements-checkov.txt
CLI := target/release/idc-guard

.PHONY: help demo bench test lint fmt-check clippy file-sizes unit-test fuzz fuzz-short emulator-test venv build lambdas clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

build: ## build the idc-guard CLI (release)
	$(CARGO) build --release --locked --bin idc-guard

demo: venv lambdas ## the guardrail end to end on the local AWS emulator, then every sample offline
	@$(CARGO) run --quiet --locked -p idc-e2e --bin idc-demo
	@echo
	@echo "== Every scenario in events/manifest.json, evaluated offline by idc-guard =="
	@$(CARGO) run --quiet --locked -p idc-guard -- samples --check --manifest events/manifest.json

# The bench measures the release bootstraps as they ship: each built on its own (`-p`), so
# that it links only its own dependency graph's features, with aws-lc's jitter entropy off as
# `make package` builds them (set for the bench's own build too, or aws-lc-sys would be rebuilt
# each time the variable changes).
BENCH_ENV := AWS_LC_SYS_NO_JITTER_ENTROPY=1
bench: venv ## benchmark: the sweep at scale and vs boto3; one event cold vs a boto3 handler; the rules engine; a burst of 1,000 events; sizes
	$(BENCH_ENV) $(CARGO) build --release --locked $(addprefix -p ,$(LAMBDA_BINS))
	$(BENCH_ENV) $(CARGO) run --release --locked -p idc-bench -- --report bench/REPORT.md

lambdas: ## build the Lambda binaries the end-to-end tests and the demo run (debug, this machine)
	$(CARGO) build --locked --bins

test: lint unit-test fuzz-short emulator-test infra-test ## run every test
	@echo "make test: all checks passed"

lint: fmt-check clippy file-sizes ## formatting, clippy (warnings are errors), no file over 600 lines

# Every file the project writes stays readable: code, templates, scripts and prose alike
# (data files such as events/ and lock files are not written by hand).
MAX_LINES := 600
file-sizes:
	@git ls-files | grep -E '\.(rs|py|ts|js|ya?ml|md|sh|mk|toml|txt)$$|(^|/)Makefile$$' \
	  | xargs wc -l | awk '$$2 != "total" && $$1 > $(MAX_LINES) { print "file-sizes: " $$2 " has " $$1 " lines (at most $(MAX_LINES)); split it"; bad = 1 } END { exit bad }'

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

unit-test: venv lambdas ## unit, property, golden, CLI and end-to-end tests (emulator, Lambda runtime)
	$(CARGO) test --locked --workspace

# The in-process fuzzer (tests/fuzz): seeded and reproducible, one thread per core. Its
# profile unwinds on panic (release aborts) so that every panic is caught and reported
# with its input. FUZZ_SEED picks another set of inputs; a failure prints its replay line.
FUZZ_SEED ?= 1
FUZZ_INPUTS ?= 10000000
FUZZ_SHORT_INPUTS ?= 200000
FUZZ := $(CARGO) run --quiet --locked --profile fuzz -p idc-fuzz --

fuzz: ## fuzz the event parser and the rules: 10 million inputs, 0 panics, 0 oracle violations
	$(FUZZ) --inputs $(FUZZ_INPUTS) --seed $(FUZZ_SEED)

fuzz-short: ## the short fuzz run of make test (200,000 inputs)
	$(FUZZ) --inputs $(FUZZ_SHORT_INPUTS) --seed $(FUZZ_SEED)

# Project-local virtualenvs with the pinned Python tools: moto server, cargo-lambda, cfn-lint
# and pytest in .venv; checkov in a venv of its own (its boto3 pins clash with moto's), linked
# into .venv/bin so one PATH finds every tool.
PIP_FLAGS := --quiet --disable-pip-version-check
venv: $(VENV)/.installed
$(VENV)/.installed: $(PY_REQUIREMENTS) $(CHECKOV_REQUIREMENTS)
	@echo "venv: installing the Python tools into $(VENV) (first run only)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_FLAGS) $(addprefix -r ,$(PY_REQUIREMENTS))
	$(PYTHON) -m venv $(VENV)-checkov
	$(VENV)-checkov/bin/pip install $(PIP_FLAGS) -r $(CHECKOV_REQUIREMENTS)
	ln -sf $(abspath $(VENV)-checkov)/bin/checkov $(VENV)/bin/checkov
	touch $@

emulator-test: venv ## the local AWS emulator's extension, tested against moto server
	@if [ -d tests/emulator ]; then $(VENV)/bin/python -m pytest -q tests/emulator; else echo "no emulator tests yet"; fi

clean:
	$(CARGO) clean
	rm -rf $(VENV) $(VENV)-checkov

include infra/make.mk
infra-test: venv
