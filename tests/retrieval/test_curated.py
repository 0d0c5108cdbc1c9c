"""Curated staff answers: quote validation, matching thresholds both ways, generation reload."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from knowledge import registry
from knowledge.documents import SourceDocument
from knowledge.loaders import bundled_sources, load_path
from retrieval import curated
from retrieval.assistant import Assistant
from retrieval.curated import CitationDraft, CuratedDraft, CuratedInvalid
from retrieval.curated_matching import CuratedLoader, asked_slots, slots_conflict
from retrieval.embeddings import EmbeddingModel
from web.core.components import Components

FEE_QUESTIONS = ["How much does a sterility test cost?", "无菌检测收费多少？"]
FEE_ANSWER = "A sterility test costs RMB 3,000 per batch; the center quotes it on request [1]."


@pytest.fixture
def center(fresh_components: Components) -> Components:
    """Fresh parts holding only the center's own service description (zh and en)."""
    documents = [load_path(p) for p in bundled_sources() if p.name.startswith("gba-cgt-center.")]
    fresh_components.indexer.ingest(documents, origin="bundled", prune=False)
    fresh_components.assistant.refresh()
    return fresh_components


def _document(components: Components, document_id: str = "gba-cgt-center-en") -> tuple[str, str]:
    with components.sessions() as session:
        row = registry.get(session=session, document_id=document_id)
        assert row is not None
        chunk = registry.chunks_of(session=session, document_id=document_id)[1]
        return row.text, chunk.text.split("\n")[-1][:80]


def _create(components: Components, questions: list[str], answer: str = FEE_ANSWER) -> int:
    _, quote = _document(components)
    with components.sessions() as session:
        row = curated.create(
            session=session,
            draft=CuratedDraft(questions, answer, [CitationDraft("gba-cgt-center-en", quote)]),
            author="赵工",
            author_id=None,
        )
        return row.id


def test_a_quote_is_resolved_to_its_place_in_the_current_text(center: Components) -> None:
    text, quote = _document(center)
    spaced = "  ".join(quote.split(" "))  # pasted with doubled spaces
    with center.sessions() as session:
        language, citations = curated.validate(
            session=session,
            draft=CuratedDraft(["q"], "An answer.", [CitationDraft("gba-cgt-center-en", spaced)]),
        )
    (citation,) = citations
    assert language == "en"
    assert citation.quote == quote == text[citation.start : citation.start + len(quote)]
    assert citation.chunk_id and citation.title and citation.version >= 1
    assert f"hl={citation.start}-{citation.start + len(quote)}" in citation.url


@pytest.mark.parametrize(
    ("draft", "errors"),
    [
        (CuratedDraft([], "An answer.", []), {"questions": "curated.error.questions_empty"}),
        (CuratedDraft(["q"], "   ", []), {"answer": "curated.error.answer_empty"}),
        (
            CuratedDraft(["q"], "a", [CitationDraft("no-such-doc", "text")]),
            {"citation_0": "curated.error.document_unknown"},
        ),
        (
            CuratedDraft(["q"], "a", [CitationDraft("gba-cgt-center-en", "not in this document")]),
            {"citation_0": "curated.error.quote_not_found"},
        ),
        (
            CuratedDraft(
                ["q"], "a", [CitationDraft("", ""), CitationDraft("gba-cgt-center-en", "")]
            ),
            {"citation_1": "curated.error.quote_empty"},
        ),
    ],
)
def test_bad_input_is_refused_with_every_reason_and_nothing_is_saved(
    center: Components, draft: CuratedDraft, errors: dict[str, str]
) -> None:
    with center.sessions() as session:
        generation = registry.get_state(session=session, key="generation")
        with pytest.raises(CuratedInvalid) as failure:
            curated.create(session=session, draft=draft, author="赵工", author_id=None)
        assert failure.value.errors == errors
    with center.sessions() as session:
        assert curated.list_(session=session) == []
        assert registry.get_state(session=session, key="generation") == generation


@pytest.mark.parametrize(
    "question",
    [
        "What is the price of the sterility testing service?",  # paraphrase
        "无菌检测收费多少？",  # the other language of a curated question
        "How much does a sterility test cost?",
    ],
)
def test_a_curated_answer_is_given_for_paraphrases_and_the_other_language(
    center: Components, question: str
) -> None:
    curated_id = _create(center, ["How much does a sterility test cost?"])
    center.assistant.refresh()

    answer = center.assistant.answer(question)

    assert answer.curated and answer.curated_id == curated_id and not answer.refused
    assert answer.answer == FEE_ANSWER
    assert answer.citations[0].document_id == "gba-cgt-center-en"
    assert answer.confidence >= center.assistant.config.curated_threshold


@pytest.mark.parametrize(
    "question",
    [
        "How long does sterility testing take?",  # same topic, asks for something else (0.75)
        "What are the center's opening hours?",
        "南沙企业所得税税率是多少？",
        "What tests does the center's lab offer for CAR-T products?",
        "What's the weather in Guangzhou tomorrow?",
    ],
)
def test_a_curated_answer_is_not_given_for_other_questions(
    center: Components, question: str
) -> None:
    _create(center, FEE_QUESTIONS)
    center.assistant.refresh()

    answer = center.assistant.answer(question)

    assert not answer.curated and answer.answer != FEE_ANSWER


def test_the_threshold_separates_the_measured_pairs(use_model: EmbeddingModel) -> None:
    loader = CuratedLoader(use_model)

    def best(question: str) -> float:
        vectors = np.asarray(use_model.embed_array([*FEE_QUESTIONS, question]), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return float(max(vectors[:2] @ vectors[2]))

    threshold = 0.65
    assert loader.embeddings is use_model
    assert best("What is the price of the sterility testing service?") >= threshold
    assert best("What are the center's opening hours?") < threshold
    # The vectors alone cannot tell these apart; what the questions ask for can.
    assert best("How long does sterility testing take?") >= threshold
    assert slots_conflict(
        asked_slots("How long does sterility testing take?"),
        asked_slots(FEE_QUESTIONS[0]),
    )


def test_a_curated_answer_in_the_askers_language_wins_a_near_tie(center: Components) -> None:
    english = _create(center, ["How much does a sterility test cost?"])
    chinese = _create(center, ["无菌检测收费多少？"], answer="无菌检测每批收费3000元。")
    center.assistant.refresh()

    assert center.assistant.answer("无菌检测的收费是多少？").curated_id == chinese
    assert center.assistant.answer("What does a sterility test cost?").curated_id == english


def test_every_worker_picks_up_a_new_or_deactivated_answer_through_the_generation(
    center: Components,
) -> None:
    other = Assistant(
        sessions=center.sessions, embeddings=center.embeddings, searcher=center.assistant.searcher
    )
    assert not other.answer(FEE_QUESTIONS[0]).curated
    before = other.index().generation

    curated_id = _create(center, FEE_QUESTIONS)

    # Until the worker reloads, it keeps serving its snapshot; then it gives the staff answer.
    assert not other.answer(FEE_QUESTIONS[0]).curated
    other.refresh()
    assert other.index().generation > before
    assert other.answer(FEE_QUESTIONS[0]).curated_id == curated_id

    with center.sessions() as session:
        curated.set_active(session=session, curated_id=curated_id, active=False, author="赵工")
    other.refresh()
    assert not other.answer(FEE_QUESTIONS[0]).curated


def test_editing_changes_the_questions_it_answers(center: Components) -> None:
    curated_id = _create(center, FEE_QUESTIONS)
    _, quote = _document(center)
    with center.sessions() as session:
        curated.update(
            session=session,
            curated_id=curated_id,
            draft=CuratedDraft(
                ["Is there parking at the service center?"],
                "Visitors park in the building's basement.",
                [CitationDraft("gba-cgt-center-en", quote)],
            ),
            author="钱工",
        )
    center.assistant.refresh()

    assert center.assistant.answer("Can I park my car at the service center?").curated
    assert not center.assistant.answer(FEE_QUESTIONS[0]).curated


def test_answering_goes_on_when_the_staff_answers_cannot_be_loaded(center: Components) -> None:
    with center.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE rt_curated_answers")
    with center.sessions() as session:
        registry.bump_generation(session=session)
        session.commit()
    center.assistant.refresh()

    answer = center.assistant.answer("What services does the center offer?")

    assert not answer.curated and not center.assistant.curated_answers()


# --- citations follow their documents ----------------------------------------------------


def _center_document(components: Components, document_id: str = "gba-cgt-center-en") -> Any:
    (path,) = [p for p in bundled_sources() if load_path(p).meta.id == document_id]
    return load_path(path)


def _reingest(components: Components, document: SourceDocument) -> None:
    components.indexer.ingest([document], origin="bundled", prune=False)
    components.assistant.refresh()


def _stale(components: Components, curated_id: int) -> str | None:
    with components.sessions() as session:
        row = curated.get(session=session, curated_id=curated_id)
        return curated.current_citations(session=session, row=row)[1]


def test_an_edit_that_moves_the_quote_is_cited_at_the_new_version_and_place(
    center: Components,
) -> None:
    curated_id = _create(center, FEE_QUESTIONS)
    before = center.assistant.answer(FEE_QUESTIONS[0]).citations[0]
    document = _center_document(center)

    _reingest(center, SourceDocument(document.meta, "A new first paragraph.\n\n" + document.text))

    answer = center.assistant.answer(FEE_QUESTIONS[0])
    assert answer.curated_id == curated_id and _stale(center, curated_id) is None
    (citation,) = answer.citations
    assert citation.version == before.version + 1
    assert citation.quote == before.quote and citation.start > before.start
    with center.sessions() as session:
        text = registry.get(session=session, document_id="gba-cgt-center-en").text  # type: ignore[union-attr]
    assert text[citation.start : citation.start + len(citation.quote)] == citation.quote
    assert f"hl={citation.start}-" in citation.url


def test_a_staff_answer_whose_quote_is_gone_is_not_given(center: Components) -> None:
    curated_id = _create(center, FEE_QUESTIONS)
    _, quote = _document(center)
    document = _center_document(center)

    _reingest(center, SourceDocument(document.meta, document.text.replace(quote, "Rewritten.")))

    assert _stale(center, curated_id) == "curated.error.quote_not_found"
    assert not center.assistant.answer(FEE_QUESTIONS[0]).curated


def test_a_staff_answer_citing_a_withdrawn_document_is_not_given_nor_can_be_written(
    center: Components,
) -> None:
    curated_id = _create(center, FEE_QUESTIONS)
    assert center.assistant.answer(FEE_QUESTIONS[0]).curated

    assert center.indexer.withdraw("gba-cgt-center-en", changed_by="赵工")
    center.assistant.refresh()

    assert _stale(center, curated_id) == "curated.error.document_withdrawn"
    assert not center.assistant.answer(FEE_QUESTIONS[0]).curated
    with center.sessions() as session, pytest.raises(CuratedInvalid) as refused:
        curated.validate(
            session=session,
            draft=CuratedDraft(["q"], "a", [CitationDraft("gba-cgt-center-en", "anything")]),
        )
    assert refused.value.errors == {"citation_0": "curated.error.document_withdrawn"}


def test_superseded_after_citing_makes_it_stale_but_citing_a_superseded_one_on_purpose_does_not(
    center: Components,
) -> None:
    curated_id = _create(center, FEE_QUESTIONS)
    document = _center_document(center)
    superseded = document.meta.model_copy(update={"status": "superseded"})

    _reingest(center, SourceDocument(superseded, document.text))

    assert _stale(center, curated_id) == "curated.error.document_superseded"
    assert not center.assistant.answer(FEE_QUESTIONS[0]).curated
    with center.sessions() as session:
        cited = curated.citing(session=session, document_id="gba-cgt-center-en")
    assert [(row.id, why) for row, why in cited] == [
        (curated_id, "curated.error.document_superseded")
    ]

    history = _create(center, ["What did the center's old service description say about fees?"])
    assert _stale(center, history) is None
    center.assistant.refresh()
    assert center.assistant.curated_answers().entries[0].id == history


@pytest.mark.parametrize(
    ("answer", "chosen", "error"),
    [
        ("南沙先行启动区的企业所得税减按15%征收 [1]。", "en", "curated.error.language_is_zh"),
        (
            "Qualifying firms pay 15% CIT under 财税〔2022〕40号 [1].",
            "zh",
            "curated.error.language_is_en",
        ),
        (
            "The 《药品管理法》 applies to CAR-T products made in Nansha.",
            "zh",
            "curated.error.language_is_en",
        ),
        ("CAR-T 产品由 NMPA 审批。", "en", "curated.error.language_is_zh"),
    ],
)
def test_an_answer_written_in_the_other_language_is_refused(
    answer: str, chosen: str, error: str
) -> None:
    assert curated.script_language(answer) != chosen
    draft = CuratedDraft(questions=["q?"], answer=answer, citations=[], language=chosen)
    with pytest.raises(CuratedInvalid) as refused:
        curated.validate(session=None, draft=draft)  # type: ignore[arg-type]
    assert refused.value.errors["language"] == error


def test_an_answer_in_its_chosen_language_passes_the_language_check() -> None:
    assert curated.script_language("CAR-T 产品由 NMPA 审批，依据《药品管理法》。") == "zh"
    assert curated.script_language("Apply under 《细胞治疗产品管理办法》 to the NMPA.") == "en"
