"""The chat page: ask, read the cited answer, open a passage, start over. Works without JS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from web import conversation_owner
from web.core import observability
from web.deps import AssistantDep, LanguageDep, OptionalUser, SessionDep
from web.schemas import ChatRequest
from web.templating import is_htmx, render
from web.views import answers

router = APIRouter(tags=["pages"])


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    """Send visitors to the chat page."""
    return RedirectResponse("/chat", status_code=303)


@router.get("/chat", response_class=HTMLResponse)
def chat_page(
    request: Request,
    assistant: AssistantDep,
    language: LanguageDep,
    session: SessionDep,
    user: OptionalUser,
    c: str | None = None,
    rated: str | None = None,
    q: Annotated[str, Query(max_length=2000)] = "",
) -> HTMLResponse:
    """Show the chat with the caller's conversation `c`; `q` prefills the question box."""
    conversation_id = c if c and conversation_owner.readable(request, session, user, c) else None
    turns = assistant.history(conversation_id) if conversation_id else []
    actions = answers.chat_actions(request, session, rated=rated)
    return render(
        request,
        "chat.html",
        {
            "turns": turns,
            "conversation_id": conversation_id or "",
            "question": q.strip(),  # a service guide's common question, to send or edit
            "error": None,
            "actions": actions,
        },
        language=language,
    )


@router.post("/chat", response_class=HTMLResponse)
def ask(
    request: Request,
    assistant: AssistantDep,
    language: LanguageDep,
    session: SessionDep,
    user: OptionalUser,
    question: Annotated[str, Form()] = "",
    conversation_id: Annotated[str, Form()] = "",
) -> Response:
    """Answer a question: a fragment for htmx, else redirect to the conversation (303)."""
    try:
        body = ChatRequest(question=question, conversation_id=conversation_id or None)
    except ValidationError as error:
        fields = {str(e["loc"][0]) for e in error.errors()}
        key = "error.question_long" if len(question) > 2000 else "error.question_empty"
        if "conversation_id" in fields and "question" not in fields:
            body = ChatRequest(question=question, conversation_id=None)
        else:
            return _form_error(request, language, key, question, conversation_id)
    conversation = conversation_owner.conversation_for(request, session, user, body.conversation_id)
    with observability.answering(request) as record:  # answer latency and refusals
        turn = assistant.ask(body.question, conversation_id=conversation, **answers.asker(user))
        record(turn.answer)
    if is_htmx(request):
        response = render(
            request,
            "chat.html",
            {
                "turns": [turn],
                "conversation_id": conversation,
                "actions": answers.chat_actions(request, session),
            },
            language=language,
            block="turn_response",
        )
        # Name the conversation in the address bar, so reload and Back keep it.
        response.headers["HX-Replace-Url"] = f"/chat?c={conversation}"
        conversation_owner.remember_visitor(request, response)
        return response
    redirect = RedirectResponse(f"/chat?c={conversation}#latest", status_code=303)
    conversation_owner.remember_visitor(request, redirect)
    return redirect


def _form_error(
    request: Request, language: LanguageDep, key: str, question: str, conversation_id: str
) -> HTMLResponse:
    if is_htmx(request):
        response = render(
            request, "chat.html", {"error": key}, language=language, block="form_error"
        )
        response.headers["HX-Retarget"] = "#form-error"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    return render(
        request,
        "chat.html",
        {
            "turns": [],
            "conversation_id": conversation_id,
            "question": question,
            "error": key,
            "actions": {},
        },
        language=language,
        status_code=422,
    )
