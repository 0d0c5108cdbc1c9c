"""Answers attached to requests, and impact notices: permissions, snapshots, once-only notices."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import attached_answers, request_transitions
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Event, ImpactNotice, OutboxMessage
from portal.workflow import Status


def _snapshot(answer_id: str = "a" * 32, version: int = 1) -> attached_answers.AnswerSnapshot:
    return attached_answers.AnswerSnapshot(
        answer_id=answer_id,
        question="What is the CIT rate in Nansha?",
        answer="It is 15% [1].",
        language="en",
        refused=False,
        asked_at=datetime(2026, 3, 1, tzinfo=UTC),
        citations=[
            {
                "n": 1,
                "document_id": "nansha-cit-15.en",
                "version": version,
                "chunk_id": "c1",
                "title": "Nansha 15% CIT",
                "section": "Rate",
                "quote": "It is 15%.",
                "url": "/documents/nansha-cit-15.en",
                "issuer": "not kept",
            }
        ],
    )


def test_a_company_attaches_a_snapshot_once_with_an_audit_event(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    request.assignee_id = people["staff"].id
    session.commit()
    row = attached_answers.attach(
        session=session, user=people["a"], request=request, snapshot=_snapshot()
    )
    again = attached_answers.attach(
        session=session, user=people["a2"], request=request, snapshot=_snapshot()
    )

    assert again.id == row.id
    assert row.citations == [
        {
            "n": 1,
            "document_id": "nansha-cit-15.en",
            "version": 1,
            "chunk_id": "c1",
            "title": "Nansha 15% CIT",
            "section": "Rate",
            "quote": "It is 15%.",
            "url": "/documents/nansha-cit-15.en",
        }
    ]
    seen = attached_answers.list_for_request(session=session, user=people["staff"], request=request)
    assert [a.question for a in seen] == ["What is the CIT rate in Nansha?"]
    events = session.scalars(
        select(Event).where(Event.request_id == request.id, Event.kind == "answer_attached")
    ).all()
    assert len(events) == 1 and events[0].actor_id == people["a"].id
    assert events[0].after["sources"] == [{"document_id": "nansha-cit-15.en", "version": 1}]
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == people["staff"].id)
    ).all()
    assert any("Assistant answer attached" in m.subject for m in told)


def test_other_companies_staff_and_closed_requests_cannot_attach(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(NotFound):
        attached_answers.attach(
            session=session, user=people["b"], request=request, snapshot=_snapshot()
        )
    with pytest.raises(NotFound):
        attached_answers.list_for_request(session=session, user=people["b"], request=request)
    with pytest.raises(PermissionDenied):
        attached_answers.attach(
            session=session, user=people["staff"], request=request, snapshot=_snapshot()
        )
    with pytest.raises(ValidationFailed):
        attached_answers.attach(
            session=session, user=people["a"], request=request, snapshot=_snapshot(answer_id="")
        )
    request_transitions.withdraw(session=session, user=people["a"], request=request)
    with pytest.raises(PermissionDenied):
        attached_answers.attach(
            session=session, user=people["a"], request=request, snapshot=_snapshot()
        )
    assert (
        attached_answers.list_for_request(session=session, user=people["a"], request=request) == []
    )


def test_open_requests_with_answers_leaves_closed_requests_out(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    open_one, closed = submit_one(people["a"]), submit_one(people["b"])
    attached_answers.attach(
        session=session, user=people["a"], request=open_one, snapshot=_snapshot("1" * 32)
    )
    attached_answers.attach(
        session=session, user=people["b"], request=closed, snapshot=_snapshot("2" * 32)
    )
    request_transitions.withdraw(session=session, user=people["b"], request=closed)
    assert closed.status == Status.WITHDRAWN

    found = attached_answers.open_requests_with(
        session=session, answer_ids=["1" * 32, "2" * 32, "3" * 32]
    )

    assert [(r.id, a.answer_id) for r, a in found] == [(open_one.id, "1" * 32)]


def test_impact_notices_go_once_per_request_or_company_and_per_version(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    args = {
        "session": session,
        "actor": people["staff"],
        "document_id": "nansha-cit-15.en",
        "title": "Nansha 15% CIT",
        "change": "edited",
        "requests": [request],
        "company_ids": [people["company_a"].id, people["company_b"].id],
    }

    first = attached_answers.notify_impact(document_version=2, **args)
    second = attached_answers.notify_impact(document_version=2, **args)
    third = attached_answers.notify_impact(document_version=3, **args)

    assert (first.notified_requests, first.notified_companies, first.already_notified) == (1, 1, 0)
    assert (second.notified, second.already_notified) == (0, 2)
    assert third.notified == 2  # a newer version is news again
    to_a = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.user_id == people["a2"].id, OutboxMessage.subject.contains("relied on")
        )
    ).all()
    assert len(to_a) == 2 and all(m.request_id == request.id for m in to_a)
    assert request.tracking_number in to_a[0].body and "now version 2" in to_a[0].body
    assert "已更新为第 2 版" in to_a[0].body
    to_b = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.user_id == people["b"].id, OutboxMessage.subject.contains("relied on")
        )
    ).all()
    assert len(to_b) == 2 and all(m.request_id is None for m in to_b)
    assert len(session.scalars(select(ImpactNotice)).all()) == 4
    with pytest.raises(PermissionDenied):
        attached_answers.notify_impact(**{**args, "actor": people["a"]}, document_version=4)
