"""Triage suggestions with reasons, and staff decisions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal import service_requests, triage
from portal.errors import PermissionDenied
from portal.models import TriageSuggestion
from portal.workflow import Priority, Status


def test_urgent_keyword_and_near_deadline_raise_priority(
    session: Session, people: dict[str, Any], submit_one: Any, testing_fields: dict[str, Any]
) -> None:
    soon = (date.today() + timedelta(days=3)).isoformat()
    request = submit_one(
        people["a"],
        title="紧急：临床急需放行检测",
        description="Patient dosing next week.",
        fields={**testing_fields, "deadline": soon},
    )
    row = session.get(TriageSuggestion, request.id)
    assert row is not None and row.priority == "urgent"
    kinds = {(r["kind"], r.get("to")) for r in row.reasons["priority"]}
    assert ("keyword", "urgent") in kinds and ("deadline", "urgent") in kinds
    keywords = next(r["detail"] for r in row.reasons["priority"] if r["kind"] == "keyword")
    assert "紧急" in keywords and "临床急需" in keywords
    assert row.team_code == "testing"


def test_catalog_match_and_keywords_can_redirect_the_service(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(
        people["a"],
        service_code="general_consultation",
        fields={},
        title="HGR approval for international cooperation",
        description="We need 人类遗传资源 approval for a study with a US partner.",
        catalog_match=lambda text: [("hgr_compliance_support", 0.82)],
    )
    row = session.get(TriageSuggestion, request.id)
    assert row is not None
    assert (row.service_code, row.team_code) == ("hgr_compliance_support", "hgr_customs")
    kinds = {r["kind"] for r in row.reasons["service"]}
    assert {"catalog_match", "keyword"} <= kinds


def test_similar_past_requests_are_listed(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    old = submit_one(
        people["b"],
        title="Mycoplasma testing for MSC batch",
        description="Mycoplasma and sterility testing for an MSC batch.",
    )
    training = {
        "topics": ["gmp"],
        "participants": "10",
        "delivery": "online",
        "course_language": "zh",
    }
    submit_one(
        people["b"],
        title="Training on GMP",
        description="Course for ten staff.",
        service_code="training",
        fields=training,
    )
    new = submit_one(
        people["a"],
        title="Mycoplasma testing for MSC lot",
        description="Need mycoplasma and sterility testing for MSC.",
    )
    row = session.get(TriageSuggestion, new.id)
    assert row is not None
    similar = row.reasons["similar"]
    assert similar[0]["tracking_number"] == old.tracking_number and len(similar) <= 3


def test_accept_applies_and_records(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"], title="urgent release test")
    row = triage.accept(session=session, actor=people["staff"], request=request)
    assert row.decision == "accepted" and row.decided_by_id == people["staff"].id
    assert request.priority == Priority.URGENT and request.status == Status.TRIAGED
    kinds = [
        i.event.kind
        for i in service_requests.timeline(session=session, user=people["staff"], request=request)
        if i.event
    ]
    assert {"triage_accepted", "priority", "status"} <= set(kinds)


def test_override_records_suggestion_and_choice(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    row = triage.override(
        session=session,
        actor=people["staff"],
        request=request,
        priority=Priority.LOW,
        team_code="general",
        note="Not urgent",
    )
    assert row.decision == "overridden"
    assert (request.priority, request.team_code) == (Priority.LOW, "general")
    event = next(
        i.event
        for i in service_requests.timeline(session=session, user=people["staff"], request=request)
        if i.event and i.event.kind == "triage_overridden"
    )
    assert event.before["priority"] == "normal" and event.after["priority"] == "low"
    assert event.note == "Not urgent"


def test_company_cannot_triage_its_own_request(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"])
    with pytest.raises(PermissionDenied):
        triage.accept(session=session, actor=people["a"], request=request)


def test_failing_catalog_match_does_not_block_submission(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    def broken(text: str) -> list[tuple[str, float]]:
        raise RuntimeError("index not ready")

    request = submit_one(people["a"], catalog_match=broken)
    row = session.get(TriageSuggestion, request.id)
    assert row is not None and row.service_code == "release_lot_testing"
