# Two commands do all set-up: `make run` serves the portal, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PIP    := $(BIN)/pip install --quiet --disable-pip-version-check

.PHONY: run test lint eval bench loadtest clean

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
	$(BIN)/mypy

# Every test on the embedded defaults (SQLite + embedded Chroma); then, when CGT_TEST_DATABASE_URL
# and/or CGT_TEST_CHROMA_HOST/PORT point at servers (.ci/run starts them with
# scripts/test-servers.sh), the database and retrieval suites again on PostgreSQL + Chroma server.
SERVER_SUITES := tests/knowledge tests/retrieval tests/portal tests/web tests/system/test_two_workers.py
test: lint
	env -u CGT_TEST_DATABASE_URL -u CGT_TEST_CHROMA_HOST -u CGT_TEST_CHROMA_PORT \
		$(BIN)/python -m pytest
	@if [ -n "$$CGT_TEST_DATABASE_URL$$CGT_TEST_CHROMA_HOST" ]; then \
		echo "== server pass: PostgreSQL + Chroma server =="; \
		$(BIN)/python -m pytest $(SERVER_SUITES); \
	else \
		echo "== server pass SKIPPED: CGT_TEST_DATABASE_URL / CGT_TEST_CHROMA_HOST are not set"; \
		echo "   (start the servers: scripts/test-servers.sh start DIR && . DIR/env; .ci/run does it)"; \
	fi

# Both corpora: eval.json (our knowledge base), eval-real.json (real texts from ../shared/corpus).
eval: $(VENV)/.installed-run
	$(BIN)/cgt-portal eval --set all --output benchmarks/results/eval.json

bench: $(VENV)/.installed-run
	$(BIN)/python -m benchmarks

# 50 users for 60 s against a fresh server on loopback; fails on a lost or duplicated
# submission or any 5xx (benchmarks/README.md, "Load test").
loadtest: $(VENV)/.installed-run
	$(BIN)/python -m benchmarks.loadtest --users 50 --duration 60

clean:
	rm -rf $(VENV) var .pytest_cache
