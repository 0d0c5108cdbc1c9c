"""Links that confirm a new account's e-mail: signed, valid 48 hours, sent through the outbox.

The link carries the user's id and session_version signed with the secret key; disabling the
user bumps the version, so an old link cannot bring a disabled account back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import quote

from fastapi import Request
from sqlalchemy.orm import Session

from portal import notifications
from portal.models import User
from web import auth
from web.settings import Settings

log = logging.getLogger(__name__)
MAX_AGE = 48 * 3600
SUBJECT = "Confirm your registration · 请确认注册"
BODY = (
    "Open this link to confirm your e-mail address and start using the portal (valid 48 hours):"
    "\n{link}\n"
    "请打开以下链接确认您的邮箱并开始使用门户（48 小时内有效）：\n{link}\n"
)


def send(request: Request, session: Session, user: User) -> None:
    """Queue the confirmation e-mail for a new, inactive user (the caller's session commits)."""
    settings: Settings = request.app.state.components.settings
    token = auth.sign(settings, {"u": user.id, "v": user.session_version}, purpose="confirm")
    # Never the request's Host header: anyone can send one, and the link must lead here.
    base = (settings.public_url or "").rstrip("/")
    link = f"{base}/register/confirm?token={token}"
    notifications.enqueue(
        session=session,
        user_ids=[user.id],
        subject=SUBJECT,
        body=BODY.format(link=link),
        include_inactive=True,
    )
    session.commit()
    if not settings.smtp_enabled:  # no mail leaves this machine: the operator needs the link
        log.warning("registration of %s waits for confirmation: %s", user.email, link)


def read(settings: Settings, token: str) -> tuple[int, int] | None:
    """The (user id, version) a valid, unexpired link names, or None."""
    try:
        payload = auth.unsign(settings, token, purpose="confirm", max_age=MAX_AGE)
        return int(payload["u"]), int(payload["v"])
    except (KeyError, TypeError, ValueError):
        return None


def link_maker(request: Request, path: str) -> Callable[[str], str]:
    """Links `path?token=…` for e-mails, on the site's public address (never the Host header)."""
    settings: Settings = request.app.state.components.settings
    base = (settings.public_url or "").rstrip("/")
    return lambda token: f"{base}{path}?token={quote(token)}"
