"""Notification e-mail: the one home of smtplib, and the loop that delivers the outbox."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from sqlalchemy.orm import Session, sessionmaker

from portal import notifications
from portal.models import OutboxMessage
from web.settings import Settings

log = logging.getLogger(__name__)


class SmtpSender:
    """Send one outbox message as a UTF-8 plain-text e-mail over SMTP."""

    def __init__(
        self,
        host: str,
        port: int = 587,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        sender: str | None = None,
        timeout: float = 20.0,
    ) -> None:
        """Remember where and how to connect; nothing is opened until a message is sent."""
        if not (sender or username):
            raise ValueError("an SMTP sender address (or a username) is required")
        self.host, self.port, self.timeout = host, port, timeout
        self.username, self.starttls = username, starttls
        self.sender: str = sender or username or ""
        self._password = password  # never logged, never in repr

    def __repr__(self) -> str:
        """Describe the transport without its secret."""
        return f"SmtpSender(host={self.host!r}, port={self.port}, username={self.username!r})"

    def compose(self, message: OutboxMessage, recipient: str) -> EmailMessage:
        """Build the e-mail of an outbox message."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        # base64 keeps the Chinese text intact through relays without 8BITMIME
        mail.set_content(message.body, subtype="plain", charset="utf-8", cte="base64")
        return mail

    def __call__(self, message: OutboxMessage, recipient: str) -> None:
        """Send the message to `recipient`; SMTP errors propagate to the caller."""
        mail = self.compose(message, recipient)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username and self._password:
                smtp.login(self.username, self._password)
            smtp.send_message(mail)


def sender_from(settings: Settings) -> SmtpSender | None:
    """The SMTP transport the settings describe, or None when e-mail is off."""
    if not settings.smtp_host:
        return None
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpSender(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=password,
        starttls=settings.smtp_starttls,
        sender=settings.smtp_sender,
        timeout=settings.smtp_timeout,
    )


def deliver_once(
    *, sessions: sessionmaker[Session], send: Callable[[OutboxMessage, str], None]
) -> notifications.DeliveryReport:
    """Run one delivery pass over the outbox, each message to its user's address."""
    with sessions() as session:

        def send_one(message: OutboxMessage) -> None:
            send(message, notifications.recipient_email(session=session, message=message))

        return notifications.deliver_pending(session=session, send=send_one)


class DeliveryLoop:
    """A daemon thread that delivers the outbox every `interval` seconds until stopped."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        send: Callable[[OutboxMessage, str], None],
        interval: float,
    ) -> None:
        """Prepare the loop; `start` runs it."""
        self.sessions, self.send, self.interval = sessions, send, interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox-delivery", daemon=True)

    def start(self) -> DeliveryLoop:
        """Start the thread."""
        self.thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop and wait for the current pass to finish."""
        self.stopped.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                report = deliver_once(sessions=self.sessions, send=self.send)
                if report.sent or report.failed:
                    log.info(
                        "outbox: %d sent, %d failed, %d pending",
                        report.sent,
                        report.failed,
                        report.pending,
                    )
            except Exception:  # a database hiccup must not end the loop
                log.exception("outbox delivery pass failed")
            self.stopped.wait(self.interval)
