"""Curated answers: answers the center's staff write, with their own citations.

Staff write one for questions the knowledge base does not answer well (usually from a group
of unanswered questions, retrieval.gaps). Each lists the questions it answers; the assistant
answers a new question with it, marked as a staff answer, when the question's vector is close
enough to one of them (`AssistantConfig.curated_threshold`), before it searches the passages.

Every citation quotes the cited document's current text verbatim (whitespace runs may
differ; the document's own text is stored). Saving one bumps the index generation, so every
worker reloads its snapshot, curated answers included.

Citations follow their documents: whenever the snapshot is loaded (every change of the
knowledge base bumps the generation) each quote is found again in its document's current
text, so an edited document is cited at its new version and place. A staff answer whose
document was withdrawn or superseded since, or whose quote the new text no longer holds, is
stale: the assistant stops giving it until staff edit it (`current_citations`; the staff page
and the document's impact page say why).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.text import Language, detect_language
from retrieval import gaps
from retrieval.cited_answer import Citation
from retrieval.embeddings import EmbeddingModel
from retrieval.tables import CuratedAnswerRow

MAX_QUESTIONS = 20
MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 5000
MAX_CITATIONS = 8
MAX_QUOTE_CHARS = 2000
URL_TEMPLATE = "/documents/{document_id}?hl={start}-{end}#passage-{chunk_id}"
_CITATION_FIELDS = {f.name for f in dataclasses.fields(Citation)}

log = logging.getLogger(__name__)


class CuratedInvalid(Exception):
    """A curated answer that cannot be saved: field name -> message key (web/i18n)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class CuratedNotFound(Exception):
    """No curated answer has this id."""


@dataclass(frozen=True)
class CitationDraft:
    """A citation as staff enter it: the document and the quoted text."""

    document_id: str
    quote: str


@dataclass(frozen=True)
class CuratedDraft:
    """A curated answer as staff enter it."""

    questions: list[str]
    answer: str
    citations: list[CitationDraft]
    language: str = ""  # "zh" or "en"; empty: detected from the answer


# --- validation and storage ---------------------------------------------------------------


def clean_questions(text: str) -> list[str]:
    """The questions of a text box, one per line, blank lines and repeats dropped."""
    seen: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.append(line)
    return seen


def validate(*, session: Session, draft: CuratedDraft) -> tuple[Language, list[Citation]]:
    """The answer's language and its resolved citations, or CuratedInvalid with every reason."""
    errors: dict[str, str] = {}
    questions = [q.strip() for q in draft.questions if q.strip()]
    if not questions:
        errors["questions"] = "curated.error.questions_empty"
    elif len(questions) > MAX_QUESTIONS:
        errors["questions"] = "curated.error.questions_many"
    elif any(len(q) > MAX_QUESTION_CHARS for q in questions):
        errors["questions"] = "curated.error.question_long"
    answer = draft.answer.strip()
    if not answer:
        errors["answer"] = "curated.error.answer_empty"
    elif len(answer) > MAX_ANSWER_CHARS:
        errors["answer"] = "curated.error.answer_long"
    if draft.language and draft.language not in ("zh", "en"):
        errors["language"] = "curated.error.language"
    elif draft.language and answer and (written := script_language(answer)) != draft.language:
        # Saved under the wrong language it is offered to the wrong askers (issue 13).
        errors["language"] = f"curated.error.language_is_{written}"
    filled = [c for c in draft.citations if c.document_id.strip() or c.quote.strip()]
    if len(filled) > MAX_CITATIONS:
        errors["citations"] = "curated.error.citations_many"
    citations: list[Citation] = []
    for i, draft_citation in enumerate(draft.citations):
        if not (draft_citation.document_id.strip() or draft_citation.quote.strip()):
            continue
        try:
            citations.append(_resolve(session, draft_citation, len(citations) + 1))
        except CuratedInvalid as failure:
            errors[f"citation_{i}"] = failure.errors["citation"]
    if errors:
        raise CuratedInvalid(errors)
    language: Language = (
        draft.language if draft.language in ("zh", "en") else detect_language(answer)  # type: ignore[assignment]
    )
    return language, citations


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Not the answer's own writing: titles and quotes in 《》“”, document numbers, citation markers.
_NOT_PROSE = re.compile(r"《[^》]*》|“[^”]*”|「[^」]*」|\S*〔\d{4}〕\S*|\[\d+\]|https?://\S+")


def script_language(text: str) -> Language:
    """The language an answer is written in, by its script: Chinese characters or Latin words.

    Chinese text quotes English names (CAR-T, NMPA) and English text quotes Chinese titles
    (《药品管理法》, 国发〔2022〕13号), so quoted titles, document numbers and links are left
    out, and one Chinese character weighs as much as one English word.
    """
    prose = _NOT_PROSE.sub(" ", text)
    cjk = len(_CJK.findall(prose))
    latin = len(_LATIN_WORD.findall(prose))
    if not cjk and not latin:
        return detect_language(text)
    return "zh" if cjk >= latin else "en"


def _resolve(session: Session, draft: CitationDraft, n: int) -> Citation:
    """The full citation of a quote, found in the document's current text."""
    document_id, quote = draft.document_id.strip(), draft.quote.strip()
    if not document_id:
        raise CuratedInvalid({"citation": "curated.error.document_missing"})
    if not quote:
        raise CuratedInvalid({"citation": "curated.error.quote_empty"})
    if len(quote) > MAX_QUOTE_CHARS:
        raise CuratedInvalid({"citation": "curated.error.quote_long"})
    row = registry.get(session=session, document_id=document_id[:120])
    if row is None:
        raise CuratedInvalid({"citation": "curated.error.document_unknown"})
    if row.withdrawn:
        raise CuratedInvalid({"citation": "curated.error.document_withdrawn"})
    found = find_quote(row.text, quote)
    if found is None:
        raise CuratedInvalid({"citation": "curated.error.quote_not_found"})
    start, end = found
    chunk = next(
        (
            c
            for c in reversed(registry.chunks_of(session=session, document_id=row.id))
            if c.start <= start
        ),
        None,
    )
    chunk_id = chunk.id if chunk is not None else ""
    values: dict[str, Any] = {
        "n": n,
        "document_id": row.id,
        "chunk_id": chunk_id,
        "title": row.title,
        "section": chunk.section if chunk is not None else None,
        "quote": row.text[start:end],
        "start": start,
        "url": URL_TEMPLATE.format(document_id=row.id, start=start, end=end, chunk_id=chunk_id),
        "source_url": row.source_url,
        "status": row.status,
        "issued": row.issued,
        "issuer": row.issuer,
        "doc_number": row.doc_number,
        "verified": row.verified,
        "language": row.language,
        "version": getattr(row, "version", 1) or 1,
    }
    return Citation(**{k: v for k, v in values.items() if k in _CITATION_FIELDS})


def find_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Where a quote is in a text: verbatim, else with any run of whitespace matching any."""
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    pattern = r"\s+".join(re.escape(part) for part in quote.split())
    match = re.search(pattern, text)
    return (match.start(), match.end()) if match else None


def create(
    *,
    session: Session,
    draft: CuratedDraft,
    author: str,
    author_id: int | None,
    group_id: int | None = None,
) -> CuratedAnswerRow:
    """Save a new curated answer (and mark its group answered); every worker reloads."""
    language, citations = validate(session=session, draft=draft)
    now = datetime.now(UTC)
    row = CuratedAnswerRow(
        questions=clean_questions("\n".join(draft.questions)),
        language=language,
        answer=draft.answer.strip(),
        citations=[dataclasses.asdict(c) for c in citations],
        author_id=author_id,
        author=author[:200],
        created_at=now,
        updated_at=now,
        active=True,
    )
    session.add(row)
    session.flush()
    if group_id is not None:
        gaps.set_status(
            session=session,
            group_id=group_id,
            status="answered",
            actor=author,
            curated_id=row.id,
            commit=False,
        )
    registry.bump_generation(session=session)
    session.commit()
    return row


def update(
    *, session: Session, curated_id: int, draft: CuratedDraft, author: str
) -> CuratedAnswerRow:
    """Change a curated answer's questions, text or citations; every worker reloads."""
    row = get(session=session, curated_id=curated_id)
    language, citations = validate(session=session, draft=draft)
    row.questions = clean_questions("\n".join(draft.questions))
    row.language = language
    row.answer = draft.answer.strip()
    row.citations = [dataclasses.asdict(c) for c in citations]
    row.author = author[:200]
    row.updated_at = datetime.now(UTC)
    registry.bump_generation(session=session)
    session.commit()
    return row


def set_active(*, session: Session, curated_id: int, active: bool, author: str) -> CuratedAnswerRow:
    """Stop (or resume) using a curated answer; its groups reopen when it stops."""
    row = get(session=session, curated_id=curated_id)
    row.active = active
    row.updated_at = datetime.now(UTC)
    if not active:
        gaps.reopen_answered_by(session=session, curated_id=row.id, actor=author)
    registry.bump_generation(session=session)
    session.commit()
    return row


def get(*, session: Session, curated_id: int) -> CuratedAnswerRow:
    """One curated answer, or CuratedNotFound."""
    row = session.get(CuratedAnswerRow, curated_id)
    if row is None:
        raise CuratedNotFound(curated_id)
    return row


def list_(*, session: Session) -> list[CuratedAnswerRow]:
    """Every curated answer, active ones first, most recently changed first."""
    return list(
        session.scalars(
            select(CuratedAnswerRow).order_by(
                CuratedAnswerRow.active.desc(), CuratedAnswerRow.updated_at.desc()
            )
        )
    )


def citations_of(row: CuratedAnswerRow) -> list[Citation]:
    """A curated answer's stored citations."""
    return [
        Citation(**{k: v for k, v in c.items() if k in _CITATION_FIELDS})
        for c in row.citations or []
    ]


def current_citations(
    *, session: Session, row: CuratedAnswerRow
) -> tuple[list[Citation], str | None]:
    """The answer's citations as its documents read now, or why it must not be given.

    The reason is a message key: the document is unknown or withdrawn, the quote is no longer
    in its current text, or it was superseded after the answer cited it (an answer written
    about a superseded document on purpose stays valid).
    """
    fresh: list[Citation] = []
    for stored in citations_of(row):
        draft = CitationDraft(stored.document_id, stored.quote)
        try:
            citation = _resolve(session, draft, stored.n)
        except CuratedInvalid as failure:
            return [], failure.errors["citation"]
        if citation.status == "superseded" and stored.status != "superseded":
            return [], "curated.error.document_superseded"
        fresh.append(citation)
    return fresh, None


def citing(*, session: Session, document_id: str) -> list[tuple[CuratedAnswerRow, str | None]]:
    """Every curated answer that cites a document, with the reason it is stale (or None)."""
    return [
        (row, current_citations(session=session, row=row)[1])
        for row in list_(session=session)
        if any(c.get("document_id") == document_id for c in row.citations or [])
    ]


# --- the assistant's snapshot ---------------------------------------------------------------


@dataclass(frozen=True)
class CuratedEntry:
    """An active curated answer as the assistant holds it."""

    id: int
    language: Language
    answer: str
    citations: list[Citation]
    questions: list[str]


# What a question asks for, when it says so: two questions on one topic that ask for different
# things ("how much does it cost" / "how long does it take") are not the same question, however
# close their vectors (USE puts those two at 0.75, above the threshold; docs/retrieval.md).
_SLOTS = {
    "cost": re.compile(r"cost|price|fee|charge|how much|收费|费用|价格|多少钱|价钱", re.IGNORECASE),
    "duration": re.compile(r"how long|how many days|多久|多长时间|几天|周期|时限", re.IGNORECASE),
    "date": re.compile(r"\bwhen\b|what date|什么时候|何时|哪天|日期", re.IGNORECASE),
    "place": re.compile(r"\bwhere\b|address|地址|在哪|哪里|地点", re.IGNORECASE),
    "who": re.compile(r"\bwho\b|\bwhom\b|谁|哪个部门|哪家", re.IGNORECASE),
}


def asked_slots(question: str) -> frozenset[str]:
    """What a question explicitly asks for: cost, duration, date, place, who (maybe none)."""
    return frozenset(name for name, pattern in _SLOTS.items() if pattern.search(question))


def slots_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two questions both say what they ask for, and it is not the same."""
    return bool(a) and bool(b) and not (a & b)


class CuratedSet:
    """The active curated answers of one index generation, with their questions' vectors."""

    def __init__(
        self,
        generation: int,
        entries: list[CuratedEntry],
        vectors: np.ndarray,
        owners: np.ndarray,
        slots: list[frozenset[str]] | None = None,
    ) -> None:
        self.generation = generation
        self.entries = entries
        self.vectors = vectors  # one normalised row per curated question
        self.owners = owners  # the entry of each row
        self.slots = slots or [frozenset()] * len(owners)  # what each row's question asks

    @classmethod
    def empty(cls, generation: int) -> CuratedSet:
        """No staff answers."""
        return cls(generation, [], np.zeros((0, 1), dtype=np.float32), np.zeros(0, dtype=int))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def match(
        self,
        vector: np.ndarray,
        *,
        question: str,
        language: str,
        threshold: float,
        margin: float = 0.05,
    ) -> tuple[CuratedEntry, float] | None:
        """The curated answer whose question is most similar, if similar enough.

        A curated question asking for something else (`asked_slots`) does not count. An answer
        in the asker's language wins when it is within `margin` of the best.
        """
        if not self.entries:
            return None
        norm = float(np.linalg.norm(vector)) or 1.0
        similarities = self.vectors @ (np.asarray(vector, dtype=np.float32) / norm)
        wanted = asked_slots(question)
        best: dict[int, float] = {}
        for owner, similarity, slots in zip(
            self.owners.tolist(), similarities.tolist(), self.slots, strict=True
        ):
            if not slots_conflict(wanted, slots):
                best[owner] = max(best.get(owner, -1.0), similarity)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: -item[1])
        top, top_similarity = ranked[0]
        if top_similarity < threshold:
            return None
        for owner, similarity in ranked:
            if similarity < max(threshold, top_similarity - margin):
                break
            if self.entries[owner].language == language:
                return self.entries[owner], similarity
        return self.entries[top], top_similarity


class CuratedLoader:
    """Loads the active curated answers, embedding each question once per process."""

    def __init__(self, embeddings: EmbeddingModel) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, np.ndarray] = {}

    def load(self, *, session: Session, generation: int) -> CuratedSet:
        """The active curated answers now, for the given index generation."""
        rows = session.scalars(
            select(CuratedAnswerRow)
            .where(CuratedAnswerRow.active.is_(True))
            .order_by(CuratedAnswerRow.id)
        ).all()
        entries: list[CuratedEntry] = []
        texts: list[str] = []
        owners: list[int] = []
        for row in rows:
            questions = [q for q in row.questions or [] if q.strip()]
            if not questions:
                continue
            citations, stale = current_citations(session=session, row=row)
            if stale is not None:
                log.info("staff answer %s is not given until it is edited: %s", row.id, stale)
                continue
            language: Language = "zh" if row.language == "zh" else "en"
            owner = len(entries)
            entries.append(CuratedEntry(row.id, language, row.answer, citations, questions))
            texts += questions
            owners += [owner] * len(questions)
        if not entries:
            return CuratedSet.empty(generation)
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            fresh = np.asarray(self.embeddings.embed_array(missing), dtype=np.float32)
            fresh /= np.maximum(np.linalg.norm(fresh, axis=1, keepdims=True), 1e-9)
            self._vectors.update(zip(missing, fresh, strict=True))
        vectors = np.vstack([self._vectors[t] for t in texts])
        slots = [asked_slots(t) for t in texts]
        return CuratedSet(generation, entries, vectors, np.array(owners), slots)
