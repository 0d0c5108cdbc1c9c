"""Sign-in throttling that slows password guessing without locking the owner out.

Failures are rows of LoginAttempt (shared by every worker through the database) under three
keys: the email+address pair, the client address, and the email alone.

- pair: three failures are free, then each further try waits twice as long as the one before
  (15 s, 30 s, 1 min, … at most 15 min). Only that address is slowed for that account.
- address: at most 20 failures per 15 minutes from one address, whatever the emails.
- email: when one account collects 10 failures in 15 minutes (guessing spread over many
  addresses), only addresses the owner has signed in from before still get through.

A fixed per-account limit would let anyone lock any account, staff and admins included, by
typing five wrong passwords; these keys never block the owner's right password from the
address they usually use. The owner is told by notification when failures pile up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from portal.errors import RateLimited
from portal.models import LoginAttempt

WINDOW = timedelta(minutes=15)
FREE_FAILURES_PER_PAIR = 3
FIRST_DELAY = timedelta(seconds=15)
MAX_DELAY = timedelta(minutes=15)
MAX_FAILURES_PER_IP = 20
MAX_FAILURES_PER_EMAIL = 10  # from addresses the owner never signed in from
NOTIFY_AFTER = 5  # failures of one account in the window: its owner gets a notification
KEEP_FAILURES = timedelta(days=1)
KEEP_SUCCESSES = timedelta(days=90)  # how long an address stays "usual" for an account


def keys(email: str, client_ip: str) -> tuple[str, str, str]:
    """The pair, address and email keys of an attempt."""
    return f"pair:{client_ip}|{email}"[:300], f"ip:{client_ip}"[:300], f"email:{email}"[:300]


def naive_utc(moment: datetime) -> datetime:
    """SQLite keeps no offset: compare and store times as naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _failures(session: Session, key: str, since: datetime) -> list[datetime]:
    return [
        naive_utc(at)
        for at in session.scalars(
            select(LoginAttempt.at)
            .where(LoginAttempt.key == key, LoginAttempt.at > since)
            .where(LoginAttempt.succeeded.is_(False))
            .order_by(LoginAttempt.at.desc())
        )
    ]


def _last_success(session: Session, key: str) -> datetime | None:
    last = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.key == key, LoginAttempt.succeeded.is_(True)
        )
    )
    return naive_utc(last) if last else None


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()) + 1)


def check(*, session: Session, email: str, client_ip: str, now: datetime) -> None:
    """Raise RateLimited when this address must wait before trying this account again."""
    now = naive_utc(now)
    pair_key, ip_key, email_key = keys(email, client_ip)
    since = now - WINDOW
    last_pair_success = _last_success(session, pair_key)
    pair_since = max(since, last_pair_success) if last_pair_success else since
    pair = _failures(session, pair_key, pair_since)
    if len(pair) >= FREE_FAILURES_PER_PAIR:
        delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (len(pair) - FREE_FAILURES_PER_PAIR))
        if pair[0] + delay > now:
            raise RateLimited(_seconds(pair[0] + delay - now))
    by_ip = _failures(session, ip_key, since)
    if len(by_ip) >= MAX_FAILURES_PER_IP:  # the oldest counted failure must leave the window
        raise RateLimited(_seconds(by_ip[MAX_FAILURES_PER_IP - 1] + WINDOW - now))
    by_email = _failures(session, email_key, since)
    usual = last_pair_success is not None and last_pair_success > now - KEEP_SUCCESSES
    if len(by_email) >= MAX_FAILURES_PER_EMAIL and not usual:
        raise RateLimited(_seconds(by_email[MAX_FAILURES_PER_EMAIL - 1] + WINDOW - now))


def record(*, session: Session, email: str, client_ip: str, succeeded: bool, now: datetime) -> int:
    """Store the attempt under its three keys; return the account's failures in the window."""
    now = naive_utc(now)
    session.execute(
        delete(LoginAttempt).where(
            or_(
                and_(LoginAttempt.succeeded.is_(False), LoginAttempt.at < now - KEEP_FAILURES),
                LoginAttempt.at < now - KEEP_SUCCESSES,
            )
        )
    )
    session.add_all(
        [LoginAttempt(key=key, succeeded=succeeded, at=now) for key in keys(email, client_ip)]
    )
    session.flush()
    if succeeded:
        return 0
    return len(_failures(session, keys(email, client_ip)[2], now - WINDOW))
