"""The web's own exceptions: raised by dependencies and routes, answered by web/errors.py.

A leaf module (no web imports), so auth, deps and views can raise them without pulling in
the handlers and the templates.
"""

from __future__ import annotations

from portal.errors import NotFound as DomainNotFound


class NotFound(DomainNotFound):
    """A domain NotFound that names what was looked for (its API detail says which)."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind


class NotReady(Exception):
    """The knowledge base is still being indexed."""


class NotAuthenticated(Exception):
    """The route needs a signed-in user and there is none (or the session ended)."""

    def __init__(self, next_url: str = "/") -> None:
        super().__init__("sign in first")
        self.next_url = next_url


class CsrfFailed(Exception):
    """A state-changing request without a valid CSRF token."""
