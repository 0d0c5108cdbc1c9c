"""Fixtures of the system tests: real server processes over real data folders."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer, ensure_kb_cache

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # benchmarks/ is not installed: it is imported from the checkout
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def kb_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the bundled knowledge base indexed by `cgt-portal ingest`, built once.

    Servers start on copies of it in seconds instead of indexing again; it is also what a
    clean full ingest produces, to compare an interrupted and resumed one with.
    """
    return ensure_kb_cache(tmp_path_factory.mktemp("kb-cache") / "kb")


@pytest.fixture
def servers() -> Iterator[list[LiveServer]]:
    """Servers a test starts; whatever still runs at the end is stopped."""
    started: list[LiveServer] = []
    yield started
    for server in started:
        server.stop()
