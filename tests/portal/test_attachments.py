"""Attachment checks by content, and the content-addressed store."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from portal.attachments import AttachmentStore, sanitise_filename
from portal.errors import NotFound, ValidationFailed

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def _reason(store: AttachmentStore, name: str, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as info:
        store.inspect(name, data)
    return info.value.errors["files"]


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("scan.jpeg", JPEG, "image/jpeg"),
        (
            "plan.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("data.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("notes.txt", "样品说明 ok".encode(), "text/plain"),
        ("table.csv", b"a,b\n1,2\n", "text/csv"),
    ],
)
def test_accepted_types(store: AttachmentStore, name: str, data: bytes, content_type: str) -> None:
    assert store.inspect(name, data) == content_type


def test_pdf_name_with_png_content_is_rejected(store: AttachmentStore) -> None:
    assert _reason(store, "report.pdf", PNG) == "file_content_mismatch"


def test_docx_name_with_xlsx_content_is_rejected(store: AttachmentStore) -> None:
    assert _reason(store, "plan.docx", XLSX) == "file_content_mismatch"


def test_plain_zip_and_binary_text_are_rejected(store: AttachmentStore) -> None:
    assert _reason(store, "plan.docx", _zip({"a.txt": b"x"})) == "file_content_mismatch"
    assert _reason(store, "notes.txt", b"abc\x00def") == "file_content_mismatch"
    assert _reason(store, "notes.txt", b"\xff\xfe\xfa") == "file_content_mismatch"
    assert _reason(store, "notes.txt", PDF) == "file_content_mismatch"


def test_zip_bomb_is_rejected(store: AttachmentStore) -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\0" * (60 << 20)})
    assert len(bomb) < 1 << 20
    assert _reason(store, "plan.docx", bomb) == "file_unsafe_archive"


def test_empty_oversized_and_unknown_extension_are_rejected(tmp_path: Path) -> None:
    small = AttachmentStore(tmp_path, max_bytes=1000)
    assert _reason(small, "a.pdf", b"") == "file_empty"
    assert _reason(small, "a.pdf", PDF + b"0" * 1000) == "file_too_large"
    assert _reason(small, "a.exe", b"MZ") == "file_type_not_allowed"
    assert _reason(small, "noext", PDF) == "file_type_not_allowed"


def test_names_with_path_tricks_are_sanitised() -> None:
    assert sanitise_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert sanitise_filename("..\\..\\boot.ini.txt") == "boot.ini.txt"
    assert sanitise_filename("re\x00port\n.pdf") == "report.pdf"
    assert sanitise_filename(".hidden.pdf") == "hidden.pdf"
    with pytest.raises(ValidationFailed):
        sanitise_filename("../")
    assert len(sanitise_filename("a" * 500 + ".pdf")) <= 200


def test_save_is_content_addressed_atomic_and_deduplicated(store: AttachmentStore) -> None:
    digest = store.save(PDF)
    path = store.path_for(digest)
    assert path == store.root / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == PDF
    assert store.save(PDF) == digest
    assert [p.name for p in path.parent.iterdir()] == [digest]
    assert store.read(digest) == PDF


def test_path_for_refuses_malformed_hashes(store: AttachmentStore) -> None:
    with pytest.raises(NotFound):
        store.path_for("../../etc/passwd")
    with pytest.raises(NotFound):
        store.read("0" * 64)
