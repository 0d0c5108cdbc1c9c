"""The real-text corpus for tests: ../shared/corpus, unpacked once into a cache folder.

Never copied into the repository. Where it is absent, the test is skipped with a message that
says where the corpus comes from; CI always has it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.evaluation.real_set import CorpusMissing, find_corpus, unpack

ARCHIVE = "lawrefbook-laws.tar.xz"


def laws_folder() -> Path:
    """The unpacked Laws/ folder of the archive, or a skip that says where it comes from."""
    try:
        return unpack(find_corpus(ARCHIVE, "Laws")) / "Laws"
    except CorpusMissing as missing:
        pytest.skip(str(missing))
