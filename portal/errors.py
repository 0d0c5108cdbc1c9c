"""Domain errors: they carry no HTTP; web/errors.py maps them to responses."""

from __future__ import annotations


class PortalError(Exception):
    """Base of the portal's domain errors."""


class NotFound(PortalError):
    """The thing does not exist, or the caller may not know that it exists."""


class PermissionDenied(PortalError):
    """The caller may see the thing but not do this to it."""


class InvalidTransition(PortalError):
    """A workflow step that the transition table does not allow."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"a request that is {current} cannot become {target}")
        self.current = current
        self.target = target


class ValidationFailed(PortalError):
    """Input that breaks a rule; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class RateLimited(PortalError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts, try again in {retry_after} s")
        self.retry_after = retry_after
