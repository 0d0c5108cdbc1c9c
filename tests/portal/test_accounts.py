"""Accounts on a real SQLite database with real argon2: registration, users, sign-in limits."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from portal import accounts, notifications, passwords, texts
from portal.db import PortalBase
from portal.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from portal.models import Team, User
from portal.uscc import check_character

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_serial = itertools.count(1)


def credit_code() -> str:
    """A valid, new unified social credit code."""
    body = f"91440101MA{next(_serial):07d}"
    return body + check_character(body)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A session over a fresh SQLite database with the portal's tables."""
    engine = create_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    PortalBase.metadata.create_all(engine)
    with sessionmaker(engine, expire_on_commit=False)() as db:
        yield db
    engine.dispose()


def registration(**changes: str) -> dict[str, Any]:
    """Valid registration fields, with some changed."""
    fields = {
        "company_name": "广州示例细胞治疗有限公司",
        "credit_code": credit_code(),
        "contact_name": "李明",
        "phone": "138 1234 5678",
        "email": f"li{next(_serial)}@example.cn",
        "password": PASSWORD,
    }
    return fields | changes


def register(session: Session, **changes: str) -> User:
    return accounts.register_company(session=session, **registration(**changes))


# --- registration --------------------------------------------------------------------------


def test_registration_creates_the_company_and_its_first_user(session: Session) -> None:
    fields = registration(email=" Li@Example.CN ", credit_code="91440300708461136t")

    user = accounts.register_company(session=session, **fields)

    assert user.role == "company"
    assert user.email == "li@example.cn"
    assert user.company is not None
    assert user.company.credit_code == "91440300708461136T"
    assert user.company.phone == "13812345678"
    assert user.password_hash.startswith("$argon2id$")
    assert passwords.verify_password(PASSWORD, user.password_hash)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", " "),
        ("credit_code", "91440300708461136X"),
        ("credit_code", "9144030070846113"),
        ("contact_name", ""),
        ("phone", "12345"),
        ("phone", "+852 1234 5678"),
        ("email", "not-an-email"),
        ("email", "a@b"),
        ("password", "short"),
        ("password", " " * 12),
    ],
)
def test_each_invalid_field_is_refused_with_its_message(
    session: Session, field: str, value: str
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        register(session, **{field: value})

    assert list(failure.value.errors) == [field]
    assert failure.value.errors[field]


def test_all_field_errors_come_at_once(session: Session) -> None:
    with pytest.raises(ValidationFailed) as failure:
        accounts.register_company(
            session=session,
            company_name="",
            credit_code="x",
            contact_name="",
            phone="1",
            email="x",
            password="1",
        )

    assert set(failure.value.errors) == {
        "company_name",
        "credit_code",
        "contact_name",
        "phone",
        "email",
        "password",
    }


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "+86 138 1234 5678",
        "020-12345678",
        "0755 1234567",
        "+852 9123 4567",
        "00852 2123 4567",
        "+853 6612 3456",
        "(020) 8888 6666",
    ],
)
def test_mainland_hong_kong_and_macao_numbers_are_accepted(session: Session, phone: str) -> None:
    assert register(session, phone=phone).company is not None


def test_a_registered_credit_code_cannot_register_again(session: Session) -> None:
    code = credit_code()
    register(session, credit_code=code)

    with pytest.raises(ValidationFailed) as failure:
        register(session, credit_code=code.lower())

    assert failure.value.errors == {"credit_code": accounts.COMPANY_REGISTERED}


def test_a_registered_email_cannot_register_again(session: Session) -> None:
    register(session, email="same@example.cn")

    with pytest.raises(ValidationFailed) as failure:
        register(session, email="SAME@example.cn")

    assert failure.value.errors == {"email": accounts.EMAIL_TAKEN}


def test_a_member_adds_a_colleague_to_the_company(session: Session) -> None:
    first = register(session)

    colleague = accounts.add_company_member(
        session=session, actor=first, email="wang@example.cn", password=PASSWORD, name="王芳"
    )

    assert colleague.company_id == first.company_id
    members = accounts.list_company_members(session=session, company_id=first.company_id or 0)
    assert {m.email for m in members} == {first.email, "wang@example.cn"}


def test_staff_cannot_add_company_members(session: Session) -> None:
    staff = accounts.create_user(
        session=session, email="s@center.cn", password=PASSWORD, name="S", role="staff"
    )

    with pytest.raises(PermissionDenied):
        accounts.add_company_member(
            session=session, actor=staff, email="x@example.cn", password=PASSWORD, name="X"
        )


# --- users ---------------------------------------------------------------------------------


def test_create_user_checks_role_company_and_team(session: Session) -> None:
    with pytest.raises(ValidationFailed) as failure:
        accounts.create_user(
            session=session,
            email="a@center.cn",
            password=PASSWORD,
            name="A",
            role="boss",
            team_code="nope",
        )
    assert set(failure.value.errors) == {"role", "team_code"}

    with pytest.raises(ValidationFailed) as failure:
        accounts.create_user(
            session=session, email="a@center.cn", password=PASSWORD, name="A", role="company"
        )
    assert set(failure.value.errors) == {"company_id"}


def test_staff_with_a_team_are_listed_and_can_be_disabled(session: Session) -> None:
    session.add(Team(code="testing", name_zh="检测", name_en="Testing"))
    session.commit()
    staff = accounts.create_user(
        session=session,
        email="t@center.cn",
        password=PASSWORD,
        name="T",
        role="staff",
        team_code="testing",
    )
    admin = accounts.create_user(
        session=session, email="a@center.cn", password=PASSWORD, name="A", role="admin"
    )
    register(session)

    assert [u.id for u in accounts.list_staff(session=session)] == [admin.id, staff.id]

    accounts.set_active(session=session, user_id=staff.id, active=False)

    assert [u.id for u in accounts.list_staff(session=session)] == [admin.id]
    assert accounts.get_user(session=session, user_id=staff.id).session_version == 1


def test_get_user_of_an_unknown_id_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        accounts.get_user(session=session, user_id=999)


def test_logout_everywhere_bumps_the_session_version(session: Session) -> None:
    user = register(session)

    accounts.logout_everywhere(session=session, user_id=user.id)

    assert accounts.get_user(session=session, user_id=user.id).session_version == 1


# --- sign-in -------------------------------------------------------------------------------


def sign_in(session: Session, email: str, password: str = PASSWORD, **kwargs: Any) -> User | None:
    options = {"client_ip": "203.0.113.7", "now": NOW} | kwargs
    return accounts.authenticate(session=session, email=email, password=password, **options)


def test_sign_in_with_the_right_password_only(session: Session) -> None:
    user = register(session)

    assert sign_in(session, user.email.upper()) is not None
    assert sign_in(session, user.email, "wrong password") is None
    assert sign_in(session, "nobody@example.cn") is None


def test_disabled_users_cannot_sign_in(session: Session) -> None:
    user = register(session)
    accounts.set_active(session=session, user_id=user.id, active=False)

    assert sign_in(session, user.email) is None


def test_failures_slow_one_address_progressively_for_that_account(session: Session) -> None:
    user = register(session)
    for second in range(3):  # three free tries
        assert sign_in(session, user.email, "wrong", now=NOW + timedelta(seconds=second)) is None

    with pytest.raises(RateLimited) as limited:
        sign_in(session, user.email, now=NOW + timedelta(seconds=3))  # even the right password
    assert 14 <= limited.value.retry_after <= 16  # 15 s after the third failure

    later = NOW + timedelta(seconds=20)
    assert sign_in(session, user.email, "wrong", now=later) is None
    with pytest.raises(RateLimited) as doubled:
        sign_in(session, user.email, now=later + timedelta(seconds=1))
    assert 29 <= doubled.value.retry_after <= 31  # then 30 s, 1 min, … at most 15 min
    assert sign_in(session, user.email, now=later + timedelta(seconds=31)) is not None


def test_the_owner_signs_in_from_their_usual_address_during_an_attack(session: Session) -> None:
    user = register(session)
    assert sign_in(session, user.email, client_ip="203.0.113.7") is not None  # the usual one
    for n in range(30):  # ten wrong passwords, then the other addresses are refused
        with contextlib.suppress(RateLimited):
            sign_in(
                session,
                user.email,
                "wrong",
                client_ip=f"198.51.100.{n}",
                now=NOW + timedelta(seconds=n),
            )

    attack_time = NOW + timedelta(minutes=1)
    with pytest.raises(RateLimited):  # a new address, while the account is under attack
        sign_in(session, user.email, client_ip="192.0.2.1", now=attack_time)
    assert sign_in(session, user.email, client_ip="203.0.113.7", now=attack_time) is not None


def test_a_success_clears_the_pairs_count(session: Session) -> None:
    user = register(session)
    for _ in range(2):
        sign_in(session, user.email, "wrong")
    assert sign_in(session, user.email) is not None

    for _ in range(2):
        assert sign_in(session, user.email, "wrong") is None
    assert sign_in(session, user.email) is not None


def test_the_owner_is_notified_once_failures_pile_up(session: Session) -> None:
    user = register(session)
    for n in range(7):
        sign_in(session, user.email, "wrong", client_ip=f"198.51.100.{n}")

    messages = notifications.list_for(session=session, user=user)
    assert [m.subject for m in messages] == [texts.FAILED_SIGN_INS_SUBJECT]
    assert "198.51.100.4" in messages[0].body


def test_twenty_failures_from_one_address_lock_the_address(session: Session) -> None:
    for n in range(20):
        sign_in(session, f"guess{n}@example.cn", "wrong", client_ip="198.51.100.1")

    with pytest.raises(RateLimited):
        sign_in(session, "another@example.cn", client_ip="198.51.100.1")
    user = register(session)
    assert sign_in(session, user.email, client_ip="198.51.100.2") is not None


# --- passwords -----------------------------------------------------------------------------


def test_password_hashes_are_salted_argon2() -> None:
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)

    assert first != second
    assert passwords.verify_password(PASSWORD, first)
    assert not passwords.verify_password("other password", first)
    assert not passwords.verify_password(PASSWORD, "not a hash")
    assert not passwords.needs_rehash(first)
    assert passwords.needs_rehash("$2b$12$notargon")
