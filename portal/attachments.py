"""Attachment files: type checked by content, stored content-addressed outside the web root."""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path, PurePath

from portal.errors import NotFound, ValidationFailed

MiB = 1024 * 1024

# Language-neutral reasons (zh, en); ValidationFailed({"files": key}).
MESSAGES: dict[str, tuple[str, str]] = {
    "file_empty": ("文件为空", "The file is empty"),
    "file_too_large": ("文件超过大小限制", "The file is larger than allowed"),
    "file_bad_name": ("文件名无效", "The file name is not valid"),
    "file_type_not_allowed": (
        "只接受 PDF、PNG、JPEG、DOCX、XLSX、TXT 和 CSV 文件",
        "Only PDF, PNG, JPEG, DOCX, XLSX, TXT and CSV files are accepted",
    ),
    "file_content_mismatch": (
        "文件内容与扩展名不符",
        "The file's content does not match its extension",
    ),
    "file_unsafe_archive": ("文档压缩结构异常", "The document's archive structure is unsafe"),
    "file_polyglot": (
        "文件中还夹带了网页代码或压缩包，不予接受",
        "The file also carries web page code or an archive and is not accepted",
    ),
}

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


def _sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_office(data)
    if b"\x00" in data:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text"


def _sniff_office(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ZIP_ENTRIES:
            raise _fail("file_unsafe_archive")
        declared = sum(info.file_size for info in infos)
        if declared > _MAX_UNCOMPRESSED or declared > _MAX_RATIO * max(len(data), 1):
            raise _fail("file_unsafe_archive")
        # Declared sizes can lie: count what really comes out, and stop at the bound.
        budget = min(_MAX_UNCOMPRESSED, _MAX_RATIO * max(len(data), 1))
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


def _is_polyglot(data: bytes) -> bool:
    """Whether a PDF or image also reads as HTML/SVG/script, or ends with a ZIP archive."""
    if _MARKUP.search(data[:_SNIFF_WINDOW]):
        return True
    return zipfile.is_zipfile(io.BytesIO(data))


class AttachmentStore:
    """Files on disk under root/ab/cd/<sha256>, written atomically and deduplicated."""

    def __init__(self, root: Path, max_bytes: int = 20 * MiB) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def inspect(self, filename: str, data: bytes) -> str:
        """Return the content type of an upload, or raise ValidationFailed with the reason."""
        name = sanitise_filename(filename)
        if not data:
            raise _fail("file_empty")
        if len(data) > self.max_bytes:
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

    def save(self, data: bytes) -> str:
        """Write the bytes once under their SHA-256 and return it."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.path_for(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

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
