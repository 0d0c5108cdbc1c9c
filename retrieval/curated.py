"""Curated answers: answers the center's staff write, with their own citations.

Staff write one for questions the knowledge base does not answer well (usually from a group
of unanswered questions, retrieval.gaps). Each lists the questions it answers; the assistant
answers a new question with it, marked as a staff answer, when the question's vector is close
enough to one of them (`AssistantConfig.curated_threshold`), before it searches the passages
(the matching: retrieval.curated_matching).

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
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.text import Language, detect_language
from retrieval import gaps
from retrieval.cited_answer import Citation
from retrieval.tables import CuratedAnswerRow

MAX_QUESTIONS = 20
MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 5000
MAX_CITATIONS = 8
MAX_QUOTE_CHARS = 2000
URL_TEMPLATE = "/documents/{document_id}?hl={start}-{end}#passage-{chunk_id}"
_CITATION_FIELDS = {f.name for f in dataclasses.fields(Citation)}


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
    language: Language
    if draft.language == "zh":
        language = "zh"
    elif draft.language == "en":
        language = "en"
    else:
        language = detect_language(answer)
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
