"""Passwords and members through the pages: change, reset by e-mail, invite, remove, staff."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text

from portal import accounts
from portal.models import OutboxMessage
from tests.support.forms import credit_code, csrf_token
from web.db import migrate

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "seven lanterns over nansha bay"
_serial = itertools.count(1)


def _email(name: str = "life") -> str:
    return f"{name}{next(_serial)}@example.cn"


@pytest.fixture
def new_browser(client: TestClient) -> Iterator[TestClient]:
    """Clients of the shared app, each with its own cookie jar."""
    made: list[TestClient] = []

    def make() -> TestClient:
        browser = TestClient(client.app)
        made.append(browser)
        return browser

    yield make  # type: ignore[misc]
    for browser in made:
        browser.close()


def _register(browser: TestClient) -> str:
    email = _email("owner")
    fields = {
        "company_name": "广州示例基因治疗有限公司",
        "credit_code": credit_code(),
        "contact_name": "陈静",
        "phone": "020-12345678",
        "email": email,
        "password": PASSWORD,
        "csrf_token": csrf_token(browser.get("/register").text),
    }
    assert browser.post("/register", data=fields, follow_redirects=False).status_code == 303
    return email


def _sign_in(browser: TestClient, email: str, password: str = PASSWORD) -> None:
    answer = browser.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text


def _signed_in(browser: TestClient) -> bool:
    return browser.get("/api/v1/auth/me").status_code == 200


def _link(client: TestClient, email: str, path: str) -> str:
    """The latest link to `path` mailed to this address, read from the outbox."""
    with client.app.state.components.sessions() as session:
        user = accounts.get_user_by_email(session=session, email=email)
        assert user is not None
        bodies = session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.user_id == user.id)
            .order_by(OutboxMessage.id.desc())
        ).all()
    for body in bodies:
        if match := re.search(re.escape(path) + r"\?token=[A-Za-z0-9_\-]+", body):
            return match.group(0)
    raise AssertionError(f"no {path} link in the outbox of {email}")


def _outbox_count(client: TestClient, email: str) -> int:
    with client.app.state.components.sessions() as session:
        user = accounts.get_user_by_email(session=session, email=email)
        if user is None:
            return 0
        return len(
            session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()
        )


# --- forgotten password ---------------------------------------------------------------------


def test_the_reset_form_answers_the_same_for_known_and_unknown_addresses(
    client: TestClient, new_browser
) -> None:  # type: ignore[no-untyped-def]
    owner = _register(new_browser())
    answers = []
    for email in (owner, _email("nobody")):
        browser = new_browser()
        token = csrf_token(browser.get("/password/forgot").text)
        answered = browser.post(
            "/password/forgot", data={"email": email, "csrf_token": token}, follow_redirects=False
        )
        page = browser.get(answered.headers["location"])
        shown = re.sub(r"[0-9a-f]{64}", "<csrf>", page.text)  # each browser has its own token
        answers.append((answered.status_code, answered.headers["location"], shown))

    assert answers[0] == answers[1]
    assert answers[0][:2] == (303, "/password/forgot?sent=1")
    assert _outbox_count(client, owner) >= 1


def test_a_reset_through_the_outbox_sets_the_password_once_and_ends_other_sessions(
    client: TestClient, new_browser
) -> None:  # type: ignore[no-untyped-def]
    laptop = new_browser()
    email = _register(laptop)
    phone = new_browser()
    token = csrf_token(phone.get("/password/forgot").text)
    phone.post("/password/forgot", data={"email": email, "csrf_token": token})
    link = _link(client, email, "/password/reset")

    form = phone.get(link)
    assert form.status_code == 200 and email in form.text
    reset = {"token": link.split("=", 1)[1], "csrf_token": csrf_token(form.text)}
    weak = phone.post(
        "/password/reset?lang=zh",
        data={**reset, "password": "1234567890", "password_again": "1234567890"},
    )
    assert weak.status_code == 422 and "这是最常见的密码之一" in weak.text
    differ = phone.post(
        "/password/reset",
        data={**reset, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"},
    )
    assert differ.status_code == 422
    done = phone.post(
        "/password/reset",
        data={**reset, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        follow_redirects=False,
    )

    assert done.status_code == 303 and done.headers["location"] == "/account?reset=1"
    assert _signed_in(phone) and not _signed_in(laptop)
    _sign_in(new_browser(), email, NEW_PASSWORD)
    stranger = new_browser()
    used = {
        "token": reset["token"],
        "csrf_token": csrf_token(stranger.get("/password/forgot").text),
    }
    again = stranger.post(
        "/password/reset", data={**used, "password": PASSWORD, "password_again": PASSWORD}
    )
    assert again.status_code == 404
    assert phone.get(link).status_code == 404


def test_a_forged_or_missing_reset_link_is_refused(new_browser) -> None:  # type: ignore[no-untyped-def]
    browser = new_browser()
    assert browser.get("/password/reset?token=forged-token").status_code == 404
    assert browser.get("/password/reset").status_code == 404


# --- changing one's password ------------------------------------------------------------------


def test_changing_the_password_keeps_this_session_and_ends_the_others(new_browser) -> None:  # type: ignore[no-untyped-def]
    browser = new_browser()
    email = _register(browser)
    other = new_browser()
    _sign_in(other, email)
    token = csrf_token(browser.get("/account").text)

    wrong = browser.post(
        "/account/password?lang=zh",
        data={
            "csrf_token": token,
            "current_password": "not my password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    weak = browser.post(
        "/account/password?lang=en",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "password": "aaaaaaaaaa",
            "password_again": "aaaaaaaaaa",
        },
    )
    done = browser.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        follow_redirects=False,
    )

    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    assert weak.status_code == 422 and "Repeated characters" in weak.text
    assert done.status_code == 303
    assert _signed_in(browser) and not _signed_in(other)
    _sign_in(new_browser(), email, NEW_PASSWORD)


# --- owners and members -----------------------------------------------------------------------


def _invite(browser: TestClient, email: str, name: str = "王芳") -> int:
    token = csrf_token(browser.get("/account").text)
    answer = browser.post(
        "/account/members",
        data={"name": name, "email": email, "csrf_token": token},
        follow_redirects=False,
    )
    return answer.status_code


def _join(client: TestClient, browser: TestClient, email: str) -> None:
    link = _link(client, email, "/invitation")
    page = browser.get(link)
    assert page.status_code == 200
    answer = browser.post(
        "/invitation",
        data={
            "token": link.split("=", 1)[1],
            "csrf_token": csrf_token(page.text),
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def test_the_owner_invites_and_the_colleague_sets_their_own_password(
    client: TestClient, new_browser
) -> None:  # type: ignore[no-untyped-def]
    owner = new_browser()
    _register(owner)
    colleague_email = _email("colleague")

    assert _invite(owner, colleague_email) == 303
    page = owner.get("/account?lang=en").text
    assert colleague_email in page and "Invited, not joined yet" in page
    colleague = new_browser()
    _join(client, colleague, colleague_email)

    assert _signed_in(colleague)
    assert "Invited, not joined yet" not in owner.get("/account?lang=en").text
    assert _invite(colleague, _email("stranger")) == 403  # a member does not invite


def test_a_password_can_no_longer_be_given_to_a_colleagues_account(
    client: TestClient, new_browser
) -> None:  # type: ignore[no-untyped-def]
    owner = new_browser()
    _register(owner)
    email = _email("colleague")
    token = csrf_token(owner.get("/account").text)
    owner.post(
        "/account/members",
        data={"name": "赵磊", "email": email, "password": PASSWORD, "csrf_token": token},
    )

    assert (
        new_browser()
        .post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        .status_code
        == 401
    )


def test_a_removed_member_is_signed_out_and_the_last_owner_stays(
    client: TestClient, new_browser
) -> None:  # type: ignore[no-untyped-def]
    owner = new_browser()
    owner_email = _register(owner)
    colleague_email = _email("colleague")
    _invite(owner, colleague_email)
    colleague = new_browser()
    _join(client, colleague, colleague_email)
    with client.app.state.components.sessions() as session:
        ids = {
            email: accounts.get_user_by_email(session=session, email=email).id  # type: ignore[union-attr]
            for email in (owner_email, colleague_email)
        }
    token = csrf_token(owner.get("/account").text)

    last = owner.post(
        f"/account/members/{ids[owner_email]}/remove?lang=zh", data={"csrf_token": token}
    )
    removed = owner.post(
        f"/account/members/{ids[colleague_email]}/remove",
        data={"csrf_token": token},
        follow_redirects=False,
    )

    assert last.status_code == 422 and "企业账户必须有负责人" in last.text
    assert removed.status_code == 303
    assert not _signed_in(colleague) and _signed_in(owner)


# --- staff ------------------------------------------------------------------------------------


def test_staff_send_a_reset_link_that_goes_to_the_users_own_address(
    client: TestClient, new_browser
) -> None:  # type: ignore[no-untyped-def]
    company = new_browser()
    email = _register(company)
    staff_email = _email("staff")
    with client.app.state.components.sessions() as session:
        accounts.create_user(
            session=session, email=staff_email, password=PASSWORD, name="周工", role="staff"
        )
    staff = new_browser()
    _sign_in(staff, staff_email)
    token = csrf_token(staff.get("/staff/password-reset").text)

    sent = staff.post(
        "/staff/password-reset", data={"email": email, "csrf_token": token}, follow_redirects=False
    )
    unknown = staff.post(
        "/staff/password-reset?lang=en", data={"email": _email("nobody"), "csrf_token": token}
    )

    assert sent.status_code == 303 and _link(client, email, "/password/reset")
    assert unknown.status_code == 422 and "No active account" in unknown.text
    assert company.get("/staff/password-reset", follow_redirects=False).status_code == 403


# --- the migration ----------------------------------------------------------------------------


def test_the_migration_makes_each_companys_earliest_member_its_owner(tmp_path: Path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    engine = create_engine(f"sqlite:///{tmp_path / 'owners.db'}")
    config = migrate.alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        before = ScriptDirectory.from_config(config).get_revision("0008").down_revision
        command.upgrade(config, str(before))  # the schema just before the owners came
        connection.execute(
            text(
                "insert into portal_companies (id, name, credit_code, contact_name, phone,"
                " email, created_at) values"
                " (1, 'A', '91440106MC0000001', 'a', '1', 'a@x.cn', '2026-01-01'),"
                " (2, 'B', '91440106MC0000002', 'b', '1', 'b@x.cn', '2026-01-01')"
            )
        )
        for user_id, company in ((5, 1), (3, 1), (7, 2), (9, None)):
            connection.execute(
                text(
                    "insert into portal_users (id, email, name, password_hash, role, company_id,"
                    " active, session_version, language, created_at) values (:id, :email, 'n',"
                    " 'h', :role, :company, 1, 0, 'zh', '2026-01-01')"
                ),
                {
                    "id": user_id,
                    "email": f"u{user_id}@x.cn",
                    "company": company,
                    "role": "company" if company else "staff",
                },
            )
        command.upgrade(config, "head")
        owners = (
            connection.execute(text("select id from portal_users where company_owner order by id"))
            .scalars()
            .all()
        )

    assert owners == [3, 7]
