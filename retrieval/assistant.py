"""The assistant: a question in, a cited answer or a plain refusal out."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import zip_longest

import numpy as np
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from knowledge import registry
from knowledge.editions import title_key
from knowledge.glossary import english_name, find_chinese, find_english
from knowledge.legal_locators import article_label
from knowledge.numerals import format_number
from knowledge.text import Language, detect_language
from retrieval import answer_log, conversations, places, refusal_gate
from retrieval.answer_log import Turn
from retrieval.cited_answer import UNMENTIONED, Answer, Citation
from retrieval.compose import ExtractiveComposer
from retrieval.curated_matching import CuratedLoader, CuratedSet
from retrieval.document_status import (
    asks_if_in_force,
    current_edition,
    edition_sentence,
    in_force_sentence,
    repealed_by,
    status_note,
    status_sentence,
)
from retrieval.embeddings import EmbeddingModel
from retrieval.framing import (
    book_title,
    edition_note,
    english_title,
    sentence_start,
    unmentioned_note,
)
from retrieval.index import KnowledgeIndex, Passage
from retrieval.question import ReadQuestion
from retrieval.question import read as read_question
from retrieval.question_types import asks_fee, fee_for, states_fee
from retrieval.quotes import Quote
from retrieval.scope import is_instruction_attempt, refusal
from retrieval.search import Hit, Method, Searcher

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class AssistantConfig:
    """Tunable behaviour of the assistant (calibrated on the development set)."""

    # Refusal gate (docs/retrieval.md): relevance = best passage similarity + coverage weight x
    # IDF-weighted share of the question's words found in the top passages.
    threshold: float = 0.35  # relevance below which the assistant refuses
    coverage_weight: float = 0.5
    unknown_share: float = 0.34  # refuse when this share of the question's words is unknown ...
    unknown_similarity: float = (
        0.55  # ... (or it names something unknown) unless the best passage is at least this similar
    )
    low_confidence: float = 0.55  # answers below this are flagged for staff review
    top_k: int = 8
    method: Method = "hybrid"
    reload_interval: float = 1.0  # seconds between checks for a changed index
    # A staff answer (retrieval.curated) is given when the question is at least this similar
    # to one of its questions (measured on zh/en paraphrases, docs/retrieval.md).
    curated_threshold: float = 0.65


class Phraser:
    """Optional rewording of an extractive answer by a language model (see retrieval.llm)."""

    def phrase(self, *, question: str, answer: Answer) -> Answer | None:
        """A reworded answer whose every sentence is supported, or None to keep the original."""
        raise NotImplementedError


@dataclass(frozen=True)
class Timings:
    """Seconds spent in each stage of one answer."""

    embed: float = 0.0
    search: float = 0.0
    compose: float = 0.0


class Assistant:
    """Answers questions from the knowledge base with citations, or refuses."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        embeddings: EmbeddingModel,
        searcher: Searcher,
        composer: ExtractiveComposer | None = None,
        phraser: Phraser | None = None,
        config: AssistantConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.embeddings = embeddings
        self.searcher = searcher
        self.composer = composer or ExtractiveComposer()
        self.phraser = phraser
        self.config = config or AssistantConfig()
        self._clock = clock
        self._index: KnowledgeIndex | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._reloading = threading.Event()
        self.last_timings = Timings()
        self._curated_loader = CuratedLoader(embeddings)
        self._curated: CuratedSet | None = None
        self._curated_lock = threading.Lock()

    # -- the index snapshot ---------------------------------------------------------------

    def index(self) -> KnowledgeIndex:
        """The current index snapshot; a changed knowledge base is reloaded in the background.

        A snapshot is per-document metadata only (passages stay in the engines), so loading
        takes a fraction of a second even for thousands of documents; requests keep being
        answered from the old snapshot meanwhile. Only the very first load blocks.
        """
        now = self._clock()
        snapshot = self._index
        if snapshot is None:
            return self.refresh()
        if now - self._checked_at < self.config.reload_interval:
            return snapshot
        self._checked_at = now
        if self._generation() != snapshot.generation and not self._reloading.is_set():
            self._reloading.set()
            threading.Thread(target=self._reload_in_background, daemon=True).start()
        return snapshot

    def refresh(self) -> KnowledgeIndex:
        """Load the current index now (blocking) and return it."""
        with self._lock:
            generation = self._generation()
            if self._index is None or self._index.generation != generation:
                self._index = KnowledgeIndex.load(
                    sessions=self.sessions, model_id=self.embeddings.model_id
                )
            self._checked_at = self._clock()
            return self._index

    def _generation(self) -> int:
        with self.sessions() as session:
            return int(registry.get_state(session=session, key="generation") or 0)

    def _reload_in_background(self) -> None:
        try:
            self.refresh()
        except Exception:  # the old snapshot keeps serving; the next check retries
            log.exception("reloading the knowledge index failed")
        finally:
            self._reloading.clear()

    def is_ready(self) -> bool:
        """Whether there is anything to answer from."""
        return self.index().size > 0

    # -- answering ---------------------------------------------------------------------

    def retrieve(self, question: str, *, method: Method, k: int = 5) -> list[Hit]:
        """The passages a retrieval method finds for a question (for the evaluation)."""
        vector = self.embeddings.embed_array([question])[0]
        return self.searcher.search(
            self.index(), question, vector, k=k, method=method, language=detect_language(question)
        )

    def answer(self, question: str, *, context: str | None = None) -> Answer:
        """Answer one question; `context` is the previous question of the conversation."""
        language: Language = detect_language(question)
        self.last_timings = Timings()
        if is_instruction_attempt(question):
            return Answer(refusal("instructions", language), True, language, reason="instructions")
        index = self.index()
        read = read_question(question, context=context, names=index.names, idf=index.keyword.idf)
        refs = read.refs
        if refs.missing and not refs.documents:
            # Named and not held: say so rather than answer from texts that merely mention it.
            return self._missing(index, read)
        if refs.documents and asks_if_in_force(read.simplified):
            status = self._in_force(index, read)
            if status is not None:  # "外资企业法实施细则还有效吗？": its repeal is the answer
                return status
        t0 = time.perf_counter()
        vector = self.embeddings.embed_array([read.query])[0]
        t1 = time.perf_counter()
        if refs.document and refs.articles and index.article_count(refs.document):
            return self._article(index, read, vector)
        if refs.document and read.about and index.article_count(refs.document):
            # What a law is for and what it governs are its first two articles.
            return self._article(index, read, vector, keys=("1", "2"))
        staff = self._staff_answer(read.simplified, read.query, vector, language)
        if staff is not None:
            return staff
        # A named document is preferred, not imposed: other documents may explain it better.
        context_documents = self._context_documents(index, context) if context else set()
        prefer = _with_translations(index, refs.documents) or (
            context_documents
            # A local rule of the place the question names says more than the national law it
            # implements ("our Pudong site": the Pudong regulation first).
            | index.titled(read.places)
        )

        # Beijing's or Shanghai's rule answers only a question about Beijing or Shanghai.
        away = places.away(index.elsewhere, read.simplified, read.places) - prefer

        def search(vector: np.ndarray) -> list[Hit]:
            return self.searcher.search(
                index,
                read.keyword_query,
                vector,
                k=self.config.top_k,
                method=self.config.method,
                prefer=prefer or None,
                prefer_bonus=0.1 if refs.documents else None,
                away=away or None,
                language=language,
            )

        hits = search(vector)
        crossing = read.over_chinese
        if crossing and refusal_gate.found_in(index, hits) == "zh":
            # An English question over Chinese texts: searched again with its glossary terms
            # in Chinese in the vector too (docs/retrieval.md). Questions that find English
            # texts keep their own vector, so the bilingual knowledge base is untouched.
            vector = self.embeddings.embed_array([crossing])[0]
            hits = search(vector)
        # The question without the names it gives: what the units found are compared with.
        unnamed = _without_names(read.keyword_query, refs.names, refs.documents, index)
        unit_vector = vector
        if refs.documents and not read.follow_up and any(map(index.article_count, refs.documents)):
            # A question naming a law asks about something in it: its articles are searched on
            # the question's other words too, and its units compared with them ("What do the
            # Implementing Regulations of the Trademark Law say about opposition?"), where the
            # name would make every short article alike. A guide or a notice it names is short,
            # found by its name, and may be only the question's context.
            unit_vector = self.embeddings.embed_array([unnamed])[0]
            within = self.searcher.search(
                index,
                unnamed,
                unit_vector,
                k=self.config.top_k,
                documents=_with_translations(index, refs.documents),
                language=language,
            )
            hits = _interleaved(hits, within)
        if read.own_keyword_query is not None and context_documents:
            # A follow-up takes its subject from the conversation and its question from its own
            # words: "多久报告一次采集情况？" after a question on 血液制品管理条例 is searched
            # within that regulation on its own words too (the whole conversation's words find
            # the previous answer first), and the two rankings take turns.
            own = self.searcher.search(
                index,
                read.own_keyword_query,
                self.embeddings.embed_array([read.simplified])[0],
                k=self.config.top_k,
                documents=context_documents,
                language=language,
            )
            hits = _interleaved(hits, own)
        t2 = time.perf_counter()
        best, relevance = refusal_gate.relevance(
            index, read.keyword_query, hits, config=self.config
        )
        cross = language == "en" and refusal_gate.found_in(index, hits) == "zh"
        if not refusal_gate.answerable(
            index,
            read.keyword_query,
            best,
            relevance,
            follow_up=read.follow_up,
            # Over Chinese passages, an English question's glossary terms are judged in Chinese.
            own=read.simplified,
            names=read.gate_names if cross else read.simplified,
            concepts=read.concepts if cross else None,
            config=self.config,
        ):
            self.last_timings = Timings(t1 - t0, t2 - t1, 0.0)
            return Answer(
                refusal("no_match", language),
                True,
                language,
                confidence=relevance,
                reason="no_match",
            )
        text, citations = self.composer.compose(
            index=index,
            question=unnamed,
            vector=unit_vector,
            hits=hits,
            language=language,
        )
        t3 = time.perf_counter()
        if asks_fee(read.simplified) and not any(
            states_fee(c.quote) and fee_for(read.keyword_query, c.quote) for c in citations
        ):
            # Never a figure no source gives: the passages found do not state this price.
            self.last_timings = Timings(t1 - t0, t2 - t1, t3 - t2)
            return Answer(
                refusal("no_match", language),
                True,
                language,
                confidence=relevance,
                reason="no_match",
            )
        self.last_timings = Timings(t1 - t0, t2 - t1, t3 - t2)
        # A term no text mentions: the answer says so, and staff see it among the gaps.
        unmentioned = index.keyword.unknown_terms(read.simplified)
        result = Answer(
            text,
            False,
            language,
            citations,
            confidence=relevance,
            reason=UNMENTIONED if unmentioned else None,
        )
        phrased = self.phraser.phrase(question=question, answer=result) if self.phraser else None
        kept = phrased or result
        # The notes are said first, whoever worded the answer; that the quotes are the sources'
        # Simplified text only of quotes.
        noted = _with_notes(
            kept.answer, read, index, citations, unmentioned=unmentioned, quoted=phrased is None
        )
        return replace(kept, answer=noted)

    def _context_documents(self, index: KnowledgeIndex, context: str) -> set[str]:
        """The documents the previous question was about: those it named, else its best hit's."""
        named = index.names.find(context).documents
        if named:
            return set(named)
        vector = self.embeddings.embed_array([context])[0]
        hits = self.searcher.search(index, context, vector, k=1, method=self.config.method)
        found = index.passages(h.passage_id for h in hits)
        return {p.document_id for p in found.values()}

    def _missing(self, index: KnowledgeIndex, read: ReadQuestion) -> Answer:
        """A question about a regulation the library does not hold: say so, quote nothing;
        unless a text the library holds repealed it, which is then the answer, quoted."""
        leads: list[str] = []
        quotes: list[Quote] = []
        unheld: list[str] = []
        for name in read.refs.missing:
            repeal = index.repealed_elsewhere.get(title_key(name))
            quote = repeal and self.composer.repeal_quote(
                index=index, document_id=repeal[1], title=repeal[0]
            )
            if not repeal or not quote:
                unheld.append(_unheld_name(name, read.language))
                continue
            repealing = index.documents[repeal[1]]
            if read.language == "zh":
                leads.append(
                    f"《{repeal[0]}》已被{book_title(repealing)}废止，文档库未收录其原文。"
                )
            else:
                named = sentence_start(_unheld_name(repeal[0], "en"))
                leads.append(
                    f"{named} was repealed by {english_title(repealing)}; the library does not "
                    "hold its text."
                )
            quotes.append(quote)
        names = ("、" if read.language == "zh" else ", ").join(unheld)
        if not quotes:
            if read.language == "zh":
                text = f"中心的文档库中没有{names}，无法依据它作答。" + refusal("no_match", "zh")
            else:
                text = (
                    f"The center's library does not hold {names}, so I cannot answer from it. "
                    + refusal("no_match", "en")
                )
            return Answer(text, True, read.language, reason="missing_regulation")
        text, citations = self.composer.render(index, quotes, read.language)
        if unheld:
            leads.append(
                f"中心的文档库中没有{names}。"
                if read.language == "zh"
                else f"The center's library does not hold {names}."
            )
        return Answer("\n".join([*leads, text]), False, read.language, citations)

    def _in_force(self, index: KnowledgeIndex, read: ReadQuestion) -> Answer | None:
        """Whether the laws a question names still apply: repealed by a text the library holds
        (said, then the repealing clause quoted), else in force by the library's record (said,
        then the commencement clause quoted). None when neither can be quoted."""
        leads: list[str] = []
        quotes: list[Quote] = []
        for doc_id in read.refs.documents:
            repealing = repealed_by(index, doc_id)
            if repealing is not None and repealing in index.documents:
                title = index.documents[doc_id].title.strip("《》")
                quote = self.composer.repeal_quote(index=index, document_id=repealing, title=title)
                lead = status_sentence(index, doc_id, read.language)
            elif (current := current_edition(index, doc_id)) is not None:
                # An older edition: the newer one replaced it, and that one's record is said.
                quote = self.composer.commencement_quote(index=index, document_id=current)
                lead = (" " if read.language == "en" else "").join(
                    (
                        edition_sentence(index, doc_id, read.language),
                        in_force_sentence(index, current, read.language),
                    )
                )
            elif index.article_count(doc_id):
                quote = self.composer.commencement_quote(index=index, document_id=doc_id)
                lead = in_force_sentence(index, doc_id, read.language)
            else:  # a guide or a summary: its text answers, not its record
                continue
            if quote is None or not lead:
                continue
            leads.append(lead)
            # One clause repealing two of the texts is quoted once.
            if all((q.passage.id, q.units) != (quote.passage.id, quote.units) for q in quotes):
                quotes.append(quote)
        if not quotes:
            return None
        # The article the question asks about follows ("《外资企业法》实施细则第三条还适用吗？"),
        # unless it is the clause quoted already (广告法第七十四条还有效吗？).
        for ref in read.refs.articles[:2]:
            for passage in index.article_passages(read.refs.documents[0], ref.key)[:2]:
                if all(q.passage.id != passage.id for q in quotes):
                    quotes.append(Quote(passage, list(range(len(passage.units))), 1.0, whole=True))
        text, citations = self.composer.render(index, quotes, read.language)
        # The lead is the status; the notes on an edition not held and on Simplified quotes stay.
        answer = _with_notes("\n".join([*leads, text]), read, index, citations, statuses=False)
        return Answer(answer, False, read.language, citations, confidence=1.0)

    def _article(
        self,
        index: KnowledgeIndex,
        read: ReadQuestion,
        vector: np.ndarray,
        keys: tuple[str, ...] | None = None,
    ) -> Answer:
        """Answer from the article a question names (or these `keys`), or say that it does not
        exist."""
        document_id = read.refs.documents[0]
        meta = index.documents[document_id]
        passages: list[Passage] = []
        for key in keys or tuple(ref.key for ref in read.refs.articles):
            passages.extend(index.article_passages(document_id, key))
        if not passages and keys is not None:  # a text whose articles start elsewhere
            return Answer(
                refusal("no_match", read.language), True, read.language, reason="no_match"
            )
        if not passages:  # only documents with articles come here
            count = index.article_count(document_id)
            ref = read.refs.articles[0]
            title = book_title(meta)
            if read.language == "zh":
                label = article_label(ref.number, ref.suffix)
                text = f"{title}共{format_number(count)}条，没有{label}。"
            else:
                text = f"{title} has {count} articles; there is no Article {ref.key}."
            return Answer(text, True, read.language, reason="no_such_article")
        text, citations = self.composer.compose_article(
            index=index,
            passages=passages,
            question=read.query,
            vector=vector,
            language=read.language,
            general=read.general or keys is not None,
        )
        return Answer(
            _with_notes(text, read, index, citations),
            False,
            read.language,
            citations,
            confidence=1.0,
        )

    def curated_answers(self) -> CuratedSet:
        """The active staff answers of the current index generation (reloaded with it)."""
        generation = self.index().generation
        snapshot = self._curated
        if snapshot is not None and snapshot.generation == generation:
            return snapshot
        with self._curated_lock, self.sessions() as session:
            if self._curated is None or self._curated.generation != generation:
                try:
                    self._curated = self._curated_loader.load(
                        session=session, generation=generation
                    )
                except SQLAlchemyError:  # answering goes on without staff answers
                    log.exception("loading the staff answers failed")
                    self._curated = CuratedSet.empty(generation)
            return self._curated

    def _staff_answer(
        self, question: str, query: str, vector: np.ndarray, language: Language
    ) -> Answer | None:
        """The staff answer to a question close enough to one of its questions, if any."""
        curated = self.curated_answers()
        if not curated:
            return None
        own = vector if query == question else self.embeddings.embed_array([question])[0]
        found = curated.match(
            own, question=question, language=language, threshold=self.config.curated_threshold
        )
        if found is None:
            return None
        entry, similarity = found
        return Answer(
            entry.answer,
            False,
            entry.language,
            list(entry.citations),
            confidence=similarity,
            reason="curated",
            curated_id=entry.id,
        )

    def ask(
        self,
        question: str,
        *,
        conversation_id: str | None = None,
        asker_id: int | None = None,
        company_id: int | None = None,
    ) -> Turn:
        """Answer a question within a conversation; store the turn with its answer id and sources.

        `asker_id` and `company_id` say who asked (the portal's ids; None for visitors). Every
        citation's chunk, document and document version is recorded (retrieval.answer_log).
        """
        question = question.strip()
        if not question:
            raise ValueError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        conversation_id = conversation_id or uuid.uuid4().hex
        with self.sessions() as session:
            context = conversations.previous_context(
                session=session, conversation_id=conversation_id
            )
        # Answer with no connection held: answering opens its own (index generation checks),
        # and a thread holding one while waiting for another can drain the pool under load.
        result = self.answer(question, context=context)
        index = self.index()
        search_query = read_question(
            question, context=context, names=index.names, idf=index.keyword.idf
        ).query
        answer_id = answer_log.new_answer_id()
        asked_at = datetime.now(UTC)
        turn = Turn(
            question=question,
            answer=result,
            conversation_id=conversation_id,
            answer_id=answer_id,
            asked_at=asked_at,
            asker_id=asker_id,
            company_id=company_id,
        )
        with self.sessions() as session:
            answer_log.record(
                session=session, turn=turn, search_query=search_query[-MAX_QUESTION_CHARS:]
            )
            session.commit()
        return turn

    def history(self, conversation_id: str, *, limit: int = 50) -> list[Turn]:
        """The turns of a conversation (question, answer, answer id), oldest first."""
        with self.sessions() as session:
            return conversations.latest_turns(
                session=session, conversation_id=conversation_id, limit=limit
            )


def _unheld_name(name: str, language: Language) -> str:
    """How an answer names a text the library does not hold: in an English answer by its
    English name where the glossary has one, or as the question wrote it in English."""
    if language == "zh":
        return f"《{name}》"
    if detect_language(name) == "en":
        return f"“{name}”"
    english = english_name(name)
    return f"the {english} (《{name}》)" if english else f"《{name}》"


def _with_translations(index: KnowledgeIndex, documents: tuple[str, ...]) -> set[str]:
    """Documents and their translations (a question names one, either language may answer)."""
    out = set(documents)
    for doc_id in documents:
        meta = index.documents.get(doc_id)
        if meta is not None and meta.translation_of:
            out.add(meta.translation_of)
    out |= {d for d, m in index.documents.items() if m.translation_of in documents}
    return out


def _with_notes(
    text: str,
    read: ReadQuestion,
    index: KnowledgeIndex,
    citations: list[Citation],
    *,
    statuses: bool = True,
    unmentioned: list[str] | None = None,
    quoted: bool = True,
) -> str:
    """The answer with what a reader must know first: that a text the question names is no
    longer in force, that the quotes are from another edition than the year the question names,
    that no text of the library mentions a term it names, and that the quotes are Simplified (a
    Traditional question; not said of an answer a language model worded, `quoted` False)."""
    cited = {c.document_id for c in citations}
    status = (
        "".join(status_note(index, doc_id, read.language) for doc_id in read.refs.documents)
        if statuses
        else ""
    )
    editions = "".join(
        edition_note(index.documents[doc_id], year, read.language)
        for doc_id, year in read.refs.other_editions
        if doc_id in cited and doc_id in index.documents
    )
    if unmentioned is None:
        unmentioned = index.keyword.unknown_terms(read.simplified)
    terms = unmentioned_note(unmentioned, read.language)
    body = _with_script_note(text, read) if quoted else text
    return status + editions + terms + body if text else text


def _with_script_note(text: str, read: ReadQuestion) -> str:
    """Say, truthfully, that the quotes of an answer to a Traditional question are Simplified."""
    if read.traditional and read.language == "zh" and text:
        return "（以下引文为文件原文，使用简体字。）" + text
    return text


def _interleaved(first: list[Hit], second: list[Hit]) -> list[Hit]:
    """Two rankings of one question taking turns (first, second, first, …), each passage once,
    scored by the first ranking's scores in the merged order."""
    order: list[Hit] = []
    seen: set[str] = set()
    for pair in zip_longest(first, second):
        for hit in pair:
            if hit is not None and hit.passage_id not in seen:
                seen.add(hit.passage_id)
                order.append(hit)
    scores = sorted((h.score for h in first), reverse=True) or [h.score for h in order]
    return [
        Hit(h.passage_id, scores[min(i, len(scores) - 1)] - 0.001 * i, h.similarity)
        for i, h in enumerate(order)
    ]


def _without_names(
    query: str, names: tuple[str, ...], documents: tuple[str, ...], index: KnowledgeIndex
) -> str:
    """The question without the names of the documents it names: every unit of a named text
    is about it, so its name says nothing about which unit answers (its first article repeats
    the name: "根据《中华人民共和国中外合作经营企业法》，制定本实施细则")."""
    forms = set(names)
    # ... and the glossary's Chinese terms the names brought into the query: "Implementing
    # Regulations of the Trademark Law" brought 实施条例 and 中华人民共和国商标法.
    forms |= {f for name in names for m in find_english(name) for f in m.entry.zh}
    forms |= {f for name in names for m in find_chinese(name) for f in m.entry.zh}
    for doc_id in documents:
        title = index.documents[doc_id].title.strip("《》")
        forms |= {title, title.removeprefix("中华人民共和国")}
    for form in sorted(forms, key=len, reverse=True):
        # A document number (财税〔2014〕26号) stays: units that carry it are the ones cited.
        if len(form) >= 2 and not re.search(r"\d", form):
            query = query.replace(form, " ")
    return query
