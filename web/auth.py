"""Sessions in signed cookies, CSRF tokens, and the current user of a request.

The session cookie holds the user's id, their session_version and a random nonce, signed
with the secret key (itsdangerous). A new nonce at every sign-in means a new cookie value
(no session fixation); bumping session_version (signing out, "log out everywhere", password
change, disabling the user) invalidates every cookie issued before.

CSRF: the token is an HMAC of the session nonce (or, before sign-in, of the nonce in a
separate `cgt_csrf` cookie). Forms send it as the hidden field `csrf_token`, htmx as the
X-CSRF-Token header (set by hx-headers on <body>). It is checked on every state-changing
request that carries the session cookie, and on the sign-in forms themselves (login CSRF).
Requests with Content-Type application/json are exempt: a browser cannot send them
cross-site without a CORS preflight, which this app never grants. Anonymous requests
without a session cookie carry no authority to abuse, so public forms such as the chat
accept them; the chat form sends the token anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal import accounts
from portal.errors import NotFound as DomainNotFound
from portal.errors import PermissionDenied
from portal.models import User
from web.exceptions import CsrfFailed, NotAuthenticated
from web.settings import Settings

SESSION_COOKIE = "cgt_session"
CSRF_COOKIE = "cgt_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SESSION_MAX_AGE = 12 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class SessionData:
    """What the session cookie holds."""

    user_id: int
    version: int
    nonce: str


def _settings(request: Request) -> Settings:
    return request.app.state.components.settings


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="cgt-portal-session")


def sign(settings: Settings, payload: dict[str, Any], *, purpose: str) -> str:
    """A URL-safe signed, timestamped token of `payload` for one `purpose` (e.g. a link)."""
    return URLSafeTimedSerializer(settings.secret_key, salt=f"cgt-portal-{purpose}").dumps(payload)


def unsign(settings: Settings, token: str, *, purpose: str, max_age: int) -> dict[str, Any]:
    """The payload of a token made by `sign` for `purpose`; ValueError if forged or expired."""
    try:
        payload = URLSafeTimedSerializer(settings.secret_key, salt=f"cgt-portal-{purpose}").loads(
            token, max_age=max_age
        )
    except BadSignature as error:
        raise ValueError("invalid or expired token") from error
    if not isinstance(payload, dict):
        raise ValueError("invalid token")
    return payload


def _cookie_options(settings: Settings) -> dict[str, Any]:
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": settings.environment == "production",
        "path": "/",
    }


# --- the session cookie --------------------------------------------------------------------


def read_session(request: Request) -> SessionData | None:
    """The signed, unexpired session in the request's cookie, if any (not yet checked)."""
    if "session_data" in request.state._state:
        return request.state.session_data
    data = None
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        try:
            payload = _serializer(_settings(request)).loads(raw, max_age=SESSION_MAX_AGE)
            data = SessionData(int(payload["u"]), int(payload["v"]), str(payload["n"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            data = None
    request.state.session_data = data
    return data


def start_session(request: Request, response: Response, user: User) -> str:
    """Sign the user in on `response` with a fresh cookie value; return the new CSRF token."""
    settings = _settings(request)
    nonce = secrets.token_urlsafe(18)
    value = _serializer(settings).dumps({"u": user.id, "v": user.session_version, "n": nonce})
    response.set_cookie(SESSION_COOKIE, value, max_age=SESSION_MAX_AGE, **_cookie_options(settings))
    request.state.session_data = SessionData(user.id, user.session_version, nonce)
    request.state.user = user
    return _token(settings, nonce)


def end_session(request: Request, response: Response) -> None:
    """Sign out: remove the cookie and end the session on the server too.

    Cookies are stateless, so deleting the browser's copy would leave any copied value
    (a shared computer, a proxy log) valid until it expires. Signing out therefore bumps the
    user's session_version, which ends every session of the user, like "log out everywhere".
    """
    user = current_user(request)
    if user is not None:
        with request.app.state.components.sessions() as session:
            accounts.logout_everywhere(session=session, user_id=user.id)
    response.delete_cookie(SESSION_COOKIE, **_cookie_options(_settings(request)))
    request.state.session_data = None
    request.state.user = None


def current_user(request: Request) -> User | None:
    """The signed-in, active user whose session is still valid, or None (cached per request)."""
    if "user" in request.state._state:
        return request.state.user
    user = None
    data = read_session(request)
    if data is not None:
        with request.app.state.components.sessions() as session:
            try:
                found = accounts.get_user(session=session, user_id=data.user_id)
            except DomainNotFound:
                found = None
        if found is not None and found.active and found.session_version == data.version:
            user = found
    request.state.user = user
    return user


# --- dependencies --------------------------------------------------------------------------


def optional_user(request: Request) -> User | None:
    """The signed-in user, or None for visitors."""
    return current_user(request)


def require_user(request: Request) -> User:
    """The signed-in user; pages redirect visitors to /login, the API answers 401."""
    user = current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise NotAuthenticated(next_url=target)
    return user


def require_staff(request: Request) -> User:
    """A signed-in member of the center's staff (or an admin); company users get 403."""
    user = require_user(request)
    if not user.is_staff:
        raise PermissionDenied("this is for the center's staff")
    return user


def require_admin(request: Request) -> User:
    """A signed-in admin; everyone else gets 403."""
    user = require_user(request)
    if user.role != "admin":
        raise PermissionDenied("this is for administrators")
    return user


# --- CSRF ----------------------------------------------------------------------------------


def _token(settings: Settings, nonce: str) -> str:
    key = hashlib.sha256(("csrf:" + settings.secret_key).encode()).digest()
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def _csrf_nonce(request: Request) -> str | None:
    data = read_session(request)
    if data is not None:
        return data.nonce
    if "new_csrf_nonce" in request.state._state:
        return request.state.new_csrf_nonce
    nonce = request.cookies.get(CSRF_COOKIE)
    return nonce if nonce and 16 <= len(nonce) <= 64 else None


def csrf_token(request: Request, *, create: bool = False) -> str:
    """This visitor's CSRF token; "" for a visitor without one unless `create` (sets a cookie).

    Pages for visitors set no cookie unless they hold a form that needs the token before
    sign-in (login, registration): those call csrf_input(create=True).
    """
    nonce = _csrf_nonce(request)
    if nonce is None:
        if not create:
            return ""
        nonce = secrets.token_urlsafe(18)
        request.state.new_csrf_nonce = nonce
    return _token(_settings(request), nonce)


def attach_csrf_cookie(request: Request, response: Response) -> None:
    """Set the visitor's CSRF cookie when csrf_token(create=True) made one for this response."""
    nonce = request.state._state.get("new_csrf_nonce")
    if nonce:
        response.set_cookie(CSRF_COOKIE, nonce, **_cookie_options(_settings(request)))


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _sent_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if _media_type(request) in FORM_TYPES:
        form = await request.form()  # cached: the route reads the same parsed form
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong (403)."""
    if request.method in SAFE_METHODS or _media_type(request) == "application/json":
        return
    nonce = _csrf_nonce(request)
    sent = await _sent_token(request)
    expected = _token(_settings(request), nonce) if nonce else ""
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


async def csrf_protect(request: Request) -> None:
    """App-wide: check CSRF on every state-changing request that carries the session cookie."""
    if SESSION_COOKIE in request.cookies:
        await check_csrf(request)


# --- redirects -----------------------------------------------------------------------------


def safe_next(target: str | None, default: str = "/account") -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(char) < 32 for char in target):
        return default
    return target


def login_url(next_url: str) -> str:
    """The login page that returns to `next_url` afterwards."""
    return f"/login?next={quote(safe_next(next_url, '/'), safe='/')}"
