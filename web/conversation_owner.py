"""Whose conversation this is: the signed-in user, or the visitor's browser (a cookie token).

Visitors get a random 256-bit token in an HttpOnly cookie the first time they ask; the
database keeps only its SHA-256 (retrieval.conversations). Someone else's conversation is
answered like one that does not exist: 404.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response
from sqlalchemy.orm import Session

from portal.models import User
from retrieval import conversations
from web.exceptions import NotFound

VISITOR_COOKIE = "cgt_visitor"
VISITOR_MAX_AGE = 30 * 86400


def _token(request: Request) -> str | None:
    token = request.cookies.get(VISITOR_COOKIE, "")
    return (
        token
        if 32 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
        else None
    )


def owner_of(request: Request, user: User | None) -> conversations.Owner:
    """The owner a new conversation would get, and whose existing ones may be read."""
    return conversations.Owner(user_id=user.id if user else None, visitor_token=_token(request))


def conversation_for(
    request: Request, session: Session, user: User | None, conversation_id: str | None
) -> str:
    """The conversation to ask in (a new server-made one unless the caller owns the given one)."""
    owner = owner_of(request, user)
    if user is None and owner.visitor_token is None:
        owner = conversations.Owner(visitor_token=secrets.token_urlsafe(32))
        request.state.new_visitor_token = owner.visitor_token
    # Someone else's conversation raises NotYours: a 404, as for a missing one (web/errors.py).
    return conversations.open_for(session=session, conversation_id=conversation_id, owner=owner)


def readable(request: Request, session: Session, user: User | None, conversation_id: str) -> bool:
    """True for the caller's conversation, False for an unknown id; 404 for someone else's."""
    owner = owner_of(request, user)
    mine = conversations.is_owner(session=session, conversation_id=conversation_id, owner=owner)
    if mine is False:
        raise NotFound("conversation", conversation_id)
    return bool(mine)


def remember_visitor(request: Request, response: Response) -> None:
    """Set the visitor cookie when conversation_for made a token for this response."""
    token = request.state._state.get("new_visitor_token")
    if token:
        settings = request.app.state.components.settings
        response.set_cookie(
            VISITOR_COOKIE,
            token,
            max_age=VISITOR_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=settings.environment == "production",
            path="/",
        )
