# Quick start: `make demo` (main job on a bundled example) and `make test` (whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_EXAMPLE ?= examples/cpp/prime_sum

.PHONY: setup system-deps demo test lint bench clean

$(BIN)/perfcoder: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

system-deps:
	@scripts/install-system-deps.sh

setup: system-deps $(BIN)/perfcoder

demo: setup
	$(BIN)/perfcoder run $(DEMO_EXAMPLE)/fast.cpp --tests $(DEMO_EXAMPLE)/tests
	$(BIN)/perfcoder bench $(DEMO_EXAMPLE)/slow.cpp $(DEMO_EXAMPLE)/fast.cpp --tests $(DEMO_EXAMPLE)/tests --cost cycles

test: setup
	$(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
