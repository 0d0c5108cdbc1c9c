"""One-time links sent by e-mail (password reset, invitation): random, hashed, expiring, used once.

The link carries 256 random bits; the table keeps only their SHA-256, so a copy of the
database (a backup, a leaked dump) opens no account. A token is taken with one conditional
UPDATE (`used_at IS NULL AND expires_at > now`), so two clicks racing each other cannot both
win, and taking one voids the user's other open tokens of the same purpose.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from portal.errors import NotFound
from portal.models import AccountToken, User

RESET = "reset"
INVITATION = "invitation"
LIFETIMES = {RESET: timedelta(hours=1), INVITATION: timedelta(days=7)}
MAX_TOKEN_CHARS = 100  # what a link's token may be; longer input is not even hashed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def issue(
    *, session: Session, user_id: int, purpose: str, now: datetime, created_by_id: int | None = None
) -> str:
    """Store a new token for the user and return it (the only time it exists in clear)."""
    token = secrets.token_urlsafe(32)
    now = _utc(now)
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=_hash(token),
            created_by_id=created_by_id,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    return token


def _open(purpose: str, now: datetime) -> list[Any]:
    return [
        AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > _utc(now),
    ]


def holder(*, session: Session, token: str, purpose: str, now: datetime) -> User | None:
    """The user an open token of this purpose belongs to, or None (nothing is changed)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    row = session.scalar(
        select(AccountToken).where(AccountToken.token_hash == _hash(token), *_open(purpose, now))
    )
    return session.get(User, row.user_id) if row is not None else None


def take(*, session: Session, token: str, purpose: str, now: datetime) -> User:
    """Use the token up and return its user; NotFound when unknown, used or expired.

    The caller commits, with whatever the token allowed (a new password, an activation).
    """
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise NotFound("no such link")
    digest = _hash(token)
    user_id = session.scalar(select(AccountToken.user_id).where(AccountToken.token_hash == digest))
    taken = cast(
        CursorResult[Any],
        session.execute(
            update(AccountToken)
            .where(AccountToken.token_hash == digest, *_open(purpose, now))
            .values(used_at=_utc(now))
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    user = session.get(User, user_id) if taken == 1 and user_id is not None else None
    if user is None:
        raise NotFound("no such link")
    void(session=session, user_id=user.id, purpose=purpose, now=now)
    return user


def void(*, session: Session, user_id: int, purpose: str, now: datetime) -> None:
    """Close every open token of the user for this purpose (the caller commits)."""
    session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user_id, *_open(purpose, now))
        .values(used_at=_utc(now))
        .execution_options(synchronize_session=False)
    )


def issued_since(*, session: Session, user_id: int, purpose: str, since: datetime) -> int:
    """How many tokens of this purpose the user got since then (to cap e-mails)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(AccountToken)
            .where(
                AccountToken.user_id == user_id,
                AccountToken.purpose == purpose,
                AccountToken.created_at > _utc(since),
            )
        )
        or 0
    )


def pending(*, session: Session, user_ids: list[int], purpose: str, now: datetime) -> set[int]:
    """Which of these users hold an open token of this purpose (e.g. invitations not yet used)."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(AccountToken.user_id).where(
                AccountToken.user_id.in_(user_ids), *_open(purpose, now)
            )
        )
    )
