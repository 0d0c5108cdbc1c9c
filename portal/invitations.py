"""A company's members: the owner invites colleagues by e-mail, removes them, names owners.

Members used to add colleagues with a password of their choosing, for any e-mail address.
Now only an owner (the first registrant, and whoever an owner names) invites; the invited
person chooses their own password through a one-time link sent to that address
(portal.account_tokens), so an account exists only for someone who reads that mailbox.
An address that already has an account elsewhere is not revealed: its owner is told instead
and the inviting owner sees the same answer. Removing a member disables the account and ends
its sessions; its requests and messages stay the company's. A company always keeps an owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import account_tokens, accounts, notifications, texts
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import User
from portal.password_reset import LinkMaker

UNUSABLE_PASSWORD = "!invited"  # no hash matches it: the account has no password until accepted
ALREADY_MEMBER = "This person is already a member of your company."
LAST_OWNER = "The company needs an owner: make another member owner before you remove yourself."


@dataclass(frozen=True)
class Member:
    """A member of a company's account and where they stand: owner, member, invited, removed."""

    user: User
    state: str


def _owner(actor: User) -> int:
    """The actor's company id, when the actor owns it; PermissionDenied otherwise."""
    if actor.role != "company" or actor.company_id is None or not actor.company_owner:
        raise PermissionDenied(accounts.OWNERS_ONLY)
    return actor.company_id


def _fresh(session: Session, user: User) -> User:
    """The actor as the given session sees it now (it may have lost the role meanwhile)."""
    return accounts.get_user(session=session, user_id=user.id)


def _send(session: Session, *, member: User, inviter: User, now: datetime, link: LinkMaker) -> None:
    account_tokens.void(
        session=session, user_id=member.id, purpose=account_tokens.INVITATION, now=now
    )
    token = account_tokens.issue(
        session=session,
        user_id=member.id,
        purpose=account_tokens.INVITATION,
        now=now,
        created_by_id=inviter.id,
    )
    company = inviter.company.name if inviter.company else ""
    notifications.enqueue(
        session=session,
        user_ids=[member.id],
        subject=texts.INVITATION_SUBJECT.format(company=company),
        body=texts.INVITATION_BODY.format(inviter=inviter.name, company=company, link=link(token)),
        include_inactive=True,
    )


def invite(
    *, session: Session, actor: User, email: str, name: str, now: datetime, link: LinkMaker
) -> None:
    """Invite a colleague by e-mail (owners only); the answer is the same if the address is taken.

    A removed member of the same company is invited again; ValidationFailed for a bad address
    or name, or for someone who is already an active member.
    """
    inviter = _fresh(session, actor)
    company_id = _owner(inviter)
    errors: dict[str, str] = {}
    if problem := accounts.check_email(email):
        errors["email"] = problem
    if not name.strip():
        errors["name"] = accounts.NAME_MISSING
    elif len(name.strip()) > 100:
        errors["name"] = accounts.NAME_TOO_LONG
    if errors:
        raise ValidationFailed(errors)
    existing = accounts.get_user_by_email(session=session, email=email)
    if existing is not None and existing.company_id == company_id:
        if existing.active:
            raise ValidationFailed({"email": ALREADY_MEMBER})
        _send(session, member=existing, inviter=inviter, now=now, link=link)
    elif existing is not None:  # someone else's account: tell its owner, reveal nothing here
        notifications.enqueue(
            session=session,
            user_ids=[existing.id],
            subject=texts.INVITED_EXISTING_SUBJECT,
            body=texts.INVITED_EXISTING_BODY.format(
                company=inviter.company.name if inviter.company else ""
            ),
        )
    else:
        member = User(
            email=accounts.normalise_email(email),
            name=name.strip(),
            password_hash=UNUSABLE_PASSWORD,
            role="company",
            company_id=company_id,
            active=False,
        )
        session.add(member)
        session.flush()
        _send(session, member=member, inviter=inviter, now=now, link=link)
    session.commit()


def holder(*, session: Session, token: str, now: datetime) -> User | None:
    """The invited person an open invitation link names, or None."""
    return account_tokens.holder(
        session=session, token=token, purpose=account_tokens.INVITATION, now=now
    )


def accept(*, session: Session, token: str, password: str, now: datetime) -> User:
    """Set the invited person's password and activate the account; the link is used up.

    ValidationFailed for a refused password (the link still works); NotFound for a link that
    is unknown, used or expired.
    """
    member = holder(session=session, token=token, now=now)
    if member is None:
        raise NotFound("no such invitation")
    accounts.set_password(session=session, user=member, password=password)
    account_tokens.take(session=session, token=token, purpose=account_tokens.INVITATION, now=now)
    member.active = True
    session.commit()
    return member


def _member(session: Session, company_id: int, member_id: int) -> User:
    member = session.get(User, member_id)
    if member is None or member.company_id != company_id:
        raise NotFound(f"member {member_id}")
    return member


def remove(*, session: Session, actor: User, member_id: int, now: datetime) -> User:
    """Remove a member (owners only): the account is disabled and its sessions and links end."""
    owner = _fresh(session, actor)
    company_id = _owner(owner)
    member = _member(session, company_id, member_id)
    if member.company_owner and member.active:
        others = session.scalars(
            select(User.id).where(
                User.company_id == company_id,
                User.company_owner.is_(True),
                User.active.is_(True),
                User.id != member.id,
            )
        ).first()
        if others is None:
            raise ValidationFailed({"member": LAST_OWNER})
    member.active = False
    member.company_owner = False
    member.session_version += 1
    for purpose in (account_tokens.INVITATION, account_tokens.RESET):
        account_tokens.void(session=session, user_id=member.id, purpose=purpose, now=now)
    session.commit()
    return member


def make_owner(*, session: Session, actor: User, member_id: int) -> User:
    """Make an active member an owner too (owners only)."""
    company_id = _owner(_fresh(session, actor))
    member = _member(session, company_id, member_id)
    if not member.active:
        raise NotFound(f"member {member_id}")
    member.company_owner = True
    session.commit()
    return member


def members(*, session: Session, company_id: int, now: datetime) -> list[Member]:
    """The company's members with their state, owners first, then by name."""
    users = accounts.list_company_members(session=session, company_id=company_id)
    invited = account_tokens.pending(
        session=session,
        user_ids=[u.id for u in users if not u.active],
        purpose=account_tokens.INVITATION,
        now=now,
    )

    def state(user: User) -> str:
        if user.active:
            return "owner" if user.company_owner else "member"
        return "invited" if user.id in invited else "removed"

    found = [Member(user, state(user)) for user in users]
    order = {"owner": 0, "member": 1, "invited": 2, "removed": 3}
    return sorted(found, key=lambda m: order[m.state])
