"""Kill -9 the server during submissions, restart, and find nothing half-done.

Many concurrent submissions, some with attachments through the page form, when the server
is killed: every submission answered with success is stored once with its parts, the rest is
either whole or absent, tracking numbers stay unique and gap-free, and retrying an unanswered
submission with its idempotency key after the restart never makes a second request.
(Indexing killed half-way: tests/system/test_kill_during_indexing.py.)
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from benchmarks.loadtest_users import FORM_FIELDS, PDF, credit_code
from portal.models import Attachment, Event, OutboxMessage, ServiceRequest, TrackingCounter
from portal.tracking import PREFIX
from tests.support.live_server import LiveServer, fresh_data_dir
from web.settings import Settings

pytestmark = pytest.mark.slow

PASSWORD = "fault-test-password"
TRAINING = {"topics": ["gmp"], "participants": 4, "delivery": "online", "course_language": "en"}


@dataclass
class Attempt:
    """One submission: where it went, with how many files, and what came back."""

    company: int
    key: str
    files: int
    number: str | None = None  # the tracking number of a success
    in_flight: bool = False  # the connection broke after the request was sent


@dataclass
class Company:
    """A signed-in company user."""

    client: httpx.AsyncClient
    company: int
    csrf: str
    attempts: list[Attempt] = field(default_factory=list)


async def sign_up(url: str, n: int) -> Company:
    """Register a company; registration signs its first user in."""
    client = httpx.AsyncClient(base_url=url, timeout=60, follow_redirects=False)
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "company_name": f"Fault Test Bio {n}",
            "credit_code": credit_code(random.Random(n)),
            "contact_name": "Tester",
            "phone": "13800138000",
            "email": f"fault{n}-{secrets.token_hex(3)}@example.com",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Company(client, body["user"]["company"]["id"], body["csrf_token"])


async def submit(company: Company, attempt: Attempt) -> None:
    """Send one submission: JSON API without files, the page form with files."""
    try:
        if attempt.files == 0:
            response = await company.client.post(
                "/api/v1/requests",
                headers={"Idempotency-Key": attempt.key},
                json={
                    "service_code": "training",
                    "title": "Fault test",
                    "fields": TRAINING,
                    "description": f"Key {attempt.key}",
                },
            )
            if response.status_code == 201:
                attempt.number = response.json()["tracking_number"]
        else:
            # The first file fills the form's required material slot, the others go along.
            files = [
                (
                    "material_sample_info" if i == 0 else "files",
                    (
                        f"f{i}-{attempt.key}.pdf",
                        PDF + f"{attempt.key}/{i}".encode(),
                        "application/pdf",
                    ),
                )
                for i in range(attempt.files)
            ]
            response = await company.client.post(
                "/requests",
                files=files,
                data=FORM_FIELDS
                | {
                    "title": "Fault test with files",
                    "description": f"Key {attempt.key}",
                    "idempotency_key": attempt.key,
                    "csrf_token": company.csrf,
                },
            )
            location = response.headers.get("location", "")
            if response.status_code == 303 and location.startswith("/requests/GBA-"):
                attempt.number = location.split("/")[2].split("?")[0]
        assert attempt.number, f"{response.status_code}: {response.text[:500]}"
    except httpx.ConnectError:
        pass  # never reached the server
    except httpx.TransportError:
        attempt.in_flight = True  # sent, and the server died before it answered


def run_async(coroutine):  # type: ignore[no-untyped-def]
    """Run a coroutine on a thread of its own: a session browser fixture (Playwright's sync
    API) may already run an event loop on the main thread, where asyncio.run() refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def keep_submitting(company: Company, stop: asyncio.Event, rng: random.Random) -> None:
    """Submit one request after another until the server is gone."""
    while not stop.is_set():
        files = rng.choice([0, 0, 1, 2])
        attempt = Attempt(company.company, secrets.token_urlsafe(12), files)
        company.attempts.append(attempt)
        await submit(company, attempt)


async def submissions_until_killed(
    server: LiveServer, companies: int, per_company: int
) -> list[Company]:
    """Companies submitting concurrently; SIGKILL the server once 20 submissions succeeded."""
    crowd = list(await asyncio.gather(*(sign_up(server.url, n) for n in range(companies))))
    stop = asyncio.Event()
    rng = random.Random(7)
    workers = [
        asyncio.create_task(keep_submitting(company, stop, random.Random(rng.random())))
        for company in crowd
        for _ in range(per_company)
    ]
    deadline = time.monotonic() + 60
    while sum(a.number is not None for c in crowd for a in c.attempts) < 20:
        assert time.monotonic() < deadline, "too few submissions succeeded before the kill"
        await asyncio.sleep(0.02)
    server.kill()  # mid-stream: other submissions are in flight right now
    stop.set()
    await asyncio.gather(*workers)
    return crowd


async def retry_unanswered(url: str, crowd: list[Company]) -> None:
    """After the restart, send every unanswered submission again with its key (a user's retry)."""
    for company in crowd:
        await company.client.aclose()
        company.client = httpx.AsyncClient(
            base_url=url, timeout=60, follow_redirects=False, cookies=company.client.cookies
        )
        for attempt in company.attempts:
            if attempt.number is None:
                answered_before = attempt.in_flight
                await submit(company, attempt)
                attempt.in_flight = answered_before
                assert attempt.number, "the retry after the restart failed"
        await company.client.aclose()


def test_kill_during_submissions_leaves_every_request_whole_or_absent(
    tmp_path: Path, kb_cache: Path, servers: list[LiveServer]
) -> None:
    data_dir = fresh_data_dir(tmp_path, kb_cache)
    server = LiveServer(data_dir, log=tmp_path / "server.log").start()
    servers.append(server)
    server.wait_ready(180)
    crowd = run_async(submissions_until_killed(server, companies=4, per_company=3))
    attempts = [a for c in crowd for a in c.attempts]
    confirmed = {(a.company, a.key): a.number for a in attempts if a.number}
    assert any(a.in_flight for a in attempts), "the kill did not interrupt a submission"
    assert any(a.files for a in attempts if a.number), "no submission with files succeeded"

    server.start()  # same data folder, same secret: the sessions still hold
    server.wait_ready(180)
    run_async(retry_unanswered(server.url, crowd))
    server.stop()

    settings = Settings(environment="test", data_dir=data_dir)
    from web.db.engine import build_sessions

    with build_sessions(settings)() as session:
        requests = session.scalars(select(ServiceRequest)).all()
        by_key = Counter((r.company_id, r.idempotency_key) for r in requests)
        number_of = {(r.company_id, r.idempotency_key): r for r in requests}
        # Every submission is stored exactly once, and those answered before the kill kept
        # the tracking number they were given; a retry never made a second request.
        assert set(by_key) == {(a.company, a.key) for a in attempts}
        assert max(by_key.values()) == 1
        for key, number in confirmed.items():
            assert number_of[key].tracking_number == number
        # ... each with its parts: the audit event, its files, the company's notification.
        for attempt in attempts:
            request = number_of[(attempt.company, attempt.key)]
            kinds = Counter(
                session.scalars(select(Event.kind).where(Event.request_id == request.id))
            )
            assert kinds["submitted"] == 1, request.tracking_number
            assert kinds["attachment_added"] == attempt.files, request.tracking_number
            files = session.scalars(
                select(Attachment).where(Attachment.request_id == request.id)
            ).all()
            assert len(files) == attempt.files, request.tracking_number
            assert (
                session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.request_id == request.id)
                )
                == 1
            )
        # No attachment row points at a missing or different file.
        uploads = settings.uploads_path
        for row in session.scalars(select(Attachment)):
            path = uploads / row.sha256[:2] / row.sha256[2:4] / row.sha256
            assert path.is_file(), row.filename
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
            assert path.stat().st_size == row.size
        # No orphan rows pointing at requests that are not there.
        ids = {r.id for r in requests}
        for model in (Event, Attachment, OutboxMessage):
            orphans = session.scalars(
                select(model.request_id).where(  # type: ignore[attr-defined]
                    model.request_id.is_not(None), model.request_id.not_in(ids)
                )
            ).all()  # type: ignore[attr-defined]
            assert orphans == [], model.__name__
        # Tracking numbers: unique and gap-free, and the counter agrees with the last one.
        numbers = sorted(int(r.tracking_number.rsplit("-", 1)[1]) for r in requests)
        assert numbers == list(range(1, len(requests) + 1))
        assert all(r.tracking_number.startswith(PREFIX) for r in requests)
        assert session.scalar(select(func.sum(TrackingCounter.last))) == len(requests)
