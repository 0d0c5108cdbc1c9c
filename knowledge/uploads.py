"""Check a document uploaded by staff before anything is stored: type, size, text and metadata.

Every rejection names the field at fault and a reason code (the web layer words it in the
user's language) plus an English detail, so a bad file is refused with a clear reason and
nothing is written.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.extraction import ExtractionLimits, load_bytes_limited
from knowledge.loaders import LoaderError

MiB = 1024 * 1024
# What each accepted extension must look like inside.
KINDS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "text",
    ".txt": "text",
    ".html": "text",
    ".htm": "text",
}
# Metadata a staff member may set (the document's id is fixed once created).
EDITABLE = (
    "title",
    "language",
    "translation_of",
    "category",
    "issuer",
    "doc_number",
    "issued",
    "effective",
    "status",
    "jurisdiction",
    "source_url",
    "verified",
    "repeals",
)
_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0", "legacy office"),
)


class UploadRejected(ValueError):
    """An upload or metadata change refused: `field`, a reason `code` and an English detail."""

    def __init__(self, field: str, code: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.code = code
        self.detail = detail


def clean_metadata(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values to metadata: blanks become None, text is trimmed, unknown keys are dropped."""
    meta: dict[str, Any] = {}
    for key in ("id", *EDITABLE):
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, str):
            value = value.strip() or None
        if key == "verified":
            value = value in (True, "true", "on", "1", "yes")
        if value is not None or key in EDITABLE:
            meta[key] = value
    return meta


def check_metadata(meta: Mapping[str, Any]) -> DocumentMeta:
    """Validate complete metadata; raise UploadRejected naming the first field at fault."""
    try:
        return DocumentMeta.model_validate(dict(meta))
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "metadata"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise UploadRejected(field, "invalid_metadata", message) from error


def sniff(data: bytes) -> str:
    """What the bytes are: pdf, zip, image, executable, legacy office, text or binary."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:8192]
    if b"\x00" in head:
        return "binary"
    return "text"


def safe_filename(name: str) -> str:
    """The last path component, without control characters, bounded."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(name) > 150:
        stem, suffix = Path(name).stem, Path(name).suffix
        name = stem[: 150 - len(suffix)] + suffix
    return name


def validate_upload(
    *,
    data: bytes,
    filename: str,
    metadata: Mapping[str, Any],
    max_bytes: int,
    limits: ExtractionLimits | None = None,
) -> SourceDocument:
    """Read an uploaded file into a document, or raise UploadRejected; nothing is stored.

    The text is read in a limited child process (knowledge.extraction), so a file built to
    make extraction slow or huge is refused with a reason instead of holding the request.
    """
    name = safe_filename(filename)
    suffix = Path(name).suffix.lower()
    if not name:
        raise UploadRejected("file", "file_missing", "no file was uploaded")
    if suffix not in KINDS:
        raise UploadRejected(
            "file",
            "file_type",
            f"{suffix or 'a file without extension'} is not accepted; "
            "upload PDF, DOCX, Markdown, HTML or plain text",
        )
    if not data:
        raise UploadRejected("file", "file_empty", "the file is empty")
    if len(data) > max_bytes:
        raise UploadRejected(
            "file",
            "file_too_large",
            f"the file has {len(data) / MiB:.1f} MiB; at most {max_bytes / MiB:.0f} MiB",
        )
    found = sniff(data)
    expected = {"pdf": "pdf", "docx": "zip", "text": "text"}[KINDS[suffix]]
    if found != expected:
        raise UploadRejected(
            "file",
            "file_mismatch",
            f"the content of {name} is {found}, not what {suffix} promises",
        )
    meta = clean_metadata(metadata)
    check_metadata(_with_placeholders(meta))  # field errors first, before reading the file
    try:
        document = load_bytes_limited(
            data,
            filename=name,
            metadata={k: v for k, v in meta.items() if v is not None},
            limits=limits,
        )
    except LoaderError as error:
        code = "invalid_metadata" if "invalid metadata" in str(error) else "file_unreadable"
        raise UploadRejected("file", code, str(error)) from error
    return document


def _with_placeholders(meta: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata for a field-by-field check: what the file may still supply gets a stand-in."""
    values = {k: v for k, v in meta.items() if v is not None}
    values.setdefault("id", "placeholder")
    values.setdefault("title", "placeholder")
    values.setdefault("language", "en")
    values.setdefault("category", "policy")
    return values


def stage(*, folder: Path, data: bytes, filename: str) -> Path:
    """Write an accepted upload under the data folder for the indexing job; return its path."""
    target = folder / uuid.uuid4().hex
    target.mkdir(parents=True, exist_ok=False)
    path = target / (safe_filename(filename) or "upload")
    path.write_bytes(data)
    return path
