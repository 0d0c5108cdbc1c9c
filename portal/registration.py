"""Registration that tells nobody what exists: confirm by e-mail, notify existing owners.

Before, `/register` answered "this e-mail already exists" or "this company is registered", so
anyone could test addresses and credit codes; and a new account was usable at once, whatever
e-mail it named. With confirmation on, a registration creates an inactive user who becomes
active only through the link sent to that e-mail; when the e-mail or the company already
exists, nothing is created and the owner is told instead. (Colleagues join by invitation:
portal.invitations.)
Either way the caller sees the same answer. Format errors (a bad e-mail, a weak password, a
credit code with a wrong check character) are still named: they reveal nothing.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import accounts, notifications, texts
from portal.errors import NotFound, ValidationFailed
from portal.models import Company, User
from portal.uscc import validate_credit_code

_EXISTS = {
    ("email", accounts.EMAIL_TAKEN),
    ("credit_code", accounts.COMPANY_REGISTERED),
}


def _existence_only(failure: ValidationFailed) -> bool:
    return bool(failure.errors) and set(failure.errors.items()) <= _EXISTS


def _without_existence(failure: ValidationFailed) -> ValidationFailed:
    return ValidationFailed({k: v for k, v in failure.errors.items() if (k, v) not in _EXISTS})


def _notify_existing(session: Session, *, email: str, credit_code: str) -> None:
    owner = accounts.get_user_by_email(session=session, email=email)
    if owner is not None:
        notifications.enqueue(
            session=session,
            user_ids=[owner.id],
            subject=texts.REGISTERED_EMAIL_SUBJECT,
            body=texts.REGISTERED_EMAIL_BODY,
        )
    try:
        code = validate_credit_code(credit_code)
    except ValidationFailed:
        code = ""
    company_id = session.scalar(select(Company.id).where(Company.credit_code == code))
    if code and company_id is not None:
        notifications.enqueue(
            session=session,
            user_ids=notifications.company_user_ids(session=session, company_id=company_id),
            subject=texts.REGISTERED_COMPANY_SUBJECT,
            body=texts.REGISTERED_COMPANY_BODY.format(email=accounts.normalise_email(email)[:254]),
        )
    session.commit()


def register_quietly(
    *,
    session: Session,
    company_name: str,
    credit_code: str,
    contact_name: str,
    phone: str,
    email: str,
    password: str,
) -> User | None:
    """Register a company whose user confirms the e-mail first; None when an owner was told.

    Raises ValidationFailed only for errors of form, never for what already exists.
    """
    try:
        user = accounts.register_company(
            session=session,
            company_name=company_name,
            credit_code=credit_code,
            contact_name=contact_name,
            phone=phone,
            email=email,
            password=password,
        )
    except ValidationFailed as failure:
        if not _existence_only(failure):
            remaining = _without_existence(failure)
            raise remaining from None
        _notify_existing(session, email=email, credit_code=credit_code)
        return None
    user.active = False  # until the link sent to the e-mail is opened
    session.commit()
    return user


def confirm(*, session: Session, user_id: int, version: int) -> User:
    """Activate a user who opened their confirmation link (NotFound if it no longer applies)."""
    user = session.get(User, user_id)
    if user is None or user.active or user.session_version != version:
        raise NotFound("no registration waits for this link")
    user.active = True
    session.commit()
    return user
