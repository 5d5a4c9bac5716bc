# Set-up is two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: demo test lint typecheck pytest bench system-deps js-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Runtime install (editable), redone whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	touch $@

demo: $(VENV)/.installed
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash samples/demo.sh

# Servers and tools that the tests use for real (see scripts/system-deps.sh).
system-deps:
	@bash scripts/system-deps.sh

# The reference JavaScript peers (socket.io, graphql-ws) from tests/js/package-lock.json.
JS_DIR := tests/js
$(JS_DIR)/node_modules/.package-lock.json: $(JS_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd $(JS_DIR) && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "js-deps: no npm; the JavaScript peer tests will skip (fail under CI)" >&2; fi

js-deps: system-deps $(JS_DIR)/node_modules/.package-lock.json

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check flaskscope tests bench
	$(BIN)/ruff format --check flaskscope tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict flaskscope

pytest: $(VENV)/.installed-dev system-deps js-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q

test: lint typecheck pytest

bench: $(VENV)/.installed-bench system-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" bash bench/run.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis $(JS_DIR)/node_modules

# Before a release, on an idle machine (docs/hardening.md): the property tests with ten times
# the examples, then the seeded CLI campaign under memory limits and timeouts.
FUZZ_SEED  ?= 1
FUZZ_CASES ?= 1000
.PHONY: fuzz
fuzz: $(VENV)/.installed-dev system-deps
	HYPOTHESIS_PROFILE=thorough PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q
	$(PY) scripts/fuzz_cli.py --seed $(FUZZ_SEED) --cases $(FUZZ_CASES)
