"""Turn files (Markdown with front matter, text, PDF, DOCX, HTML) into SourceDocuments."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.metadata import document_id, metadata_from_text
from knowledge.text import detect_language

SUPPORTED_SUFFIXES = (".md", ".txt", ".pdf", ".docx", ".html", ".htm")
SOURCES_DIR = Path(__file__).parent / "sources"

# The closing "---" may end the file (a front-matter-only index page has no newline after it).
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_EMPHASIS = re.compile(r"(\*\*|__|`)")
# "<!-- INFO END -->" and other comments are markup, not text a citation may quote.
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


class LoaderError(ValueError):
    """A file could not be turned into a document; the message says why."""


def bundled_sources() -> list[Path]:
    """Return the knowledge-base files shipped with the product, in a stable order."""
    return sorted(SOURCES_DIR.rglob("*.md"))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into the supported files below them, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif path.exists():
            files.append(path)
        else:
            raise LoaderError(f"{path}: no such file or folder")
    return files


def load_path(path: Path, metadata: Mapping[str, Any] | None = None) -> SourceDocument:
    """Load one file; metadata: front matter, a `<file>.meta.yaml` sidecar, or `metadata`."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoaderError(f"{path.name}: unsupported file type {suffix or '(none)'}")
    data = path.read_bytes()
    sidecar = path.with_name(path.name + ".meta.yaml")
    meta: dict[str, Any] = {}
    if sidecar.exists():
        meta.update(_parse_yaml(_decode(sidecar.read_bytes(), sidecar.name), sidecar.name))
    meta.update(metadata or {})
    return load_bytes(data, filename=path.name, metadata=meta, path=str(path))


def load_bytes(
    data: bytes,
    *,
    filename: str,
    metadata: Mapping[str, Any] | None = None,
    path: str | None = None,
) -> SourceDocument:
    """Load a document from raw bytes; the file name's suffix picks the reader."""
    suffix = Path(filename).suffix.lower()
    meta: dict[str, Any] = dict(metadata or {})
    if suffix == ".md":
        text = _decode(data, filename)
        front, text = _split_front_matter(text, filename)
        meta = {**front, **meta}
        text = _EMPHASIS.sub("", _COMMENT.sub("", text))
    elif suffix == ".txt":
        text = _decode(data, filename)
    elif suffix == ".pdf":
        text = _pdf_text(data, filename)
    elif suffix == ".docx":
        text = _docx_text(data, filename)
    elif suffix in (".html", ".htm"):
        text, title = _html_text(data, filename)
        if title:
            meta.setdefault("title", title)
    else:
        raise LoaderError(f"{filename}: unsupported file type {suffix or '(none)'}")
    text = _tidy(text)
    if len(re.sub(r"\s", "", text)) < 20:
        raise LoaderError(f"{filename}: no readable text found (scanned or empty file?)")
    meta = _with_defaults(meta, text, filename)
    try:
        document_meta = DocumentMeta.model_validate(meta)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'metadata'}: {e['msg']}"
            for e in error.errors()
        )
        raise LoaderError(f"{filename}: invalid metadata ({problems})") from error
    return SourceDocument(meta=document_meta, text=text, path=path)


def _decode(data: bytes, filename: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LoaderError(f"{filename}: text is neither UTF-8 nor GB18030")


def _parse_yaml(text: str, filename: str) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise LoaderError(f"{filename}: front matter is not valid YAML ({error})") from error
    if not isinstance(loaded, dict):
        raise LoaderError(f"{filename}: front matter must be a mapping of keys to values")
    # YAML reads 2025-09-28 as a date: keep every date as the text it was written as.
    return {str(k): _dates_as_text(v) for k, v in loaded.items()}


def _dates_as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


def _split_front_matter(text: str, filename: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    return _parse_yaml(match.group(1), filename), text[match.end() :]


def _pdf_text(data: bytes, filename: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoaderError(f"{filename}: the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoaderError:
        raise
    except (PdfReadError, Exception) as error:  # pypdf raises many types on broken files
        raise LoaderError(f"{filename}: not a readable PDF ({type(error).__name__})") from error
    return "\n\n".join(pages)


# A DOCX is a ZIP archive: refuse one that would inflate past these bounds (a zip bomb)
# before python-docx reads its parts into memory.
_DOCX_MAX_PARTS = 2000
_DOCX_MAX_INFLATED = 100 * 1024 * 1024
_DOCX_MAX_RATIO = 100


def _check_archive(data: bytes, filename: str) -> None:
    import zipfile

    budget = min(_DOCX_MAX_INFLATED, _DOCX_MAX_RATIO * max(len(data), 1))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            declared = sum(info.file_size for info in infos)
            if len(infos) > _DOCX_MAX_PARTS or declared > budget:
                raise LoaderError(f"{filename}: the DOCX archive would inflate unsafely")
            for info in infos:  # declared sizes can lie: count what really comes out
                with archive.open(info) as member:
                    while chunk := member.read(256 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise LoaderError(
                                f"{filename}: the DOCX archive would inflate unsafely"
                            )
    except LoaderError:
        raise
    except Exception as error:  # corrupt, encrypted or exotic archives alike
        raise LoaderError(
            f"{filename}: not a readable DOCX file ({type(error).__name__})"
        ) from error


def _docx_text(data: bytes, filename: str) -> str:
    import zipfile

    import docx

    _check_archive(data, filename)
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(document.paragraphs)
    except (zipfile.BadZipFile, Exception) as error:  # zip, XML and zlib errors alike
        raise LoaderError(
            f"{filename}: not a readable DOCX file ({type(error).__name__})"
        ) from error
    lines = []
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        level = re.match(r"Heading (\d)", style)
        lines.append(f"{'#' * (int(level.group(1)) + 1)} {text}" if level else text)
    return "\n\n".join(lines)


def _html_text(data: bytes, filename: str) -> tuple[str, str | None]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_decode(data, filename))
    for node in tree.css("script, style, noscript, nav, header, footer, form"):
        node.decompose()
    title_node = tree.css_first("title") or tree.css_first("h1")
    title = title_node.text(strip=True) if title_node else None
    body = tree.body or tree.root
    if body is None:
        return "", title
    blocks = []
    for node in body.css("h1, h2, h3, h4, p, li, td, pre, blockquote"):
        text = re.sub(r"\s+", " ", node.text(separator=" ", strip=True))
        if not text:
            continue
        if node.tag in ("h1", "h2", "h3", "h4"):
            text = f"{'#' * int(node.tag[1])} {text}"
        elif node.tag == "li":
            text = f"- {text}"
        blocks.append(text)
    if not blocks:
        blocks = [body.text(separator="\n", strip=True)]
    return "\n\n".join(blocks), title


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _with_defaults(meta: dict[str, Any], text: str, filename: str) -> dict[str, Any]:
    """Fill what the file says about itself in its text; explicit metadata always wins."""
    meta = dict(meta)
    language = meta.get("language") or detect_language(text)
    meta.setdefault("language", language)
    if "id" not in meta:
        meta["id"] = document_id(filename, language)
    for key, value in metadata_from_text(text, filename).items():
        meta.setdefault(key, value)
    return meta
