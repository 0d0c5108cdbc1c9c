"""Files the loaders reject, each with a message that names the file and the fault."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF

from knowledge.loaders import LoaderError, load_bytes, load_path
from tests.knowledge.sample_files import (
    MARKDOWN,
    PARAGRAPH,
    corrupt_zip_member,
    make_docx,
    make_pdf,
    truncate_zip_member,
    write,
)


@pytest.mark.parametrize(("name", "expected"), [("notes.rtf", r"\.rtf"), ("README", r"\(none\)")])
def test_unsupported_file_type_is_rejected_by_name(
    tmp_path: Path, name: str, expected: str
) -> None:
    with pytest.raises(LoaderError, match=rf"^{name}: unsupported file type {expected}"):
        load_path(write(tmp_path / name, PARAGRAPH))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.md", ""),
        ("blank.txt", "  \n\n\t \r\n"),
        ("front-matter-only.md", "---\ntitle: Only metadata\ncategory: policy\n---\n\n"),
        ("_index.md", "---\nbookCollapseSection: true\n---"),  # no newline after the closing ---
        ("too-short.txt", "Nansha."),
    ],
)
def test_file_without_readable_text_is_rejected(tmp_path: Path, name: str, content: str) -> None:
    with pytest.raises(LoaderError, match=rf"^{name}: no readable text found"):
        load_path(write(tmp_path / name, content))


@pytest.mark.parametrize(
    "content",
    [b"", b"this is not a PDF at all", b"%PDF-1.7\n" + bytes(range(256)) * 4],
    ids=["empty", "text", "garbage-after-header"],
)
def test_corrupt_pdf_bytes_are_rejected(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(LoaderError, match=r"^broken\.pdf: not a readable PDF"):
        load_path(write(tmp_path / "broken.pdf", content))


def test_truncated_pdf_is_rejected(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "full.pdf", [PARAGRAPH]).read_bytes()
    with pytest.raises(LoaderError, match=r"^half\.pdf: not a readable PDF"):
        load_bytes(data[: len(data) // 2], filename="half.pdf")


def test_pdf_with_an_unknown_stream_filter_is_rejected(tmp_path: Path) -> None:
    data = make_pdf(tmp_path / "full.pdf", [PARAGRAPH]).read_bytes()
    damaged = data.replace(b"/FlateDecode", b"/FlatXDecode")  # same length: offsets stay valid
    with pytest.raises(LoaderError, match=r"^odd\.pdf: not a readable PDF"):
        load_bytes(damaged, filename="odd.pdf")


def test_pdf_containing_only_images_or_nothing_is_rejected_as_without_text(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.output(str(tmp_path / "blank.pdf"))
    with pytest.raises(LoaderError, match=r"^blank\.pdf: no readable text found"):
        load_path(tmp_path / "blank.pdf")


@pytest.mark.parametrize(
    "content", [b"", b"not a zip file", b"PK\x03\x04 garbage"], ids=["empty", "text", "bad-zip"]
)
def test_corrupt_docx_bytes_are_rejected(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(LoaderError, match=r"^broken\.docx: not a readable DOCX file"):
        load_path(write(tmp_path / "broken.docx", content))


def test_zip_that_is_not_a_word_document_is_rejected(tmp_path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(LoaderError, match=r"^other\.docx: not a readable DOCX file"):
        load_bytes(out.getvalue(), filename="other.docx")


def test_truncated_docx_is_rejected(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "full.docx").read_bytes()
    with pytest.raises(LoaderError, match=r"^half\.docx: not a readable DOCX file"):
        load_bytes(data[: len(data) // 2], filename="half.docx")


def test_docx_with_malformed_document_xml_is_rejected(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "full.docx").read_bytes()
    with pytest.raises(LoaderError, match=r"^broken\.docx: not a readable DOCX file"):
        load_bytes(truncate_zip_member(data, "word/document.xml"), filename="broken.docx")


def test_docx_with_damaged_compressed_data_is_rejected(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "full.docx").read_bytes()
    with pytest.raises(LoaderError, match=r"^broken\.docx: not a readable DOCX file"):
        load_bytes(corrupt_zip_member(data, "word/document.xml"), filename="broken.docx")


def test_invalid_front_matter_yaml_is_rejected_with_the_yaml_error(tmp_path: Path) -> None:
    content = MARKDOWN.replace("title: Nansha 15% corporate income tax", "title: [unclosed")
    with pytest.raises(LoaderError, match=r"^bad\.md: front matter is not valid YAML \(") as error:
        load_path(write(tmp_path / "bad.md", content))
    assert "title: [unclosed" in str(error.value)  # the YAML error points at the bad line


def test_front_matter_that_is_not_a_mapping_is_rejected(tmp_path: Path) -> None:
    content = f"---\n- policy\n- nansha\n---\n\n{PARAGRAPH}\n"
    with pytest.raises(LoaderError, match=r"^list\.md: front matter must be a mapping"):
        load_path(write(tmp_path / "list.md", content))


def test_invalid_sidecar_yaml_is_rejected_naming_the_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "note.txt", PARAGRAPH)
    write(tmp_path / "note.txt.meta.yaml", "title: [unclosed\n")
    with pytest.raises(
        LoaderError, match=r"^note\.txt\.meta\.yaml: front matter is not valid YAML"
    ):
        load_path(path)


def test_undecodable_sidecar_is_rejected_naming_the_sidecar(tmp_path: Path) -> None:
    path = write(tmp_path / "note.txt", PARAGRAPH)
    write(tmp_path / "note.txt.meta.yaml", b"title: \x80\x80\x80\n")
    with pytest.raises(LoaderError, match=r"note\.txt\.meta\.yaml"):
        load_path(path)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("category: blog", "category", "Input should be 'policy'"),
        ("issued: 28/09/2025", "issued", "dates are written YYYY, YYYY-MM or YYYY-MM-DD"),
        ("issued: 2025-9-1", "issued", "dates are written YYYY, YYYY-MM or YYYY-MM-DD"),
        ("effective: 2025-09-28 10:00:00", "effective", "dates are written"),
        ("id: Nansha CIT!", "id", "ids use lowercase letters"),
        ("translation_of: Bad Id", "translation_of", "ids use lowercase letters"),
        ("status: repealed", "status", "Input should be 'in_force'"),
        ("jurisdiction: shanghai", "jurisdiction", "Input should be 'national'"),
        ("source_url: ftp://example.org/x", "source_url", "http"),
        ("language: fr", "language", "Input should be 'zh' or 'en'"),
    ],
)
def test_invalid_metadata_is_rejected_naming_the_field(
    tmp_path: Path, line: str, field: str, message: str
) -> None:
    key = line.split(":")[0]
    content = "\n".join(line if row.startswith(f"{key}:") else row for row in MARKDOWN.splitlines())
    with pytest.raises(LoaderError, match=r"^bad\.md: invalid metadata \(") as error:
        load_path(write(tmp_path / "bad.md", content))
    assert f"{field}: " in str(error.value)
    assert message in str(error.value)


def test_a_document_that_is_its_own_translation_is_rejected(tmp_path: Path) -> None:
    content = MARKDOWN.replace(
        "translation_of: nansha-cit-15-zh", "translation_of: nansha-cit-15-en"
    )
    with pytest.raises(LoaderError, match="cannot be its own translation"):
        load_path(write(tmp_path / "self.md", content))


@pytest.mark.parametrize(
    "content",
    [b"\x80" * 40, bytes(range(0x80, 0x100)) * 2, b"\xff\xfe garbage \x81\x30 more garbage text"],
    ids=["continuation-bytes", "high-bytes", "mixed"],
)
@pytest.mark.parametrize("suffix", [".txt", ".md", pytest.param(".html", marks=())])
def test_text_that_is_neither_utf8_nor_gb18030_is_rejected(
    tmp_path: Path, content: bytes, suffix: str
) -> None:
    with pytest.raises(LoaderError, match=rf"^garbage\{suffix}: text is neither UTF-8 nor GB18030"):
        load_path(write(tmp_path / f"garbage{suffix}", content))
