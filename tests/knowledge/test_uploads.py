"""Checks of a staff upload before anything is stored: every bad file gets a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from knowledge.uploads import UploadRejected, stage, validate_upload

META = {"title": "Cleanroom subsidy notice", "language": "en", "category": "policy"}
MB = 1024 * 1024


def pdf_bytes(*lines: str) -> bytes:
    """A real PDF with these lines of English text."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def check(data: bytes, filename: str, **meta: object) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        validate_upload(data=data, filename=filename, metadata={**META, **meta}, max_bytes=MB)
    return caught.value


def test_a_good_pdf_becomes_a_document_with_the_given_metadata() -> None:
    data = pdf_bytes("The cleanroom subsidy notice grants 18% of the equipment investment.")

    document = validate_upload(
        data=data, filename="cleanroom.pdf", metadata={**META, "id": "cleanroom-en"}, max_bytes=MB
    )

    assert document.id == "cleanroom-en" and document.meta.title == META["title"]
    assert "18% of the equipment investment" in document.text


def test_the_id_defaults_to_the_file_name_and_language() -> None:
    document = validate_upload(
        data=b"Plain text about cleanroom subsidies in Nansha for cell therapy companies.",
        filename="Cleanroom Notice.txt",
        metadata=META,
        max_bytes=MB,
    )
    assert document.id == "cleanroom-notice-en"


def test_a_corrupt_pdf_is_refused_as_unreadable() -> None:
    error = check(b"%PDF-1.7\n" + b"\x00garbage" * 200, "broken.pdf")
    assert (error.field, error.code) == ("file", "file_unreadable")
    assert "broken.pdf" in error.detail


def test_a_pdf_without_text_is_refused() -> None:
    error = check(pdf_bytes(""), "scanned.pdf")
    assert error.code == "file_unreadable" and "no readable text" in error.detail


def test_an_empty_file_is_refused() -> None:
    assert check(b"", "empty.md").code == "file_empty"


def test_a_text_file_with_only_whitespace_is_refused() -> None:
    assert check(b"   \n\n  \t ", "blank.txt").code == "file_unreadable"


@pytest.mark.parametrize("filename", ["photo.png", "tool.exe", "notes", "sheet.xlsx"])
def test_an_unsupported_type_is_refused(filename: str) -> None:
    error = check(b"\x89PNG\r\n\x1a\n" + b"0" * 100, filename)
    assert (error.field, error.code) == ("file", "file_type")


def test_content_that_does_not_match_the_extension_is_refused() -> None:
    assert check(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "fake.pdf").code == "file_mismatch"
    assert check(pdf_bytes("A PDF renamed as text, about subsidies."), "x.txt").code == (
        "file_mismatch"
    )
    assert check(b"MZ\x90\x00" + b"\x00" * 100, "virus.docx").code == "file_mismatch"


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    error = check(b"a" * (MB + 1), "big.txt")
    assert error.code == "file_too_large" and "at most 1 MiB" in error.detail


@pytest.mark.parametrize(
    ("meta", "field"),
    [
        ({"issued": "26 Nov 2026"}, "issued"),
        ({"source_url": "ftp://example.org/x"}, "source_url"),
        ({"category": "gossip"}, "category"),
        ({"language": "fr"}, "language"),
        ({"id": "Not A Valid Id"}, "id"),
    ],
)
def test_bad_metadata_names_the_field(meta: dict[str, object], field: str) -> None:
    error = check(b"Plain text about cleanroom subsidies in Nansha.", "n.txt", **meta)
    assert (error.field, error.code) == (field, "invalid_metadata")


def test_stage_writes_the_file_under_its_own_folder(tmp_path: Path) -> None:
    first = stage(folder=tmp_path, data=b"one", filename="../../etc/passwd")
    second = stage(folder=tmp_path, data=b"two", filename="a.md")

    assert first.parent.parent == tmp_path and first.name == "passwd"
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert first.parent != second.parent
