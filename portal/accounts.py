"""Accounts: company registration, staff users, sign-in with rate limiting, logout everywhere."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import notifications, passwords, throttle
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import ROLES, Company, Team, User
from portal.texts import FAILED_SIGN_INS_BODY, FAILED_SIGN_INS_SUBJECT
from portal.uscc import validate_credit_code

# Fixed messages (no values inside), so that the web can translate them.
EMAIL_INVALID = "Enter a valid email address."
EMAIL_TAKEN = "An account with this email address already exists."
PHONE_INVALID = (
    "Enter a mainland mobile or landline number, or a Hong Kong (+852) or Macao (+853) number."
)
NAME_MISSING = "Enter a name."
NAME_TOO_LONG = "The name is too long."
COMPANY_NAME_INVALID = "Enter the company's registered name (2 to 200 characters)."
COMPANY_REGISTERED = (
    "This company is already registered; ask one of its members to add you to the account."
)
ROLE_INVALID = "The role must be company, staff or admin."
COMPANY_REQUIRED = "A company user belongs to a company."
COMPANY_FORBIDDEN = "Staff and admins do not belong to a company."
TEAM_UNKNOWN = "There is no team with this code."
PASSWORD_SHORT = passwords.TOO_SHORT
PASSWORD_LONG = passwords.TOO_LONG
CURRENT_PASSWORD_WRONG = "The current password is not correct."
OWNERS_ONLY = "Only the company's owner can do this."
PASSWORDS_DIFFER = "The two passwords differ."

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+\Z")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
_PHONE_FORMATS = (
    re.compile(r"^(?:\+86)?1[3-9]\d{9}\Z"),  # mainland mobile
    re.compile(r"^0[1-9]\d{1,2}\d{7,8}\Z"),  # mainland landline with its area code
    re.compile(r"^\+86[1-9]\d{1,2}\d{7,8}\Z"),  # the same landline dialled from abroad
    re.compile(r"^\+852[2-9]\d{7}\Z"),  # Hong Kong
    re.compile(r"^\+853[26-8]\d{7}\Z"),  # Macao
)


# --- validation ----------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """The address trimmed and lower-cased (addresses are compared this way)."""
    return email.strip().lower()


def check_email(email: str) -> str | None:
    """Why the address is invalid, or None."""
    value = normalise_email(email)
    if len(value) > 254 or not _EMAIL.match(value):
        return EMAIL_INVALID
    return None


def normalise_phone(phone: str) -> str:
    """The number without separators; 00852/00853/0086 become +852/+853/+86."""
    value = _PHONE_SEPARATORS.sub("", phone.strip())
    if value.startswith("00"):
        value = "+" + value[2:]
    return value


def check_phone(phone: str) -> str | None:
    """Why the number is invalid, or None."""
    value = normalise_phone(phone)
    return None if any(pattern.match(value) for pattern in _PHONE_FORMATS) else PHONE_INVALID


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why the password is refused (too short, common, patterned, personal), or None."""
    return passwords.check_strength(password, user_inputs=user_inputs)


def _check_name(name: str) -> str | None:
    if not name.strip():
        return NAME_MISSING
    if len(name.strip()) > 100:
        return NAME_TOO_LONG
    return None


def _email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def _user_errors(session: Session, *, email: str, password: str, name: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if problem := check_email(email):
        errors["email"] = problem
    elif _email_taken(session, normalise_email(email)):
        errors["email"] = EMAIL_TAKEN
    if problem := check_password(password, user_inputs=(email, name)):
        errors["password"] = problem
    if problem := _check_name(name):
        errors["name"] = problem
    return errors


def _commit(session: Session) -> None:
    """Commit; a unique constraint lost to a concurrent insert becomes a field error."""
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        if "credit_code" in str(error.orig):
            raise ValidationFailed({"credit_code": COMPANY_REGISTERED}) from error
        raise ValidationFailed({"email": EMAIL_TAKEN}) from error


# --- registration and users ----------------------------------------------------------------


def register_company(
    *,
    session: Session,
    company_name: str,
    credit_code: str,
    contact_name: str,
    phone: str,
    email: str,
    password: str,
) -> User:
    """Register a company and its first user (the contact person); every field is checked."""
    errors = _user_errors(session, email=email, password=password, name=contact_name)
    if "password" not in errors and (
        problem := check_password(password, user_inputs=(email, contact_name, company_name))
    ):
        errors["password"] = problem
    if "name" in errors:
        errors["contact_name"] = errors.pop("name")
    if not 2 <= len(company_name.strip()) <= 200:
        errors["company_name"] = COMPANY_NAME_INVALID
    code = ""
    try:
        code = validate_credit_code(credit_code)
    except ValidationFailed as failure:
        errors.update(failure.errors)
    if code and session.scalar(select(Company.id).where(Company.credit_code == code)):
        errors["credit_code"] = COMPANY_REGISTERED
    if problem := check_phone(phone):
        errors["phone"] = problem
    if errors:
        raise ValidationFailed(errors)
    company = Company(
        name=company_name.strip(),
        credit_code=code,
        contact_name=contact_name.strip(),
        phone=normalise_phone(phone),
        email=normalise_email(email),
    )
    session.add(company)
    session.flush()
    user = User(
        email=normalise_email(email),
        name=contact_name.strip(),
        password_hash=passwords.hash_password(password),
        role="company",
        company_id=company.id,
        company_owner=True,  # the first registrant owns the company's account
    )
    session.add(user)
    _commit(session)
    return user


def create_user(
    *,
    session: Session,
    email: str,
    password: str,
    name: str,
    role: str,
    company_id: int | None = None,
    team_code: str | None = None,
) -> User:
    """Create a user of any role; company users need a company, staff may have a team."""
    errors = _user_errors(session, email=email, password=password, name=name)
    if role not in ROLES:
        errors["role"] = ROLE_INVALID
    elif role == "company" and company_id is None:
        errors["company_id"] = COMPANY_REQUIRED
    elif role != "company" and company_id is not None:
        errors["company_id"] = COMPANY_FORBIDDEN
    if company_id is not None and session.get(Company, company_id) is None:
        errors["company_id"] = COMPANY_REQUIRED
    if team_code and session.get(Team, team_code) is None:
        errors["team_code"] = TEAM_UNKNOWN
    if errors:
        raise ValidationFailed(errors)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=passwords.hash_password(password),
        role=role,
        company_id=company_id,
        team_code=team_code or None,
    )
    session.add(user)
    _commit(session)
    return user


def add_company_member(
    *, session: Session, actor: User, email: str, password: str, name: str
) -> User:
    """Add a colleague with a password at once (CLI and tests; the web invites by e-mail)."""
    if actor.role != "company" or actor.company_id is None or not actor.company_owner:
        raise PermissionDenied(OWNERS_ONLY)
    return create_user(
        session=session,
        email=email,
        password=password,
        name=name,
        role="company",
        company_id=actor.company_id,
    )


def get_user(*, session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id}")
    return user


def get_user_by_email(*, session: Session, email: str) -> User | None:
    """The user with this email address (compared case-insensitively), if any."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def list_company_members(*, session: Session, company_id: int) -> list[User]:
    """The users of a company, by name."""
    query = select(User).where(User.company_id == company_id).order_by(User.name, User.id)
    return list(session.scalars(query))


def list_staff(*, session: Session, include_inactive: bool = False) -> list[User]:
    """The center's staff and admins, by name."""
    query = select(User).where(User.role.in_(("staff", "admin")))
    if not include_inactive:
        query = query.where(User.active.is_(True))
    return list(session.scalars(query.order_by(User.name, User.id)))


def set_active(*, session: Session, user_id: int, active: bool) -> User:
    """Enable or disable a user; disabling also ends every session of theirs."""
    user = get_user(session=session, user_id=user_id)
    if user.active != active:
        user.active = active
        if not active:
            user.session_version += 1
        session.commit()
    return user


def logout_everywhere(*, session: Session, user_id: int) -> None:
    """End every session of the user: cookies issued before this stop working."""
    result = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(session_version=User.session_version + 1)
        .execution_options(synchronize_session="fetch")
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"user {user_id}")
    session.commit()


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other sessions end."""
    errors: dict[str, str] = {}
    if not passwords.verify_password(current, user.password_hash):
        errors["current_password"] = CURRENT_PASSWORD_WRONG
    if problem := check_password(new, user_inputs=_own_words(user)):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    user.password_hash = passwords.hash_password(new)
    user.session_version += 1
    session.commit()


def _own_words(user: User) -> tuple[str, ...]:
    return (user.email, user.name, user.company.name if user.company else "")


def set_password(*, session: Session, user: User, password: str) -> None:
    """Check and set a new password (reset, invitation); every session of the user ends."""
    if problem := check_password(password, user_inputs=_own_words(user)):
        raise ValidationFailed({"password": problem})
    user.password_hash = passwords.hash_password(password)
    user.session_version += 1


# --- sign-in -------------------------------------------------------------------------------


def authenticate(
    *, session: Session, email: str, password: str, client_ip: str, now: datetime
) -> User | None:
    """The active user with these credentials, or None; RateLimited while throttled.

    Throttling (portal.throttle) slows one address guessing one account and caps each
    address, but never blocks the owner's right password from their usual address; the owner
    is notified when failures pile up.
    """
    address = normalise_email(email)[:254]
    throttle.check(session=session, email=address, client_ip=client_ip, now=now)

    user = get_user_by_email(session=session, email=address)
    # Verify against a dummy hash for unknown emails so both take about as long.
    matches = passwords.verify_password(
        password, user.password_hash if user else passwords.dummy_hash()
    )
    succeeded = bool(user and matches and user.active)
    failures = throttle.record(
        session=session, email=address, client_ip=client_ip, succeeded=succeeded, now=now
    )
    if user is not None and failures == throttle.NOTIFY_AFTER:
        notifications.enqueue(
            session=session,
            user_ids=[user.id],
            subject=FAILED_SIGN_INS_SUBJECT,
            body=FAILED_SIGN_INS_BODY.format(count=failures, address=client_ip[:60]),
        )
    if succeeded and user is not None and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    session.commit()
    return user if succeeded else None
