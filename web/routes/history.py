"""My questions: a signed-in user's past conversations, searchable, reopened, printed, exported."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from retrieval import answer_log, conversations
from web import conversation_owner
from web.deps import CurrentUser, LanguageDep, SessionDep
from web.exceptions import NotFound
from web.templating import render
from web.views import conversation_export
from web.views.display import local_time

router = APIRouter(tags=["pages"])


@router.get("/history", response_class=HTMLResponse)
def history_page(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: CurrentUser,
    q: str = "",
    page: int = 1,
) -> HTMLResponse:
    """List the user's conversations, newest first; `q` searches questions and answers."""
    found = conversations.list_conversations(
        session=session, user_id=user.id, query=q, page=max(1, min(page, 10_000))
    )
    context = {"found": found, "q": q[:200], "local_time": local_time}
    return render(request, "history/list.html", context, language=language, block="results")


def _turns(
    request: Request, session: SessionDep, user: CurrentUser, conversation_id: str
) -> list[answer_log.Turn]:
    """The caller's conversation, or 404 (someone else's answers exactly like a missing one)."""
    if not conversation_owner.readable(request, session, user, conversation_id):
        raise NotFound("conversation", conversation_id)
    turns = conversations.conversation_turns(session=session, conversation_id=conversation_id)
    if not turns:
        raise NotFound("conversation", conversation_id)
    return turns


@router.get("/history/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: CurrentUser,
    conversation_id: str,
) -> HTMLResponse:
    """Show one past conversation as it was answered, ready to print or to go on with."""
    turns = _turns(request, session, user, conversation_id)
    context = {
        "turns": turns,
        "conversation_id": conversation_id,
        "local_time": local_time,
        "printed_at": local_time(datetime.now(UTC)),
    }
    return render(request, "history/conversation.html", context, language=language)


@router.get("/history/{conversation_id}/export.md")
def export_markdown(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    user: CurrentUser,
    conversation_id: str,
) -> Response:
    """Download the conversation as Markdown, each answer with its cited sources."""
    turns = _turns(request, session, user, conversation_id)
    settings = request.app.state.components.settings
    text = conversation_export.to_markdown(
        turns,
        language=language,
        base_url=(settings.public_url or "").rstrip("/"),
        exported_at=datetime.now(UTC),
    )
    stamp = turns[0].asked_at.strftime("%Y%m%d-%H%M")
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="questions-{stamp}.md"'},
    )
