"""Notifications in the portal (list, badge, mark read) and their delivery by real SMTP."""

from __future__ import annotations

import email
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from portal import accounts, notifications
from portal.models import OutboxMessage, User
from retrieval.embeddings import EmbeddingModel
from tests.support.forms import PASSWORD, credit_code, csrf_token
from tests.support.live_server import free_port
from tests.support.session import company_browser
from web.app import create_app
from web.core.components import Components, build
from web.core.mailer import DeliveryLoop, SmtpSender, deliver_once
from web.db.engine import build_sessions
from web.settings import Settings

SENDER = "noreply@gba-cgt.example.cn"
BODY = "您好，您的申请已受理。受理编号 GBA-CGT-2026-000001。"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submit_request(browser: TestClient) -> str:
    """Submit a general consultation; return its tracking number."""
    page = browser.get("/requests/new?service=general_consultation").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    data = {
        "csrf_token": csrf_token(page),
        "idempotency_key": key.group(1),
        "service_code": "general_consultation",
        "title": "咨询细胞治疗备案",
        "description": "请问备案需要哪些材料？",
    }
    response = browser.post("/requests", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("/")[2].split("?")[0]


# --- in the portal --------------------------------------------------------------------------


def _badge(page: str) -> int:
    match = re.search(r'<span class="badge unread-count"[^>]*>(\d+)</span>', page)
    return int(match.group(1)) if match else 0


def test_company_sees_its_confirmation_and_the_unread_badge(
    components: Components, client: TestClient
) -> None:
    browser = company_browser(components, client)
    number = submit_request(browser)

    page = browser.get("/notifications?lang=en")

    assert page.status_code == 200
    assert "[" + number + "] 已提交 / Submitted" in page.text
    assert f'href="/requests/{number}"' in page.text
    assert 'class="notification unread"' in page.text
    assert _badge(page.text) == 1
    assert 'href="/notifications"' in browser.get("/requests?lang=en").text


def test_mark_all_read_clears_the_badge(components: Components, client: TestClient) -> None:
    browser = company_browser(components, client)
    submit_request(browser)
    page = browser.get("/notifications").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token

    response = browser.post(
        "/notifications/read", data={"csrf_token": token.group(1)}, follow_redirects=False
    )

    assert response.status_code == 303 and response.headers["location"] == "/notifications"
    after = browser.get("/notifications").text
    assert _badge(after) == 0
    assert 'class="notification unread"' not in after
    assert "已提交 / Submitted" in after  # still listed, now read


def test_mark_read_without_csrf_is_refused(components: Components, client: TestClient) -> None:
    browser = company_browser(components, client)
    submit_request(browser)

    response = browser.post("/notifications/read", follow_redirects=False)

    assert response.status_code == 403
    assert _badge(browser.get("/notifications").text) == 1


def test_another_user_never_sees_the_notification(
    components: Components, client: TestClient
) -> None:
    owner = company_browser(components, client)
    number = submit_request(owner)
    stranger = company_browser(components, client)

    page = stranger.get("/notifications?lang=en").text

    assert number not in page
    assert _badge(page) == 0


def test_visitors_are_sent_to_sign_in_for_notifications(fresh_client: TestClient) -> None:
    response = fresh_client.get("/notifications", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


# --- a real SMTP server ---------------------------------------------------------------------


@dataclass
class Inbox:
    """What the local SMTP server received, or refuses with."""

    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: str | None = None  # an SMTP reply to DATA, e.g. "451 ..."
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Store the message (aiosmtpd handler hook), or refuse it."""
        if self.refuse:
            return self.refuse
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        """The received e-mails, parsed."""
        with self.lock:
            raw = [content for _, _, content in self.received]
        return [email.message_from_bytes(r, policy=default_policy) for r in raw]  # type: ignore[misc]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1 and a free port, for the duration of a test."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def outbox_db(tmp_path: Path) -> sessionmaker[Session]:
    """A fresh, migrated portal database (no index, no model)."""
    return build_sessions(Settings(environment="test", data_dir=tmp_path))


def _user_with_message(sessions: sessionmaker[Session]) -> tuple[str, int]:
    email_address = f"mail-{credit_code()}@example.cn".lower()  # accounts keep addresses lowercase
    with sessions() as session:
        accounts.register_company(
            session=session,
            company_name="深圳示例基因治疗有限公司",
            credit_code=credit_code(),
            contact_name="王芳",
            phone="0755-12345678",
            email=email_address,
            password=PASSWORD,
        )
        user = accounts.get_user_by_email(session=session, email=email_address)
        assert isinstance(user, User)
        [row] = notifications.enqueue(
            session=session, user_ids=[user.id], subject="[GBA-CGT-2026-000001] 已受理", body=BODY
        )
        session.commit()
        return email_address, row.id


def _sender(port: int) -> SmtpSender:
    return SmtpSender(
        host="127.0.0.1",
        port=port,
        username=None,
        password=None,
        starttls=False,
        sender=SENDER,
        timeout=5,
    )


def test_smtp_delivery_sends_utf8_mail_to_the_user_and_marks_it_sent(
    smtp_server: tuple[Inbox, int], outbox_db: sessionmaker[Session]
) -> None:
    inbox, port = smtp_server
    recipient, message_id = _user_with_message(outbox_db)

    report = deliver_once(sessions=outbox_db, send=_sender(port))

    assert (report.sent, report.failed, report.pending) == (1, 0, 0)
    [(mail_from, rcpt_tos, _)] = inbox.received
    assert mail_from == SENDER and rcpt_tos == [recipient]
    [mail] = inbox.messages()
    assert mail["Subject"] == "[GBA-CGT-2026-000001] 已受理"
    assert mail["To"] == recipient
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content().strip() == BODY
    with outbox_db() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None and row.sent_at is not None
        assert row.attempts == 1 and row.last_error is None
    assert deliver_once(sessions=outbox_db, send=_sender(port)).sent == 0  # never twice


def test_a_refusing_smtp_server_records_the_attempt_and_error_without_raising(
    smtp_server: tuple[Inbox, int], outbox_db: sessionmaker[Session]
) -> None:
    inbox, port = smtp_server
    inbox.refuse = "451 Mailbox temporarily unavailable"
    _, message_id = _user_with_message(outbox_db)

    report = deliver_once(sessions=outbox_db, send=_sender(port))

    assert (report.sent, report.failed, report.pending) == (0, 1, 1)
    with outbox_db() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None and row.sent_at is None and row.attempts == 1
        assert "451" in (row.last_error or "")

    inbox.refuse = None  # the next pass retries and succeeds
    assert deliver_once(sessions=outbox_db, send=_sender(port)).sent == 1
    assert len(inbox.received) == 1


def test_an_unreachable_server_records_the_error_without_raising(
    outbox_db: sessionmaker[Session],
) -> None:
    _, message_id = _user_with_message(outbox_db)

    report = deliver_once(sessions=outbox_db, send=_sender(free_port()))

    assert report.failed == 1
    with outbox_db() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None and row.attempts == 1 and row.sent_at is None
        assert "ConnectionRefusedError" in (row.last_error or "")


def test_concurrent_workers_never_send_the_same_message_twice(
    smtp_server: tuple[Inbox, int], outbox_db: sessionmaker[Session]
) -> None:
    inbox, port = smtp_server
    for _ in range(6):
        _user_with_message(outbox_db)
    smtp = _sender(port)

    def slow_send(message: OutboxMessage, recipient: str) -> None:
        time.sleep(0.05)  # keep each send in flight while the other worker looks
        smtp(message, recipient)

    workers = [
        threading.Thread(target=deliver_once, kwargs={"sessions": outbox_db, "send": slow_send})
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)

    recipients = [rcpt for _, rcpts, _ in inbox.received for rcpt in rcpts]
    assert len(recipients) == 6 and len(set(recipients)) == 6


def test_the_sender_never_shows_its_password() -> None:
    sender = SmtpSender(
        host="smtp.example.cn",
        port=587,
        username="portal",
        password="hunter2-secret",
        starttls=True,
        sender=SENDER,
        timeout=5,
    )

    assert "hunter2-secret" not in repr(sender)
    assert "hunter2-secret" not in repr(
        Settings(smtp_host="h", smtp_sender=SENDER, smtp_password="hunter2-secret")
    )


def test_delivery_is_off_without_an_smtp_host() -> None:
    assert not Settings(environment="test").smtp_enabled
    with pytest.raises(ValueError):
        Settings(environment="test", smtp_host="smtp.example.cn")  # no sender


def test_the_app_delivers_in_the_background_when_smtp_is_configured(
    smtp_server: tuple[Inbox, int], tmp_path: Path, use_model: EmbeddingModel
) -> None:
    inbox, port = smtp_server
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        ingest_on_start=False,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_sender=SENDER,
        smtp_interval=0.1,
    )
    parts = build(settings, embeddings=use_model)
    recipient, _ = _user_with_message(parts.sessions)
    app = create_app(components=parts)

    with TestClient(app):
        loop = app.state.delivery
        assert isinstance(loop, DeliveryLoop) and loop.thread.is_alive()
        deadline = time.monotonic() + 10
        while not inbox.received and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not loop.thread.is_alive()  # stopped on shutdown
    assert [rcpts for _, rcpts, _ in inbox.received] == [[recipient]]
