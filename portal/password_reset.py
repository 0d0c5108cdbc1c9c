"""Forgotten passwords: a one-time link by e-mail, the same answer whatever the address.

Anyone may ask for a link for any address; only an active account's owner gets one, through
the outbox, and the caller shows the same page either way, so the form tells nobody which
addresses have accounts. At most MAX_PER_HOUR links per account per hour, so the form cannot
be used to flood someone's mailbox. Staff may send a link for a company's user who calls
them (the e-mail still goes to the account's own address; the staff member never sees it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from portal import account_tokens, accounts, notifications, texts
from portal.errors import NotFound, PermissionDenied
from portal.models import Event, User

MAX_PER_HOUR = 3

# A link for a token, made by the web layer (it knows the site's public address).
LinkMaker = Callable[[str], str]


def _send(
    session: Session, user: User, *, now: datetime, link: LinkMaker, by: User | None = None
) -> None:
    token = account_tokens.issue(
        session=session,
        user_id=user.id,
        purpose=account_tokens.RESET,
        now=now,
        created_by_id=by.id if by else None,
    )
    body = texts.PASSWORD_RESET_BODY.format(link=link(token))
    body += texts.PASSWORD_RESET_BY_STAFF_NOTE if by else ""
    notifications.enqueue(
        session=session, user_ids=[user.id], subject=texts.PASSWORD_RESET_SUBJECT, body=body
    )


def _may_send(session: Session, user: User, now: datetime) -> bool:
    recent = account_tokens.issued_since(
        session=session,
        user_id=user.id,
        purpose=account_tokens.RESET,
        since=now - timedelta(hours=1),
    )
    return recent < MAX_PER_HOUR


def request_reset(*, session: Session, email: str, now: datetime, link: LinkMaker) -> None:
    """Send a reset link if an active account has this address; return nothing either way."""
    if accounts.check_email(email):
        return
    user = accounts.get_user_by_email(session=session, email=email)
    if user is None or not user.active or not _may_send(session, user, now):
        return
    _send(session, user, now=now, link=link)
    session.commit()


def send_for(
    *, session: Session, actor: User, user_id: int, now: datetime, link: LinkMaker
) -> User:
    """Staff: send a reset link to a user's own address (recorded); NotFound if not active."""
    if not actor.is_staff:
        raise PermissionDenied("this is for the center's staff")
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"user {user_id}")
    if user.role == "admin" and actor.role != "admin":
        raise PermissionDenied("only an administrator can reset an administrator's password")
    if _may_send(session, user, now):
        _send(session, user, now=now, link=link, by=actor)
    session.add(Event(actor_id=actor.id, kind="password_reset_sent", note=user.email, at=now))
    session.commit()
    return user


def holder(*, session: Session, token: str, now: datetime) -> User | None:
    """The active user an open reset link belongs to, or None (nothing changes)."""
    user = account_tokens.holder(
        session=session, token=token, purpose=account_tokens.RESET, now=now
    )
    return user if user is not None and user.active else None


def reset(*, session: Session, token: str, password: str, now: datetime) -> User:
    """Set a new password with a reset link: the link is used up and every session ends.

    ValidationFailed for a refused password (the link still works); NotFound for a link that
    is unknown, used or expired.
    """
    user = holder(session=session, token=token, now=now)
    if user is None:
        raise NotFound("no such link")
    accounts.set_password(session=session, user=user, password=password)  # may refuse it
    account_tokens.take(session=session, token=token, purpose=account_tokens.RESET, now=now)
    session.commit()
    return user
