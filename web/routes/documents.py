"""The document library: browse, search and read documents, with cited passages highlighted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from knowledge import editions, registry
from retrieval.document_status import repealed_by, repeals_of
from web.deps import ComponentsDep, DocumentDep, LanguageDep, OptionalUser
from web.templating import render
from web.views.documents import Span, parse_highlight, render_document

router = APIRouter(tags=["pages"])

CATEGORIES = ("policy", "regulation", "guideline", "service", "news")
JURISDICTIONS = ("national", "guangdong", "guangzhou", "nansha", "gba", "hk_macao")
STATUSES = ("in_force", "draft", "superseded", "announced", "proposed", "expired")


def _choice(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


@router.get("/documents", response_class=HTMLResponse)
def library(
    request: Request,
    components: ComponentsDep,
    language: LanguageDep,
    category: str | None = None,
    jurisdiction: str | None = None,
    status: str | None = None,
    doc_language: Annotated[str | None, Query(alias="language")] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """List documents by category, jurisdiction, status and language, with a text search."""
    filters = {
        "category": _choice(category, CATEGORIES),
        "jurisdiction": _choice(jurisdiction, JURISDICTIONS),
        "status": _choice(status, STATUSES),
        "language": _choice(doc_language, ("zh", "en")),
        "q": (q or "").strip() or None,
    }
    with components.sessions() as session:
        rows = registry.list_documents(
            session=session,
            category=filters["category"],
            jurisdiction=filters["jurisdiction"],
            language=filters["language"],
            query=filters["q"],
        )
    # The status answers use: an older edition of a text the library holds in a newer one is
    # superseded (knowledge.editions), whatever status its row stores.
    current = components.assistant.index().documents
    statuses = {r.id: current[r.id].status if r.id in current else r.status for r in rows}
    if filters["status"]:
        rows = [r for r in rows if statuses[r.id] == filters["status"]]
    return render(
        request,
        "documents.html",
        {
            "documents": rows,
            "document_statuses": statuses,
            "filters": filters,
            "categories": CATEGORIES,
            "jurisdictions": JURISDICTIONS,
            "statuses": STATUSES,
        },
        language=language,
        block="results",
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def view(
    request: Request,
    document: DocumentDep,
    components: ComponentsDep,
    language: LanguageDep,
    user: OptionalUser,
    hl: Annotated[str | None, Query(max_length=20)] = None,
    c: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
) -> HTMLResponse:
    """Show a document with its metadata; `hl=start-end` highlights a quoted passage.

    `c` names the conversation a citation was opened from: the back link returns there.

    A withdrawn document's text is for the center's staff only: others see the notice and
    the replacement, not what the center took back.
    """
    withheld = document.withdrawn and not (user is not None and user.is_staff)
    with components.sessions() as session:
        spans = [
            Span(c.id, c.start, c.start + len(c.text))
            for c in registry.chunks_of(session=session, document_id=document.id)
        ]
        translation = (
            registry.get(session=session, document_id=document.translation_of)
            if document.translation_of
            else None
        )
        newer = editions.newer_edition(session=session, document=document)
        index = components.assistant.index()
        repealing = repealed_by(index, document.id)
        repeals = repeals_of(index, document.id)
        repealer = registry.get(session=session, document_id=repealing) if repealing else None
    highlight = parse_highlight(hl, len(document.text))
    return render(
        request,
        "document.html",
        {
            "document": document,
            "translation": translation,
            "newer": newer,
            "repealer": repealer,
            "repeals": repeals,
            "body": None if withheld else render_document(document.text, spans, highlight),
            "highlight": None if withheld else highlight,
            "conversation": c,
        },
        language=language,
    )
