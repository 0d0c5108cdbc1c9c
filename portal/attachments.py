"""Attachment files: type checked by content, stored content-addressed outside the web root."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from portal.errors import NotFound, ValidationFailed

MiB = 1024 * 1024
CHUNK = 256 * 1024
# An upload's content: bytes, or a file (the web layer's spooled temporary file, on disk past a
# small threshold) that is read in chunks, so big uploads are never held in memory whole.
Content = bytes | BinaryIO

# Language-neutral reasons (zh, en); ValidationFailed({"files": key}).

EXTENSIONS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".csv": "text/csv",
}
_MAX_ZIP_ENTRIES = 2000
_MAX_UNCOMPRESSED = 100 * MiB
_MAX_RATIO = 100
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A browser that sniffs a file as HTML looks at its first bytes; a second format in a PDF or an
# image (HTML, SVG, script, or a ZIP appended at the end, as in GIFAR) makes it a polyglot.
_SNIFF_WINDOW = 2048
_MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|svg|object|embed|meta|link|a\s|img\s)",
    re.IGNORECASE,
)
_SINGLE_FORMAT = ("application/pdf", "image/png", "image/jpeg")


def _fail(key: str) -> ValidationFailed:
    return ValidationFailed({"files": key})


def sanitise_filename(name: str) -> str:
    """Return a safe display name: last path component, no control characters, bounded."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > 200:
        suffix = PurePath(name).suffix[:16]
        name = name[: 200 - len(suffix)] + suffix
    if not name or name in {".", ".."}:
        raise _fail("file_bad_name")
    return name


def size_of(content: Content) -> int:
    """The content's size in bytes."""
    if isinstance(content, bytes):
        return len(content)
    content.seek(0, os.SEEK_END)
    return content.tell()


def _file(content: Content) -> BinaryIO:
    """The content as a file positioned at its start."""
    if isinstance(content, bytes):
        return io.BytesIO(content)
    content.seek(0)
    return content


def _chunks(content: Content) -> list[bytes] | _ChunkReader:
    return [content] if isinstance(content, bytes) else _ChunkReader(_file(content))


class _ChunkReader:
    """The file's bytes, CHUNK by CHUNK."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle

    def __iter__(self):  # type: ignore[no-untyped-def]
        while chunk := self.handle.read(CHUNK):
            yield chunk


def _sniff(content: Content) -> str | None:
    """The content type the bytes really are, or None."""
    head = _file(content).read(16)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office(content)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(content):
            if b"\x00" in chunk:
                return None
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return "text"


def _sniff_office(content: Content) -> str | None:
    size = size_of(content)
    try:
        archive = zipfile.ZipFile(_file(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ZIP_ENTRIES:
            raise _fail("file_unsafe_archive")
        declared = sum(info.file_size for info in infos)
        if declared > _MAX_UNCOMPRESSED or declared > _MAX_RATIO * max(size, 1):
            raise _fail("file_unsafe_archive")
        # Declared sizes can lie: count what really comes out, and stop at the bound.
        budget = min(_MAX_UNCOMPRESSED, _MAX_RATIO * max(size, 1))
        try:
            for info in infos:
                with archive.open(info) as member:
                    while chunk := member.read(256 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise _fail("file_unsafe_archive")
        except ValidationFailed:
            raise
        except Exception:  # any corrupt, encrypted or exotic member: not a document we take
            return None
        names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("word/") for n in names):
        return EXTENSIONS[".docx"]
    if any(n.startswith("xl/") for n in names):
        return EXTENSIONS[".xlsx"]
    return None


def _is_polyglot(content: Content) -> bool:
    """Whether a PDF or image also reads as HTML/SVG/script, or ends with a ZIP archive."""
    if _MARKUP.search(_file(content).read(_SNIFF_WINDOW)):
        return True
    return zipfile.is_zipfile(_file(content))


class AttachmentStore:
    """Files on disk under root/ab/cd/<sha256>, written atomically and deduplicated."""

    def __init__(
        self, root: Path, max_bytes: int = 20 * MiB, company_quota_bytes: int | None = None
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.company_quota_bytes = company_quota_bytes  # all of one company's files; None: no cap

    def inspect(self, filename: str, data: Content) -> str:
        """Return the content type of an upload, or raise ValidationFailed with the reason."""
        name = sanitise_filename(filename)
        size = size_of(data)
        if not size:
            raise _fail("file_empty")
        if size > self.max_bytes:
            raise _fail("file_too_large")
        expected = EXTENSIONS.get(PurePath(name).suffix.lower())
        if expected is None:
            raise _fail("file_type_not_allowed")
        actual = _sniff(data)
        if actual == "text" and expected in ("text/plain", "text/csv"):
            return expected
        if actual != expected:
            raise _fail("file_content_mismatch")
        if expected in _SINGLE_FORMAT and _is_polyglot(data):
            raise _fail("file_polyglot")
        return expected

    def save(self, data: Content) -> str:
        """Write the content once under its SHA-256 (streamed, never whole in memory)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as handle:
                for chunk in _chunks(data):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            path = self.path_for(digest.hexdigest())
            if path.exists():
                Path(tmp).unlink()
                return digest.hexdigest()
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(tmp, path)  # same file system: an atomic rename
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest.hexdigest()

    def path_for(self, sha256: str) -> Path:
        """Return where a file with this hash lives (NotFound for a malformed hash)."""
        if not _SHA256.fullmatch(sha256):
            raise NotFound("no such file")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def read(self, sha256: str) -> bytes:
        """Return a stored file's bytes, or raise NotFound."""
        path = self.path_for(sha256)
        if not path.is_file():
            raise NotFound("no such file")
        return path.read_bytes()


@dataclass(frozen=True)
class StoredFile:
    """An upload already checked and written to the store, waiting for its request."""

    filename: str
    content_type: str
    size: int
    sha256: str


def keep_uploads(
    *, store: AttachmentStore, uploads: Mapping[str, tuple[str, Content]]
) -> tuple[dict[str, StoredFile], dict[str, str]]:
    """Check each named upload alone; store the good ones and say what is wrong with the rest.

    Keyed by the slot's name, so a form shows every slot's problem at once, and a good file
    survives a form that is sent back for something else.
    """
    kept: dict[str, StoredFile] = {}
    errors: dict[str, str] = {}
    for slot, (filename, data) in uploads.items():
        try:
            name = sanitise_filename(filename)
            content_type = store.inspect(filename, data)
        except ValidationFailed as failure:
            errors[slot] = next(iter(failure.errors.values()), "file_type_not_allowed")
            continue
        kept[slot] = StoredFile(name, content_type, size_of(data), store.save(data))
    return kept, errors
