"""Submitting a request: its number, team, events and notices; bad fields; idempotency and races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal import notifications, service_requests
from portal.attachments import AttachmentStore
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import OutboxMessage, ServiceRequest, TriageSuggestion
from portal.workflow import Status

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_submit_creates_request_with_number_team_event_notice_and_suggestion(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"], files=[("coa.pdf", PDF)])
    assert request.tracking_number.startswith("GBA-CGT-20")
    assert request.status == Status.SUBMITTED
    assert request.team_code == "testing"
    assert request.fields["sample_quantity"] == 3
    kinds = [
        e.event.kind
        for e in service_requests.timeline(session=session, user=people["staff"], request=request)
        if e.event
    ]
    assert "submitted" in kinds and "triage_suggested" in kinds
    notices = notifications.unread_for(session=session, user=people["a2"])
    assert any(request.tracking_number in n.subject for n in notices)
    assert session.get(TriageSuggestion, request.id) is not None
    items = service_requests.timeline(session=session, user=people["a"], request=request)
    assert [i.attachment.filename for i in items if i.attachment] == ["coa.pdf"]


def test_submit_rejects_bad_fields_with_every_message(
    people: dict[str, Any], submit_one: Any
) -> None:
    with pytest.raises(ValidationFailed) as info:
        submit_one(people["a"], title="", fields={"sample_quantity": "many"})
    assert info.value.errors["title"] == "required"
    assert info.value.errors["sample_quantity"] == "not_an_integer"
    assert info.value.errors["product_type"] == "required"


def test_staff_cannot_submit(people: dict[str, Any], submit_one: Any) -> None:
    with pytest.raises(PermissionDenied):
        submit_one(people["staff"])


def test_same_key_twice_gives_one_request(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    first = submit_one(people["a"], idempotency_key="double-click")
    second = submit_one(people["a2"], idempotency_key="double-click")
    assert first.id == second.id
    assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 1


def test_same_key_in_another_company_is_another_request(
    people: dict[str, Any], submit_one: Any
) -> None:
    first = submit_one(people["a"], idempotency_key="k")
    second = submit_one(people["b"], idempotency_key="k")
    assert first.id != second.id


def _race(
    sessions: sessionmaker[Session], user_id: int, submit: Callable[[Session, Any, int], None]
) -> list[BaseException]:
    """Run `submit(session, user, n)` on 4 threads released together; what they raised."""
    from portal.models import User

    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        with sessions() as s:
            user = s.get(User, user_id)
            barrier.wait()
            try:
                submit(s, user, n)
            except BaseException as exc:  # noqa: BLE001 - returned to the test
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_same_key_from_two_threads_gives_one_request(
    session: Session,
    sessions: sessionmaker[Session],
    people: dict[str, Any],
    store: AttachmentStore,
    testing_fields: dict[str, Any],
) -> None:
    results: list[int] = []

    def submit(s: Session, user: Any, n: int) -> None:
        r = service_requests.submit(
            session=s,
            user=user,
            service_code="release_lot_testing",
            title="Race",
            description="Two clicks",
            fields=testing_fields,
            idempotency_key="race",
            store=store,
            files=[("sample-information.pdf", PDF)],
        )
        results.append(r.id)

    assert _race(sessions, people["a"].id, submit) == []
    assert len(set(results)) == 1 and len(results) == 4
    assert session.scalar(select(func.count()).select_from(ServiceRequest)) == 1
    numbers = session.scalars(select(ServiceRequest.tracking_number)).all()
    assert numbers[0].endswith("-000001")


def test_concurrent_submissions_get_gap_free_numbers_and_their_own_notices(
    session: Session,
    sessions: sessionmaker[Session],
    people: dict[str, Any],
    store: AttachmentStore,
    testing_fields: dict[str, Any],
) -> None:
    """The number is taken last in the transaction: nothing keeps the placeholder."""

    def submit(s: Session, user: Any, n: int) -> None:
        for i in range(5):
            pdf = PDF + f"{n}/{i}".encode()  # distinct files: each is written and synced
            service_requests.submit(
                session=s,
                user=user,
                service_code="release_lot_testing",
                title=f"T{n}-{i}",
                description="Parallel",
                store=store,
                fields=testing_fields,
                idempotency_key=f"k{n}-{i}",
                files=[("sample-information.pdf", pdf)],
            )

    assert _race(sessions, people["a"].id, submit) == []
    rows = session.execute(select(ServiceRequest.id, ServiceRequest.tracking_number)).all()
    assert sorted(number[-6:] for _, number in rows) == [f"{n:06d}" for n in range(1, 21)]
    received = session.execute(
        select(OutboxMessage.request_id, OutboxMessage.subject, OutboxMessage.body).where(
            OutboxMessage.subject.contains("已提交 / Submitted")
        )
    ).all()
    number_of = dict(rows)
    assert {r.request_id for r in received} == set(number_of)
    for r in received:
        assert number_of[r.request_id] in r.subject and number_of[r.request_id] in r.body
