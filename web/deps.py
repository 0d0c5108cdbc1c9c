"""Request dependencies: the portal's parts, the user's language, documents loaded or 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.registry import DocumentRow
from portal.models import User
from retrieval.assistant import Assistant
from retrieval.knowledge_admin import KnowledgeAdmin
from web import auth
from web.core.components import Components
from web.errors import NotFound, NotReady
from web.i18n import LANGUAGES, UiLanguage, negotiate

LANGUAGE_COOKIE = "lang"


def get_components(request: Request) -> Components:
    """The running parts of the portal."""
    return request.app.state.components


def get_session(request: Request) -> Iterator[Session]:
    """A database session for the request, closed after the response (services commit)."""
    with get_components(request).sessions() as session:
        yield session


def get_ready_assistant(request: Request) -> Assistant:
    """The assistant, once the index is ready (503 before)."""
    if not request.app.state.ready.is_set():
        raise NotReady()
    return get_components(request).assistant


def get_language(request: Request, lang: Annotated[str | None, Query()] = None) -> UiLanguage:
    """The interface language: ?lang=, then the cookie, then Accept-Language."""
    for candidate in (lang, request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return negotiate(request.headers.get("accept-language"))


def get_document(
    document_id: str, components: Annotated[Components, Depends(get_components)]
) -> DocumentRow:
    """The document named in the path, or 404."""
    with components.sessions() as session:
        row = registry.get(session=session, document_id=document_id)
    if row is None:
        raise NotFound("document", document_id)
    return row


def get_knowledge(request: Request) -> KnowledgeAdmin:
    """The knowledge-maintenance service of the running app."""
    return request.app.state.knowledge


ComponentsDep = Annotated[Components, Depends(get_components)]
AssistantDep = Annotated[Assistant, Depends(get_ready_assistant)]
LanguageDep = Annotated[UiLanguage, Depends(get_language)]
KnowledgeDep = Annotated[KnowledgeAdmin, Depends(get_knowledge)]
DocumentDep = Annotated[DocumentRow, Depends(get_document)]
SessionDep = Annotated[Session, Depends(get_session)]
# Who is asking: pages redirect visitors to /login (303), the API answers 401;
# CurrentStaff and CurrentAdmin answer 403 to everyone else.
OptionalUser = Annotated[User | None, Depends(auth.optional_user)]
CurrentUser = Annotated[User, Depends(auth.require_user)]
CurrentStaff = Annotated[User, Depends(auth.require_staff)]
CurrentAdmin = Annotated[User, Depends(auth.require_admin)]
