"""Real legal texts parse into their structure and chunk along their articles (knowledge.legal).

The texts come from the LawRefBook/Laws archive in ../shared/corpus (see its README), unpacked
once into a cache folder at run time; never copied here.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from knowledge.chunking import MAX_CHARS, chunk_document
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.legal import parse_legal
from tests.corpus import laws_folder
from tests.knowledge.legal_samples import structure_of


@pytest.fixture(scope="module")
def laws() -> Path:
    """The unpacked Laws/ folder of the corpus archive (unpacked once, reused by later runs)."""
    return laws_folder()


def _document(path: Path) -> SourceDocument:
    meta = DocumentMeta(id="corpus-text", title=path.stem, language="zh", category="regulation")
    return SourceDocument(meta=meta, text=path.read_text("utf-8"))


def test_a_real_law_parses_into_chapters_articles_and_paragraphs(laws: Path) -> None:
    text = (laws / "行政法" / "中医药法(2016-12-25).md").read_text("utf-8")
    legal = structure_of(text)
    assert len(legal.articles) == 63
    assert legal.keys()[:3] == ["1", "2", "3"] and legal.keys()[-1] == "63"
    third = legal.article("3")
    assert third is not None and len(third.paragraphs) == 3
    assert legal.articles[-1].section == "第九章 附则"
    assert len([h for h in legal.headings if h.kind == "章"]) == 9


def test_a_real_code_with_parts_chapters_sections_and_added_articles(laws: Path) -> None:
    legal = structure_of((laws / "刑法" / "刑法.md").read_text("utf-8"))
    added = legal.article("120-2")
    assert added is not None and added.label == "第一百二十条之二"
    assert added.section == "第二编 分则 > 第二章 危害公共安全罪"
    assert len(added.paragraphs[0].items) == 4
    assert legal.article("17-1") is not None


def test_a_sample_of_the_corpus_chunks_along_articles_verbatim_within_the_limit(
    laws: Path,
) -> None:
    paths = sorted(laws.rglob("*.md"))
    sample = random.Random(10).sample(paths, 200)
    legal_documents = 0
    for path in sample:
        document = _document(path)
        legal = parse_legal(document.text)
        chunks = chunk_document(document)
        assert len({c.id for c in chunks}) == len(chunks), path
        for chunk in chunks:
            assert document.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text, path
            assert len(chunk.text) <= MAX_CHARS["zh"], path
        if legal is None:
            continue
        legal_documents += 1
        spans = {a.key: (a.start, a.end) for a in legal.articles}
        for chunk in chunks:
            end = chunk.start + len(chunk.text)
            if chunk.article_key is None:  # preamble, annex: never overlaps an article
                assert all(end <= a or chunk.start >= b for a, b in spans.values()), path
            else:  # inside its own article
                a, b = spans[chunk.article_key]
                assert a <= chunk.start and end <= b, (path, chunk.article_key)
        assert {c.article_key for c in chunks} - {None} == set(spans), path
    assert legal_documents > 150
