"""Answer records: ids, who asked, exact sources with document versions, feedback, impact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge import registry
from retrieval import answer_log, feedback
from retrieval.cited_answer import Citation
from retrieval.tables import AnswerSourceRow, ConversationTurnRow, RetrievalBase
from web.core.components import Components


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker[Session]]:  # type: ignore[no-untyped-def]
    """A fresh SQLite database with the retrieval tables only (for the logic of listings)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'answer_log.db'}")
    RetrievalBase.metadata.create_all(engine)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def _citation(n: int, document_id: str, version: int, section: str = "Article 1") -> Citation:
    return Citation(
        n=n,
        document_id=document_id,
        chunk_id=f"{document_id[:20]}-{n}",
        title=f"Title {document_id}",
        section=section,
        quote=f"quote {n} of {document_id}",
        start=0,
        url=f"/documents/{document_id}",
        source_url=None,
        status="in_force",
        issued="2024-01-01",
        issuer=None,
        doc_number=None,
        verified=True,
        language="en",
        version=version,
    )


def _store(
    sessions: sessionmaker[Session],
    question: str,
    citations: list[Citation],
    *,
    company_id: int | None = None,
    asker_id: int | None = None,
    minutes_ago: int = 0,
) -> str:
    answer_id = answer_log.new_answer_id()
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    with sessions() as session:
        session.add(
            ConversationTurnRow(
                conversation_id=answer_log.new_answer_id(),
                question=question,
                search_query=question,
                answer=f"answer to {question} [1]",
                language="en",
                refused=False,
                reason=None,
                confidence=0.8,
                citations=[asdict(c) for c in citations],
                created_at=at,
                answer_id=answer_id,
                asker_id=asker_id,
                company_id=company_id,
            )
        )
        answer_log.record_sources(session=session, answer_id=answer_id, citations=citations, at=at)
        session.commit()
    return answer_id


# --- through the real assistant ---------------------------------------------------------------


def test_every_answer_gets_its_own_id_and_stores_exact_sources(components: Components) -> None:
    assistant = components.assistant
    turn = assistant.ask("南沙的企业所得税优惠税率是多少？", asker_id=7, company_id=3)
    again = assistant.ask("南沙的企业所得税优惠税率是多少？", asker_id=7, company_id=3)

    assert turn.answer_id and again.answer_id and turn.answer_id != again.answer_id
    assert len(turn.answer_id) == 32 and int(turn.answer_id, 16) >= 0  # 128 random bits
    assert not turn.answer.refused and turn.answer.citations
    with components.sessions() as session:
        sources = session.scalars(
            select(AnswerSourceRow)
            .where(AnswerSourceRow.answer_id == turn.answer_id)
            .order_by(AnswerSourceRow.n)
        ).all()
        stored = answer_log.get(session=session, answer_id=turn.answer_id)
        for source in sources:  # the version recorded is the document's version when quoted
            document = registry.get(session=session, document_id=source.document_id)
            assert document is not None and source.document_version == document.version
            assert source.quote in document.text
    assert [(s.n, s.chunk_id, s.document_id) for s in sources] == [
        (c.n, c.chunk_id, c.document_id) for c in turn.answer.citations
    ]
    assert stored is not None and stored.question == turn.question
    assert (stored.asker_id, stored.company_id) == (7, 3)
    assert stored.answer.citations == turn.answer.citations


def test_a_refusal_has_an_answer_id_and_no_sources(components: Components) -> None:
    turn = components.assistant.ask("明天广州的天气怎么样？")
    assert turn.answer.refused and turn.answer_id
    with components.sessions() as session:
        assert answer_log.get(session=session, answer_id=turn.answer_id) is not None
        assert not session.scalars(
            select(AnswerSourceRow).where(AnswerSourceRow.answer_id == turn.answer_id)
        ).all()


# --- visibility -------------------------------------------------------------------------------


def test_a_company_sees_its_own_and_anonymous_answers_only(sessions) -> None:  # type: ignore[no-untyped-def]
    own = _store(sessions, "ours", [], company_id=1, asker_id=10)
    anonymous = _store(sessions, "anyone", [])
    with sessions() as session:
        assert answer_log.get_visible(session=session, answer_id=own, company_id=1, staff=False)
        assert answer_log.get_visible(
            session=session, answer_id=anonymous, company_id=2, staff=False
        )
        assert answer_log.get_visible(session=session, answer_id=own, company_id=None, staff=True)
        for company in (2, None):
            with pytest.raises(answer_log.AnswerNotFound):
                answer_log.get_visible(
                    session=session, answer_id=own, company_id=company, staff=False
                )
        with pytest.raises(answer_log.AnswerNotFound):
            answer_log.get_visible(session=session, answer_id="0" * 32, company_id=1, staff=False)


def test_a_citation_stored_before_versions_reads_as_version_1() -> None:
    data = asdict(_citation(1, "decree-818.en", 4))
    del data["version"]
    data["removed_field"] = "ignored"
    assert answer_log.citation_from_json(data).version == 1


# --- feedback ---------------------------------------------------------------------------------


def test_feedback_is_validated_and_a_givers_later_verdict_replaces_the_earlier(sessions) -> None:  # type: ignore[no-untyped-def]
    answer_id = _store(sessions, "q", [_citation(1, "doc-a", 1)], company_id=1)
    with sessions() as session:
        for kwargs, field in (
            ({"helpful": False, "reason": "boring"}, "reason"),
            ({"helpful": True, "reason": "wrong"}, "reason"),
            ({"helpful": False, "comment": "x" * (feedback.MAX_COMMENT + 1)}, "comment"),
        ):
            with pytest.raises(feedback.InvalidFeedback) as failure:
                feedback.give_feedback(
                    session=session, answer_id=answer_id, user_id=5, company_id=1, **kwargs
                )  # type: ignore[arg-type]
            assert failure.value.field == field
        with pytest.raises(answer_log.AnswerNotFound):  # another company's answer
            feedback.give_feedback(
                session=session, answer_id=answer_id, helpful=False, user_id=9, company_id=2
            )
        assert feedback.list_feedback(session=session).total == 0  # nothing half-written

        first = feedback.give_feedback(
            session=session, answer_id=answer_id, helpful=True, user_id=5, company_id=1
        )
        later = feedback.give_feedback(
            session=session,
            answer_id=answer_id,
            helpful=False,
            reason="outdated",
            comment="  rule changed  ",
            user_id=5,
            company_id=1,
        )
        feedback.give_feedback(
            session=session,
            answer_id=answer_id,
            helpful=False,
            reason="wrong",
            user_id=6,
            company_id=1,
        )
        listed = feedback.list_feedback(session=session)
    assert later.id == first.id and later.comment == "rule changed"
    assert listed.total == 2
    assert {(fb.user_id, fb.reason) for fb, _ in listed.items} == {(5, "outdated"), (6, "wrong")}


def test_the_feedback_list_filters_and_pages_newest_first(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = [_store(sessions, f"question {i}", [_citation(1, "doc-a", 1)]) for i in range(5)]
    with sessions() as session:
        for i, answer_id in enumerate(ids):
            feedback.give_feedback(
                session=session,
                answer_id=answer_id,
                helpful=i % 2 == 0,
                reason=None if i % 2 == 0 else "incomplete",
                user_id=100 + i,
            )
        unhelpful = feedback.list_feedback(session=session, helpful=False)
        incomplete = feedback.list_feedback(session=session, reason="incomplete")
        first = feedback.list_feedback(session=session, page=1, per_page=2)
        last = feedback.list_feedback(session=session, page=3, per_page=2)
        with pytest.raises(feedback.InvalidFeedback):
            feedback.list_feedback(session=session, reason="nonsense")
    assert unhelpful.total == incomplete.total == 2
    assert {turn.question for _, turn in unhelpful.items} == {"question 1", "question 3"}
    assert [turn.question for _, turn in first.items] == ["question 4", "question 3"]
    assert first.pages == 3 and [turn.question for _, turn in last.items] == ["question 0"]
    assert first.items[0][1].answer.citations[0].document_id == "doc-a"


# --- impact -----------------------------------------------------------------------------------


def test_answers_citing_an_old_version_are_found_newest_first(sessions) -> None:  # type: ignore[no-untyped-def]
    old = _store(
        sessions,
        "old",
        [_citation(1, "doc-a", 1), _citation(2, "doc-b", 1)],
        company_id=1,
        minutes_ago=10,
    )
    older = _store(sessions, "older", [_citation(1, "doc-a", 1, "Article 9")], minutes_ago=20)
    current = _store(sessions, "current", [_citation(1, "doc-a", 2)], company_id=2)
    _store(sessions, "other document", [_citation(1, "doc-b", 1)])
    with sessions() as session:
        before_2 = answer_log.answers_citing(session=session, document_id="doc-a", before_version=2)
        any_version = answer_log.answers_citing(
            session=session, document_id="doc-a", before_version=None
        )
        nothing = answer_log.answers_citing(session=session, document_id="doc-a", before_version=1)
    assert [a.turn.answer_id for a in before_2] == [old, older]
    assert before_2[0].versions == [1] and before_2[1].sections == ["Article 9"]
    assert [a.turn.answer_id for a in any_version] == [current, old, older]
    assert nothing == []
