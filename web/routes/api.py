"""JSON API, version 1: the assistant and the documents."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from knowledge import registry
from web import conversation_owner
from web.core import observability
from web.deps import (
    AssistantDep,
    ComponentsDep,
    DocumentDep,
    KnowledgeDep,
    OptionalUser,
    SessionDep,
)
from web.schemas import ChatRequest, ChatResponse, DocumentOut, DocumentWithText

router = APIRouter(prefix="/api/v1", tags=["assistant"])


@router.post("/chat", response_model=ChatResponse)
def chat(
    body: ChatRequest,
    assistant: AssistantDep,
    user: OptionalUser,
    request: Request,
    response: Response,
    session: SessionDep,
) -> ChatResponse:
    """Answer a question from the center's documents, with citations, or refuse plainly.

    `conversation_id` continues one of the caller's conversations; another's is a 404, and an
    unknown one starts a new conversation with an id made by the server.
    """
    conversation = conversation_owner.conversation_for(request, session, user, body.conversation_id)
    conversation_owner.remember_visitor(request, response)
    with observability.answering(request) as record:  # answer latency and refusals
        turn = assistant.ask(
            body.question,
            conversation_id=conversation,
            asker_id=user.id if user else None,
            company_id=user.company_id if user else None,
        )
        record(turn.answer)
    return ChatResponse.of_turn(turn)


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
        Literal["in_force", "draft", "superseded", "announced", "proposed", "expired"] | None,
        Query(),
    ] = None,
    language: Annotated[Literal["zh", "en"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> list[DocumentOut]:
    """List the knowledge base's documents with their metadata, filtered."""
    with components.sessions() as session:
        rows = registry.list_documents(
            session=session,
            category=category,
            jurisdiction=jurisdiction,
            status=status,
            language=language,
            query=q,
        )
    return [DocumentOut.of(row) for row in rows]


@router.get("/documents/{document_id}", response_model=DocumentWithText)
def get_document(
    document: DocumentDep, knowledge: KnowledgeDep, user: OptionalUser
) -> DocumentWithText:
    """One document's metadata, full text (citations quote it verbatim) and index status.

    A withdrawn document's text is for the center's staff only; everyone else gets its
    metadata, `withdrawn: true` and the replacement (`superseded_by`) with an empty text.
    """
    shown = DocumentWithText.of(document, knowledge.state(document.id))
    if document.withdrawn and not (user is not None and user.is_staff):
        return shown.model_copy(update={"text": ""})
    return shown
