"""JSON API, version 1: the assistant and the documents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from knowledge import registry
from web.deps import AssistantDep, ComponentsDep, DocumentDep
from web.schemas import ChatRequest, ChatResponse, DocumentOut, DocumentWithText

router = APIRouter(prefix="/api/v1", tags=["assistant"])


@router.post("/chat", response_model=ChatResponse)
def chat(body: ChatRequest, assistant: AssistantDep) -> ChatResponse:
    """Answer a question from the center's documents, with citations, or refuse plainly."""
    answer, conversation_id = assistant.ask(body.question, conversation_id=body.conversation_id)
    return ChatResponse.of(answer, conversation_id)


@router.get("/documents", response_model=list[DocumentOut])
def list_documents(
    components: ComponentsDep,
    category: Annotated[
        Literal["policy", "regulation", "guideline", "service", "news"] | None, Query()
    ] = None,
    jurisdiction: Annotated[
        Literal["national", "guangdong", "guangzhou", "nansha", "gba", "hk_macao"] | None,
        Query(),
    ] = None,
    status: Annotated[
        Literal["in_force", "draft", "superseded", "announced"] | None, Query()
    ] = None,
    language: Annotated[Literal["zh", "en"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[DocumentOut]:
    """List the knowledge base's documents with their metadata, filtered."""
    with components.sessions() as session:
        rows = registry.list_documents(
            session=session, category=category, jurisdiction=jurisdiction,
            status=status, language=language, query=q,
        )  # fmt: skip
    return [DocumentOut.of(row) for row in rows]


@router.get("/documents/{document_id}", response_model=DocumentWithText)
def get_document(document: DocumentDep) -> DocumentWithText:
    """One document's metadata and full text (citations quote this text verbatim)."""
    return DocumentWithText.of(document)
