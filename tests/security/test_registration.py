"""Registration answers the same whatever exists; the e-mail's owner confirms (finding 10)."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import select

from portal import accounts
from portal.models import OutboxMessage
from tests.support.forms import credit_code

_serial = itertools.count(1)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def confirming(world):  # type: ignore[no-untyped-def]
    settings = world.components.settings
    before = settings.registration_confirmation
    settings.registration_confirmation = True
    yield world
    settings.registration_confirmation = before


def _fields(email: str | None = None, code: str | None = None) -> dict[str, str]:
    return {
        "company_name": "注册测试公司",
        "credit_code": code or credit_code(),
        "contact_name": "钱七",
        "phone": "020-12345678",
        "email": email or f"reg{next(_serial)}@example.cn",
        "password": PASSWORD,
    }


def _outbox(world, email: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with world.components.sessions() as session:
        user = accounts.get_user_by_email(session=session, email=email)
        assert user is not None
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)))


def test_the_api_answers_the_same_for_new_and_existing_emails_and_companies(confirming) -> None:  # type: ignore[no-untyped-def]
    world = confirming
    existing = world.a.email
    new = _fields()
    answers = [
        world.fresh().post("/api/v1/auth/register", json=body)
        for body in (new, _fields(email=existing), _fields(code=new["credit_code"]))
    ]

    assert {(r.status_code, r.text) for r in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].status_code == 202
    assert "cgt_session" not in answers[0].cookies  # nobody is signed in by registering
    assert any("your e-mail" in m.subject for m in _outbox(world, existing))  # the owner is told


def test_the_pages_answer_the_same_for_new_and_existing_emails(confirming) -> None:  # type: ignore[no-untyped-def]
    world = confirming
    locations = []
    for body in (_fields(), _fields(email=world.b.email)):
        client = world.fresh()
        token = world.token_of(client.get("/register").text)
        answered = client.post(
            "/register", data={**body, "csrf_token": token}, follow_redirects=False
        )
        locations.append((answered.status_code, answered.headers.get("location")))

    assert locations == [(303, "/register/sent")] * 2


def test_a_new_account_works_only_after_the_link_in_its_email(confirming) -> None:  # type: ignore[no-untyped-def]
    world = confirming
    body = _fields()
    assert world.fresh().post("/api/v1/auth/register", json=body).status_code == 202
    login = {"email": body["email"], "password": PASSWORD}
    assert world.fresh().post("/api/v1/auth/login", json=login).status_code == 401

    link = re.search(r"/register/confirm\?token=\S+", _outbox(world, body["email"])[0].body)
    assert link
    client = world.fresh()
    page = client.get(link.group(0))
    assert page.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    confirmed = client.post(
        "/register/confirm",
        data={"token": token, "csrf_token": world.token_of(page.text)},
        follow_redirects=False,
    )

    assert confirmed.status_code == 303
    assert client.get("/api/v1/auth/me").json()["email"] == body["email"]
    assert world.fresh().post("/api/v1/auth/login", json=login).status_code == 200
    retry = world.fresh()
    retry_page = retry.get(link.group(0))  # the link still verifies, but its account is active
    again = retry.post(
        "/register/confirm", data={"token": token, "csrf_token": world.token_of(retry_page.text)}
    )
    assert again.status_code == 404  # a link works once


def test_a_member_cannot_create_a_usable_account_for_someone_elses_email(confirming) -> None:  # type: ignore[no-untyped-def]
    world = confirming
    member = world.new_company("成员测试公司", "孙八")
    page = member.client.get("/account").text
    answers = []
    colleague = f"colleague{next(_serial)}@example.cn"
    for email in (colleague, world.staff.email):
        answered = member.client.post(
            "/account/members",
            data={
                "name": "同事",
                "email": email,
                "password": PASSWORD,
                "csrf_token": world.token_of(page),
            },
            follow_redirects=False,
        )
        answers.append((answered.status_code, answered.headers.get("location", "").split("=")[0]))

    assert answers == [(303, "/account?invited")] * 2  # a taken e-mail is not revealed
    login = {"email": colleague, "password": PASSWORD}
    assert world.fresh().post("/api/v1/auth/login", json=login).status_code == 401  # unconfirmed
