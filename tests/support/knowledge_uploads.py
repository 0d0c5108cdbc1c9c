"""Documents for the knowledge-maintenance tests: PDFs, metadata, uploads, waiting for the index."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from fpdf import FPDF

from knowledge import registry
from web.core.components import Components


def pdf_bytes(*lines: str) -> bytes:
    """A one-page PDF holding `lines` as text."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def meta(doc_id: str, **extra: Any) -> dict[str, Any]:
    """The upload form's metadata of an English Nansha policy, changed by `extra`."""
    return {
        "id": doc_id,
        "title": f"{doc_id} notice",
        "language": "en",
        "category": "policy",
        "jurisdiction": "nansha",
        **extra,
    }


def upload(client: TestClient, doc_id: str, data: bytes, filename: str, **extra: Any):  # type: ignore[no-untyped-def]
    """POST a document with its metadata to the staff API (not waiting for the index)."""
    return client.post(
        "/api/v1/documents", data=meta(doc_id, **extra), files={"file": (filename, data)}
    )


def wait_for(client: TestClient, doc_id: str, *states: str) -> dict[str, Any]:
    """Poll the document until its index status is one of `states` (90 s at most)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/documents/{doc_id}").json()
        if body["index_status"] in states:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{doc_id} never reached {states}: {body}")


def ask(client: TestClient, question: str) -> dict[str, Any]:
    """Ask the chat API and return its JSON answer."""
    # No waiting: a job is `ready` only once this process answers from the new version.
    response = client.post("/api/v1/chat", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def document_count(parts: Components) -> int:
    """How many documents the registry holds, withdrawn ones included."""
    with parts.sessions() as session:
        return len(registry.list_documents(session=session, include_withdrawn=True))
