"""Submitting and working requests: permissions, isolation between companies, the trail."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal import notifications, service_requests
from portal.attachments import AttachmentStore
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Mention, OutboxMessage, ServiceRequest, TriageSuggestion
from portal.workflow import Priority, Status

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


def test_company_lists_only_its_own_and_staff_see_all(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    ra, rb = submit_one(people["a"]), submit_one(people["b"])
    assert [r.id for r in service_requests.list_for_user(session=session, user=people["a2"])] == [
        ra.id
    ]
    assert {
        r.id for r in service_requests.list_for_user(session=session, user=people["staff"])
    } == {
        ra.id,
        rb.id,
    }


def _idor_calls(
    session: Session, store: AttachmentStore, request: ServiceRequest, intruder: Any
) -> list[Callable[[], object]]:
    return [
        lambda: service_requests.get_for_user(
            session=session, user=intruder, tracking_number=request.tracking_number
        ),
        lambda: service_requests.timeline(session=session, user=intruder, request=request),
        lambda: service_requests.add_message(
            session=session, user=intruder, request=request, body="hi"
        ),
        lambda: service_requests.add_message(
            session=session,
            user=intruder,
            request=request,
            body="x",
            files=[("a.pdf", PDF)],
            store=store,
        ),
        lambda: service_requests.transition(
            session=session, actor=intruder, request=request, target=Status.WITHDRAWN
        ),
        lambda: service_requests.withdraw(session=session, user=intruder, request=request),
        lambda: service_requests.rate(session=session, user=intruder, request=request, rating=5),
        lambda: service_requests.assign(
            session=session, actor=intruder, request=request, assignee_id=intruder.id
        ),
        lambda: service_requests.claim(session=session, actor=intruder, request=request),
        lambda: service_requests.set_priority(
            session=session, actor=intruder, request=request, priority=Priority.URGENT
        ),
        lambda: service_requests.set_service(
            session=session, actor=intruder, request=request, service_code="training"
        ),
    ]


def test_other_company_gets_not_found_from_every_function(
    session: Session, people: dict[str, Any], submit_one: Any, store: AttachmentStore
) -> None:
    from portal import triage

    request = submit_one(people["a"], files=[("coa.pdf", PDF)])
    request.status = Status.RESOLVED
    session.commit()
    calls = _idor_calls(session, store, request, people["b"])
    calls += [
        lambda: triage.accept(session=session, actor=people["b"], request=request),
        lambda: triage.override(
            session=session, actor=people["b"], request=request, priority=Priority.LOW
        ),
        lambda: triage.get_suggestion(session=session, actor=people["b"], request=request),
    ]
    attachment = next(
        i.attachment
        for i in service_requests.timeline(session=session, user=people["a"], request=request)
        if i.attachment
    )
    calls.append(
        lambda: service_requests.get_attachment(
            session=session, user=people["b"], attachment_id=attachment.id
        )
    )
    for call in calls:
        with pytest.raises(NotFound):
            call()
        session.rollback()
    assert request.status == Status.RESOLVED and request.rating is None


def test_missing_and_foreign_requests_look_the_same(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(NotFound) as foreign:
        service_requests.get_for_user(
            session=session, user=people["b"], tracking_number=request.tracking_number
        )
    with pytest.raises(NotFound) as missing:
        service_requests.get_for_user(
            session=session, user=people["b"], tracking_number="GBA-CGT-2026-999999"
        )
    assert str(foreign.value) == str(missing.value)


def test_company_cannot_use_staff_actions(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    for call in (
        lambda: service_requests.claim(session=session, actor=people["a"], request=request),
        lambda: service_requests.set_priority(
            session=session, actor=people["a"], request=request, priority=Priority.URGENT
        ),
        lambda: service_requests.add_message(
            session=session, user=people["a"], request=request, body="secret", visibility="internal"
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_timeline_hides_internal_notes_and_events_from_the_company(
    session: Session, people: dict[str, Any], submit_one: Any, store: AttachmentStore
) -> None:
    request = submit_one(people["a"])
    staff = people["staff"]
    service_requests.claim(session=session, actor=staff, request=request)
    service_requests.add_message(
        session=session,
        user=staff,
        request=request,
        body="looks odd",
        visibility="internal",
        files=[("n.txt", b"note")],
        store=store,
    )
    service_requests.add_message(session=session, user=staff, request=request, body="We are on it")
    company_view = service_requests.timeline(session=session, user=people["a"], request=request)
    staff_view = service_requests.timeline(session=session, user=staff, request=request)
    assert [i.message.body for i in company_view if i.message] == ["We are on it"]
    assert not any(i.internal for i in company_view)
    # The company sees the file it sent, never the staff's internal one.
    assert [i.attachment.filename for i in company_view if i.attachment] == [
        "sample-information.pdf"
    ]
    assert {"looks odd", "We are on it"} <= {i.message.body for i in staff_view if i.message}
    assert any(i.event and i.event.kind == "assigned" for i in staff_view)
    times = [i.at for i in staff_view]
    assert times == sorted(times)
    with pytest.raises(NotFound):
        att = next(i.attachment for i in staff_view if i.attachment and i.internal)
        service_requests.get_attachment(session=session, user=people["a"], attachment_id=att.id)


def test_staff_public_reply_sets_first_response_once_and_notifies(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    service_requests.add_message(
        session=session, user=people["staff"], request=request, body="Hello"
    )
    first = request.first_response_at
    assert first is not None
    service_requests.add_message(
        session=session, user=people["staff"], request=request, body="Again"
    )
    assert request.first_response_at == first
    subjects = [n.subject for n in notifications.unread_for(session=session, user=people["a"])]
    assert sum("replied" in s for s in subjects) == 2


def test_company_reply_while_awaiting_moves_back_to_in_progress_and_pauses(
    session: Session, people: dict[str, Any], submit_one: Any, now: Any, calendar: Any
) -> None:
    from datetime import timedelta

    request = submit_one(people["a"], now=now)
    service_requests.transition(
        session=session,
        actor=people["staff"],
        request=request,
        target=Status.AWAITING_COMPANY,
        now=now,
        calendar=calendar,
    )
    assert request.awaiting_since is not None and request.first_response_at is not None
    service_requests.add_message(
        session=session,
        user=people["a"],
        request=request,
        body="Here it is",
        now=now + timedelta(hours=2),
        calendar=calendar,
    )
    assert request.status == Status.IN_PROGRESS
    assert request.awaiting_since is None
    assert request.paused_seconds == 2 * 3600


def test_mentions_create_rows_and_notices(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    note = service_requests.add_message(
        session=session,
        user=people["staff"],
        request=request,
        body="@王芳 please check; cc @li.wei@center.example.",
        visibility="internal",
    )
    mentioned = set(session.scalars(select(Mention.user_id).where(Mention.message_id == note.id)))
    assert mentioned == {people["staff2"].id, people["staff"].id}
    notices = notifications.unread_for(session=session, user=people["staff2"])
    assert any("mentioned you" in n.subject for n in notices)


def test_public_message_does_not_mention_anyone(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    service_requests.add_message(
        session=session, user=people["a"], request=request, body="@王芳 hi"
    )
    assert session.scalar(select(func.count()).select_from(Mention)) == 0


def test_rating_only_when_resolved_only_company_only_once(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(PermissionDenied):
        service_requests.rate(session=session, user=people["a"], request=request, rating=5)
    request.status = Status.IN_PROGRESS
    session.commit()
    service_requests.transition(
        session=session, actor=people["staff"], request=request, target=Status.RESOLVED
    )
    with pytest.raises(PermissionDenied):
        service_requests.rate(session=session, user=people["staff"], request=request, rating=5)
    with pytest.raises(ValidationFailed):
        service_requests.rate(session=session, user=people["a"], request=request, rating=6)
    service_requests.rate(
        session=session, user=people["a"], request=request, rating=4, comment="Good"
    )
    assert (request.rating, request.rating_comment) == (4, "Good")
    with pytest.raises(PermissionDenied):
        service_requests.rate(session=session, user=people["a2"], request=request, rating=1)


def test_withdraw_is_the_companys_and_closed_requests_take_no_company_messages(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(PermissionDenied):
        service_requests.withdraw(session=session, user=people["staff"], request=request)
    service_requests.withdraw(session=session, user=people["a"], request=request, note="Not needed")
    assert request.status == Status.WITHDRAWN and request.closed_at is not None
    with pytest.raises(PermissionDenied):
        service_requests.add_message(session=session, user=people["a"], request=request, body="hm")


def test_assign_requires_a_staff_assignee_and_notifies(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(ValidationFailed):
        service_requests.assign(
            session=session, actor=people["staff"], request=request, assignee_id=people["a"].id
        )
    service_requests.assign(
        session=session, actor=people["staff"], request=request, assignee_id=people["staff2"].id
    )
    assert request.assignee_id == people["staff2"].id
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.user_id == people["staff2"].id)
        )
        == 1
    )


def test_set_service_moves_team_and_records_events(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    service_requests.set_service(
        session=session,
        actor=people["staff"],
        request=request,
        service_code="hgr_compliance_support",
    )
    assert request.team_code == "hgr_customs"
    kinds = [
        i.event.kind
        for i in service_requests.timeline(session=session, user=people["staff"], request=request)
        if i.event
    ]
    assert "service" in kinds and "team" in kinds


def test_notifications_name_statuses_in_words_and_never_say_received_before_the_center_acts(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    item = submit_one(people["a"])
    service_requests.transition(
        session=session, actor=people["staff"], request=item, target=Status.IN_PROGRESS
    )

    texts = [
        m.subject + "\n" + m.body
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.request_id == item.id))
    ]

    assert any("已提交 / Submitted" in t for t in texts)
    assert not any("已受理" in t or "Received" in t for t in texts)
    moved = next(t for t in texts if "处理中" in t)
    assert "Status: In progress" in moved and "in_progress" not in moved
