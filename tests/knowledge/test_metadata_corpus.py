"""Metadata read from the real published texts (knowledge.metadata, knowledge.loaders).

The texts come from ../shared/corpus (see its README), read at run time; the tests skip, saying
so, where it is absent.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import docx
import pytest

from knowledge.loaders import load_bytes, load_path
from knowledge.metadata import document_id, metadata_from_text
from tests.corpus import laws_folder

SAMPLE_EVERY = 10  # load every tenth file through the loader; all of them through the parser


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    """The real texts, unpacked once into a cache folder (never into the repository)."""
    # _index.md files are the source site's folder pages: front matter and no text.
    return sorted(p for p in laws_folder().rglob("*.md") if p.name != "_index.md")


def _history_lines(raw: str) -> list[str]:
    head = raw.split("<!-- INFO END -->", 1)[0] if "<!-- INFO END -->" in raw else ""
    return [line for line in head.splitlines()[1:] if re.match(r"\s*[（(]?\d{4}年", line)]


def test_every_sampled_corpus_file_loads_with_its_heading_as_title(
    corpus_files: list[Path],
) -> None:
    sample = corpus_files[::SAMPLE_EVERY]
    started = time.perf_counter()
    documents = [load_path(path) for path in sample]  # a LoaderError fails the test
    elapsed = time.perf_counter() - started

    for path, document in zip(sample, documents, strict=True):
        heading = next(line for line in path.read_text("utf-8").splitlines() if line.strip())
        if heading.startswith("# "):
            expected = re.sub(r"<!--.*?-->", "", heading)[2:].strip()
            assert document.meta.title == expected, path
        assert "<!--" not in document.text, path
    assert elapsed < 30, f"{len(sample)} files took {elapsed:.1f}s"


def test_ids_are_unique_over_the_whole_corpus(corpus_files: list[Path]) -> None:
    names: dict[str, set[str]] = {}
    for path in corpus_files:
        names.setdefault(document_id(path.name, "zh"), set()).add(path.name)
    # The same law filed under two categories has one name and so one id, as it should.
    assert [sorted(n) for n in names.values() if len(n) > 1] == []


def test_titles_and_dates_are_recognised_over_the_whole_corpus(corpus_files: list[Path]) -> None:
    titled = dated = issued = 0
    for path in corpus_files:
        raw = path.read_text("utf-8")
        meta = metadata_from_text(re.sub(r"<!--.*?-->", "", raw, flags=re.DOTALL), path.name)
        heading = raw.lstrip().splitlines()[0]
        titled += meta["title"] == re.sub(r"<!--.*?-->", "", heading).lstrip("# ").strip()
        if _history_lines(raw):
            dated += 1
            issued += "issued" in meta
    assert titled >= 0.99 * len(corpus_files)
    assert dated > 3000 and issued >= 0.95 * dated, f"issued found for {issued} of {dated}"


def test_real_texts_saved_as_text_docx_and_html_give_the_metadata_their_markdown_gives(
    corpus_files: list[Path],
) -> None:
    keys = ("title", "issued", "issuer", "doc_number", "effective", "category")
    for path in corpus_files[:: len(corpus_files) // 6][:6]:
        markdown = load_path(path)
        lines = [line.lstrip("# ").strip() for line in markdown.text.splitlines() if line.strip()]
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        data = io.BytesIO()
        document.save(data)
        html = f"<html><body><h1>{lines[0]}</h1>" + "".join(f"<p>{x}</p>" for x in lines[1:])
        for name, content in (
            ("law.txt", "\n\n".join(lines).encode()),
            ("law.docx", data.getvalue()),
            ("law.html", (html + "</body></html>").encode()),
        ):
            meta = load_bytes(content, filename=name).meta
            for key in keys:
                assert getattr(meta, key) == getattr(markdown.meta, key), (path.name, name, key)


def test_what_real_texts_repeal_is_read_from_their_closing_articles(
    corpus_files: list[Path],
) -> None:
    by_name = {path.name: path for path in corpus_files}

    def repeals(name: str) -> list[str]:
        return list(load_path(by_name[name]).meta.extra.get("repeals", []))

    assert repeals("外商投资法实施条例(2019-12-26).md") == [
        "中华人民共和国中外合资经营企业法实施条例",
        "中外合资经营企业合营期限暂行规定",
        "中华人民共和国外资企业法实施细则",
        "中华人民共和国中外合作经营企业法实施细则",
    ]
    assert repeals("人体器官捐献和移植条例(2023-12-04).md") == ["人体器官移植条例"]
    assert repeals("反间谍法(2014-11-01).md") == ["中华人民共和国国家安全法"]
    # Its history names 《国务院关于废止和修改部分行政法规的决定》: an amendment, no repeal.
    assert repeals("城镇土地使用税暂行条例(2019-03-02).md") == []
    assert repeals("人体器官移植条例(2007-03-31).md") == []
