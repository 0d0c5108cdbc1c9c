"""The staff's knowledge-base forms: metadata choices, reading the form, refusals in words."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from knowledge.uploads import UploadRejected
from web.i18n import UiLanguage, translate
from web.views.display import local_time

CATEGORIES = ("policy", "regulation", "guideline", "service", "news")
STATUSES = ("in_force", "draft", "superseded", "announced", "proposed", "expired")
JURISDICTIONS = ("national", "guangdong", "guangzhou", "nansha", "gba", "hk_macao")
INDEX_STATES = ("queued", "indexing", "ready", "failed")
# Codes whose English detail adds to the translated reason (a loader's or a validator's words).
_DETAILED = ("file_unreadable", "invalid_metadata", "file_too_large", "file_mismatch")


def reason(error: UploadRejected, language: UiLanguage) -> str:
    """A refusal in the user's language, with the precise detail where it helps."""
    text = translate(f"kb.error.{error.code}", language)
    if error.code in _DETAILED or text == f"kb.error.{error.code}":
        text = f"{text} ({error.detail})" if text != f"kb.error.{error.code}" else error.detail
    return text


def choices() -> dict[str, Any]:
    """The metadata choices and helpers every knowledge page's forms use."""
    return {
        "categories": CATEGORIES,
        "statuses": STATUSES,
        "jurisdictions": JURISDICTIONS,
        "index_states": INDEX_STATES,
        "local_time": local_time,
    }


async def read_form(request: Request) -> tuple[dict[str, Any], UploadFile | None]:
    """The form's text values, and its file when one was sent."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    return values, upload if isinstance(upload, UploadFile) else None


async def read_upload(upload: UploadFile | None, limit: int) -> tuple[bytes, str]:
    """The file's bytes (one past `limit`, so too large shows) and its name."""
    if upload is None:
        return b"", ""
    return await upload.read(limit + 1), upload.filename or ""
