"""Submitted forms: text values and uploaded files of a urlencoded or multipart request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, BinaryIO

from fastapi import Form, Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartParser

from portal import completeness
from portal.errors import ValidationFailed

MAX_FILES = 10
Text = Annotated[str, Form(max_length=300)]  # a short text field of a form
CITATION_ROWS = 3  # empty citation rows a new curated-answer form offers
SLOT_PREFIX = completeness.slot_name("")


@dataclass
class SubmittedForm:
    """A parsed multipart form: text values (lists for repeated names) and uploaded files."""

    values: dict[str, str | list[str]] = field(default_factory=dict)
    files: list[tuple[str, BinaryIO]] = field(default_factory=list)
    # One file per named material slot (inputs named material_<key>), by the input's name.
    uploads: dict[str, tuple[str, BinaryIO]] = field(default_factory=dict)

    def text(self, name: str) -> str:
        """The single text value of a field ('' when absent)."""
        value = self.values.get(name, "")
        return value[0] if isinstance(value, list) and value else str(value or "")


# Multipart parts past this size are spooled to a temporary file on disk while the form is
# parsed (Starlette's default is 1 MiB): parallel uploads of many large files must not fill
# the memory. portal.attachments then reads them in chunks.
MultiPartParser.spool_max_size = 64 * 1024


async def submitted_form(request: Request) -> SubmittedForm:
    """Read the form (urlencoded or multipart) with its files, skipping empty file inputs."""
    form = await request.form()
    parsed = SubmittedForm()
    for name in form:
        items = form.getlist(name)
        texts = [v for v in items if isinstance(v, str)]
        for item in items:
            if isinstance(item, UploadFile) and item.filename:
                # The spooled file itself, not its bytes: big files stay on disk (see below).
                if name.startswith(SLOT_PREFIX) and name not in parsed.uploads:
                    parsed.uploads[name] = (item.filename, item.file)
                else:
                    parsed.files.append((item.filename, item.file))
        if texts:
            parsed.values[name] = texts if len(texts) > 1 else texts[0]
    if len(parsed.files) + len(parsed.uploads) > MAX_FILES:
        raise ValidationFailed({"files": "too_many_files"})
    return parsed
