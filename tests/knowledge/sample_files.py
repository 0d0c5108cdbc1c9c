"""Files written for the loader tests: real PDF and DOCX files, text files, damaged archives."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import docx
from fpdf import FPDF

PARAGRAPH = "Nansha supports cell and gene therapy companies with rent subsidies and talent awards."


def make_pdf(path: Path, pages: list[str]) -> Path:
    """Write a real PDF with one page per text (Helvetica: the machine has no CJK font)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def make_docx(path: Path) -> Path:
    """Write a real DOCX with two heading levels, body paragraphs and an empty paragraph."""
    document = docx.Document()
    document.add_heading("Nansha biomedicine measures", level=1)
    document.add_paragraph(PARAGRAPH)
    document.add_paragraph("")
    document.add_heading("Eligibility", level=2)
    document.add_paragraph("Companies registered in Nansha for at least one year qualify.")
    document.save(str(path))
    return path


MARKDOWN = """---
id: nansha-cit-15-en
title: Nansha 15% corporate income tax
language: en
translation_of: nansha-cit-15-zh
category: policy
issuer: Ministry of Finance
doc_number: 财税〔2022〕40号
issued: 2022-11-18
effective: 2022-01
status: in_force
jurisdiction: nansha
source_url: https://example.org/cit
verified: true
---

Qualifying companies in Nansha pay corporate income tax at **15%**.

## Scope

The `encouraged industries` list decides who qualifies.
"""


def write(path: Path, content: str | bytes) -> Path:
    """Write text (as UTF-8) or bytes to the path; return the path."""
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def corrupt_zip_member(data: bytes, member: str) -> bytes:
    """Overwrite the start of a member's compressed data: the zip index itself stays valid."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 :][:4])
    start = info.header_offset + 30 + name_length + extra_length
    return data[:start] + b"\xff" * 4 + data[start + 4 :]


def truncate_zip_member(data: bytes, member: str) -> bytes:
    """Rewrite the zip with one member cut in half, so that member is malformed XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(
                item, content[: len(content) // 2] if item.filename == member else content
            )
    return out.getvalue()
