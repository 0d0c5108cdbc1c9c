"""Who sees and acts on a request: isolation between companies, company vs staff actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal import (
    request_assignment,
    request_files,
    request_messages,
    request_transitions,
    service_requests,
)
from portal.attachments import AttachmentStore
from portal.errors import NotFound, PermissionDenied
from portal.models import ServiceRequest
from portal.workflow import Priority, Status

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


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
        lambda: request_messages.add_message(
            session=session, user=intruder, request=request, body="hi"
        ),
        lambda: request_messages.add_message(
            session=session,
            user=intruder,
            request=request,
            body="x",
            files=[("a.pdf", PDF)],
            store=store,
        ),
        lambda: request_transitions.transition(
            session=session, actor=intruder, request=request, target=Status.WITHDRAWN
        ),
        lambda: request_transitions.withdraw(session=session, user=intruder, request=request),
        lambda: service_requests.rate(session=session, user=intruder, request=request, rating=5),
        lambda: request_assignment.assign(
            session=session, actor=intruder, request=request, assignee_id=intruder.id
        ),
        lambda: request_assignment.claim(session=session, actor=intruder, request=request),
        lambda: request_assignment.set_priority(
            session=session, actor=intruder, request=request, priority=Priority.URGENT
        ),
        lambda: request_assignment.set_service(
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
        lambda: request_files.get_attachment(
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
        lambda: request_assignment.claim(session=session, actor=people["a"], request=request),
        lambda: request_assignment.set_priority(
            session=session, actor=people["a"], request=request, priority=Priority.URGENT
        ),
        lambda: request_messages.add_message(
            session=session, user=people["a"], request=request, body="secret", visibility="internal"
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
