"""The request form's named material slots: each upload checked alone, and kept across retries.

A browser cannot refill a file input, so a form sent back for any reason would lose the files
already chosen. Each good upload is stored at once (content-addressed) and the form carries a
signed token per slot naming it; the next submission takes the token instead of a new file.
The token is bound to the user and the slot and expires, so it cannot name another file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

from fastapi import Request

from portal import completeness, service_specs
from portal.attachments import AttachmentStore, StoredFile, keep_uploads
from portal.models import User
from web import auth

PURPOSE = "kept-material"
MAX_AGE = 6 * 3600  # a form left open over lunch still submits its files
KEPT_PREFIX = "kept_"


@dataclass(frozen=True)
class SlotResult:
    """The materials a form provides (by key), the slots' problems, and tokens to keep them."""

    materials: dict[str, StoredFile]
    errors: dict[str, str]  # by slot name (material_<key>)
    tokens: dict[str, str]  # by slot name


def _token(request: Request, user: User, key: str, stored: StoredFile) -> str:
    payload = {
        "u": user.id,
        "k": key,
        "f": stored.filename,
        "t": stored.content_type,
        "s": stored.size,
        "h": stored.sha256,
    }
    return auth.sign(request.app.state.components.settings, payload, purpose=PURPOSE)


def _from_token(request: Request, user: User, key: str, token: str) -> StoredFile | None:
    try:
        data = auth.unsign(
            request.app.state.components.settings, token[:2000], purpose=PURPOSE, max_age=MAX_AGE
        )
    except ValueError:
        return None
    if data.get("u") != user.id or data.get("k") != key:
        return None
    try:
        return StoredFile(str(data["f"]), str(data["t"]), int(data["s"]), str(data["h"]))
    except (KeyError, TypeError, ValueError):
        return None


def read_slots(
    *,
    request: Request,
    user: User,
    store: AttachmentStore,
    service_code: str,
    uploads: Mapping[str, tuple[str, BinaryIO]],
    values: Mapping[str, str | list[str]],
) -> SlotResult:
    """Check each slot's new file on its own; a slot without one keeps its earlier file."""
    spec = service_specs.spec_for(service_code=service_code)
    slots = {completeness.slot_name(a.key): a.key for a in spec.attachments}
    fresh = {slots[name]: upload for name, upload in uploads.items() if name in slots}
    stored, problems = keep_uploads(store=store, uploads=fresh)
    materials: dict[str, StoredFile] = {}
    for name, key in slots.items():
        if key in stored:
            materials[key] = stored[key]
        elif key not in problems:
            token = values.get(KEPT_PREFIX + name)
            earlier = _from_token(request, user, key, token) if isinstance(token, str) else None
            if earlier is not None:
                materials[key] = earlier
    return SlotResult(
        materials=materials,
        errors={completeness.slot_name(k): reason for k, reason in problems.items()},
        tokens={
            completeness.slot_name(k): _token(request, user, k, f) for k, f in materials.items()
        },
    )
