# Two commands do all set-up: `make run` serves the portal, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: run test lint eval bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The portal itself needs no torch: USE runs on numpy.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

# Tests also exercise sentence-transformers, which needs torch: install the CPU build of
# torch first (it lies on local disk), or pip would pull a multi-GB CUDA build.
$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) torch==2.13.0
	$(PIP) -e '.[test]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	HOST=$(HOST) PORT=$(PORT) $(BIN)/cgt-portal serve

lint: $(VENV)/.installed-test
	$(BIN)/ruff check knowledge retrieval portal web tests benchmarks
	$(BIN)/ruff format --check knowledge retrieval portal web tests benchmarks
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest

eval: $(VENV)/.installed-run
	$(BIN)/cgt-portal eval --output benchmarks/results/eval.json

bench: $(VENV)/.installed-run
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) var .pytest_cache
