# Set-up is two commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python

.PHONY: demo test lint typecheck pytest bench system-deps js-deps clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Runtime install (editable), redone whenever the build changes. The editable install also
# builds the optional C extension in place (flaskscope/_speedups, docs/speedups.md).
BUILD_INPUTS := pyproject.toml setup.py $(wildcard flaskscope/_speedups/*.c flaskscope/_speedups/*.h)

$(VENV)/.installed: $(BUILD_INPUTS) | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BUILD_INPUTS) | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-bench: $(BUILD_INPUTS) | $(PY)
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
	$(BIN)/ruff check flaskscope tests bench setup.py
	$(BIN)/ruff format --check flaskscope tests bench setup.py

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy --strict flaskscope

# Both engines: the whole suite on the native one (the default where it is built), then the
# tests of what it speeds up on the forced pure-Python fallback, so neither rots.
PURE_PYTHON_TESTS := tests/_speedups tests/audit tests/frames tests/commands/test_audit.py tests/commands/test_frames.py

pytest: $(VENV)/.installed-dev system-deps js-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q
	FLASKSCOPE_PURE_PYTHON=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q $(PURE_PYTHON_TESTS)

test: lint typecheck pytest

bench: $(VENV)/.installed-bench system-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" bash bench/run.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis $(JS_DIR)/node_modules
	rm -f flaskscope/_speedups/*.so flaskscope/_speedups/*.pyd

# Before a release, on an idle machine (docs/hardening.md): the property tests with ten times
# the examples, then the seeded CLI campaign under memory limits and timeouts.
FUZZ_SEED  ?= 1
FUZZ_CASES ?= 1000
.PHONY: fuzz
fuzz: $(VENV)/.installed-dev system-deps
	HYPOTHESIS_PROFILE=thorough PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest -q
	$(PY) scripts/fuzz_cli.py --seed $(FUZZ_SEED) --cases $(FUZZ_CASES)
