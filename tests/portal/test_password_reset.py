"""Password policy, reset links, invitations and owners, against the portal's services."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import account_tokens, accounts, invitations, password_reset, passwords, texts
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import AccountToken, Company, OutboxMessage, User

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "seven lanterns over nansha bay"
NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _link(token: str) -> str:
    return f"https://portal.example/password/reset?token={token}"


def _token_in(session: Session, user: User) -> str:
    body = session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.user_id == user.id)
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert body is not None, "no message in the outbox"
    match = re.search(r"token=([A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


@pytest.fixture
def owner(session: Session, make_company: Callable[..., Company]) -> User:
    """A registered company's first user, with a real password."""
    return accounts.register_company(
        session=session,
        company_name="南沙示例细胞有限公司",
        credit_code="91440115MA59AE2D50",
        contact_name="黄敏",
        phone="020-87654321",
        email="huang.min@example.cn",
        password=PASSWORD,
    )


# --- the password policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaa", passwords.REPEATS),
        ("abcabcabcabc", passwords.REPEATS),
        ("1234567890", passwords.COMMON),
        ("Abcdefgh12", passwords.SEQUENCE),
        ("1qaz2wsx3edc", passwords.COMMON),
        ("qwertyuiop12", passwords.COMMON),
        ("P@ssw0rd2024", passwords.COMMON),
        ("woaini1314520", passwords.COMMON),
        ("huang.min1990", passwords.PERSONAL),
        ("short", passwords.TOO_SHORT),
        ("          ", passwords.ONLY_SPACES),
    ],
)
def test_common_patterned_and_personal_passwords_are_refused_with_their_reason(
    password: str, reason: str
) -> None:
    found = passwords.check_strength(password, user_inputs=("huang.min@example.cn", "黄敏"))

    assert found == reason


@pytest.mark.parametrize(
    "password",
    [PASSWORD, NEW_PASSWORD, "Nansha-CGT-2026!", "gene therapy lab 7", "我的密码是很长的一句话"],
)
def test_long_unpatterned_passwords_pass(password: str) -> None:
    assert passwords.check_strength(password, user_inputs=("huang.min@example.cn",)) is None


def test_registration_refuses_a_password_made_of_the_company_name(session: Session) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.register_company(
            session=session,
            company_name="Huaxiang Biotech",
            credit_code="91440115MA59AE2D50",
            contact_name="Wu",
            phone="020-87654321",
            email="wu@example.cn",
            password="huaxiang2026",
        )

    assert refused.value.errors["password"] == passwords.PERSONAL


def test_the_first_registrant_owns_the_company(owner: User) -> None:
    assert owner.company_owner is True


# --- reset links ------------------------------------------------------------------------------


def test_a_reset_link_is_mailed_and_only_its_hash_is_stored(session: Session, owner: User) -> None:
    password_reset.request_reset(
        session=session, email="Huang.Min@example.cn ", now=NOW, link=_link
    )

    token = _token_in(session, owner)
    stored = session.scalars(select(AccountToken.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_an_unknown_or_malformed_address_gets_no_link_and_no_error(
    session: Session, owner: User
) -> None:
    for email in ("nobody@example.cn", "not an address", ""):
        password_reset.request_reset(session=session, email=email, now=NOW, link=_link)

    assert session.scalars(select(AccountToken)).all() == []
    assert session.scalars(select(OutboxMessage)).all() == []


def test_a_reset_link_works_once(session: Session, owner: User) -> None:
    password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)
    token = _token_in(session, owner)
    version = owner.session_version

    user = password_reset.reset(session=session, token=token, password=NEW_PASSWORD, now=NOW)

    assert passwords.verify_password(NEW_PASSWORD, user.password_hash)
    assert user.session_version == version + 1  # every session of the account ends
    with pytest.raises(NotFound):
        password_reset.reset(session=session, token=token, password=PASSWORD, now=NOW)


def test_a_reset_link_expires_after_an_hour(session: Session, owner: User) -> None:
    password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)
    token = _token_in(session, owner)
    later = NOW + timedelta(hours=1, seconds=1)

    assert password_reset.holder(session=session, token=token, now=later) is None
    with pytest.raises(NotFound):
        password_reset.reset(session=session, token=token, password=NEW_PASSWORD, now=later)


def test_a_refused_password_keeps_the_link_usable(session: Session, owner: User) -> None:
    password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)
    token = _token_in(session, owner)

    with pytest.raises(ValidationFailed):
        password_reset.reset(session=session, token=token, password="1234567890", now=NOW)
    session.rollback()

    assert password_reset.reset(session=session, token=token, password=NEW_PASSWORD, now=NOW)


def test_a_newer_link_is_the_only_one_left_after_use(session: Session, owner: User) -> None:
    password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)
    first = _token_in(session, owner)
    password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)
    second = _token_in(session, owner)

    password_reset.reset(session=session, token=second, password=NEW_PASSWORD, now=NOW)

    assert password_reset.holder(session=session, token=first, now=NOW) is None


def test_links_are_capped_per_hour_so_the_form_cannot_flood_a_mailbox(
    session: Session, owner: User
) -> None:
    for _ in range(password_reset.MAX_PER_HOUR + 3):
        password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)

    sent = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == owner.id)).all()
    assert len(sent) == password_reset.MAX_PER_HOUR


def test_a_disabled_account_gets_no_link(session: Session, owner: User) -> None:
    accounts.set_active(session=session, user_id=owner.id, active=False)

    password_reset.request_reset(session=session, email=owner.email, now=NOW, link=_link)

    assert session.scalars(select(AccountToken)).all() == []


def test_staff_send_a_link_to_the_users_own_address_and_it_is_recorded(
    session: Session, owner: User, people: dict
) -> None:  # type: ignore[type-arg]
    password_reset.send_for(
        session=session, actor=people["staff"], user_id=owner.id, now=NOW, link=_link
    )

    assert _token_in(session, owner)
    with pytest.raises(PermissionDenied):
        password_reset.send_for(session=session, actor=owner, user_id=owner.id, now=NOW, link=_link)
    with pytest.raises(PermissionDenied):  # staff do not reset an administrator
        password_reset.send_for(
            session=session,
            actor=people["staff"],
            user_id=people["admin"].id,
            now=NOW,
            link=_link,
        )


# --- invitations and owners -------------------------------------------------------------------


def _invite(session: Session, owner: User, email: str, name: str = "李雷") -> None:
    invitations.invite(session=session, actor=owner, email=email, name=name, now=NOW, link=_link)


def test_an_invited_colleague_chooses_the_password_and_joins(session: Session, owner: User) -> None:
    _invite(session, owner, "li.lei@example.cn")
    member = accounts.get_user_by_email(session=session, email="li.lei@example.cn")
    assert member is not None and not member.active
    assert not passwords.verify_password(PASSWORD, member.password_hash)
    token = _token_in(session, member)

    joined = invitations.accept(session=session, token=token, password=NEW_PASSWORD, now=NOW)

    assert joined.active and joined.company_id == owner.company_id and not joined.company_owner
    assert passwords.verify_password(NEW_PASSWORD, joined.password_hash)
    with pytest.raises(NotFound):  # used once
        invitations.accept(session=session, token=token, password=NEW_PASSWORD, now=NOW)


def test_only_an_owner_invites(session: Session, owner: User) -> None:
    _invite(session, owner, "li.lei@example.cn")
    member = accounts.get_user_by_email(session=session, email="li.lei@example.cn")
    assert member is not None
    invitations.accept(
        session=session, token=_token_in(session, member), password=NEW_PASSWORD, now=NOW
    )

    with pytest.raises(PermissionDenied):
        _invite(session, member, "han.mei@example.cn")
    with pytest.raises(PermissionDenied):
        accounts.add_company_member(
            session=session, actor=member, email="x@example.cn", password=PASSWORD, name="X"
        )


def test_inviting_someone_elses_address_creates_nothing_and_tells_its_owner(
    session: Session, owner: User, people: dict
) -> None:  # type: ignore[type-arg]
    other = people["b"]

    _invite(session, owner, other.email)

    assert session.get(User, other.id).company_id != owner.company_id  # type: ignore[union-attr]
    told = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == other.id)).all()
    assert [m.subject for m in told] == [texts.INVITED_EXISTING_SUBJECT]
    assert session.scalars(select(AccountToken)).all() == []


def test_a_removed_member_is_signed_out_and_their_links_die(session: Session, owner: User) -> None:
    _invite(session, owner, "li.lei@example.cn")
    member = accounts.get_user_by_email(session=session, email="li.lei@example.cn")
    assert member is not None
    token = _token_in(session, member)

    invitations.remove(session=session, actor=owner, member_id=member.id, now=NOW)

    assert invitations.holder(session=session, token=token, now=NOW) is None
    states = {
        m.user.email: m.state
        for m in invitations.members(session=session, company_id=owner.company_id, now=NOW)
    }
    assert states == {owner.email: "owner", "li.lei@example.cn": "removed"}


def test_the_last_owner_cannot_remove_themselves(session: Session, owner: User) -> None:
    with pytest.raises(ValidationFailed) as refused:
        invitations.remove(session=session, actor=owner, member_id=owner.id, now=NOW)

    assert refused.value.errors == {"member": invitations.LAST_OWNER}
    assert session.get(User, owner.id).active  # type: ignore[union-attr]


def test_an_owner_may_leave_once_another_owner_is_named(session: Session, owner: User) -> None:
    _invite(session, owner, "li.lei@example.cn")
    member = accounts.get_user_by_email(session=session, email="li.lei@example.cn")
    assert member is not None
    invitations.accept(
        session=session, token=_token_in(session, member), password=NEW_PASSWORD, now=NOW
    )

    invitations.make_owner(session=session, actor=owner, member_id=member.id)
    invitations.remove(session=session, actor=owner, member_id=owner.id, now=NOW)

    assert session.get(User, member.id).company_owner  # type: ignore[union-attr]
    assert not session.get(User, owner.id).active  # type: ignore[union-attr]


def test_another_companys_member_is_not_found(session: Session, owner: User, people: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(NotFound):
        invitations.remove(session=session, actor=owner, member_id=people["b"].id, now=NOW)


def test_tokens_of_one_purpose_do_not_open_the_other(session: Session, owner: User) -> None:
    token = account_tokens.issue(
        session=session, user_id=owner.id, purpose=account_tokens.INVITATION, now=NOW
    )
    session.commit()

    assert password_reset.holder(session=session, token=token, now=NOW) is None
