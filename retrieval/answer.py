"""Extractive answers: the sentences of the best passages that answer the question, each cited.

Nothing is written that is not a sentence of a source: every sentence of an answer is quoted
verbatim from a passage and carries the marker [n] of its citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from knowledge.documents import DocumentMeta
from knowledge.text import Language
from retrieval.index import KnowledgeIndex, Passage
from retrieval.keyword import identifiers, tokenize
from retrieval.search import Hit

STATUS_LABELS = {
    "zh": {"draft": "征求意见稿", "superseded": "已被取代", "announced": "已公布、尚未施行"},
    "en": {"draft": "draft for comment", "superseded": "superseded",
           "announced": "announced, not yet in force"},
}  # fmt: skip


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_ASKS = {
    "date": re.compile(
        r"什么时候|何时|哪天|哪一天|哪年|几月|日期|时间|施行|生效"
        r"|when|what date|which date|what year"
        r"|since when|effective|take effect|in force|apply|deadline|issued|approved|start",
        re.IGNORECASE,
    ),
    "amount": re.compile(
        r"多少|几[个家项条年天]|多大|多高|多长|多久|规模|税率|比例|金额|面积|上限|how many|how much"
        r"|how long|how large|how big|what rate|percentage|amount|size|area|cap\b|maximum",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"谁|哪家|哪个机构|哪个部门|哪些机构|由谁|哪个单位|\bwho\b|\bwhom\b"
        r"|which (?:company|authority|agency|body|department|organi[sz]ation|ministry)",
        re.IGNORECASE,
    ),
}
_HOLDS = {
    "date": re.compile(
        rf"\d{{4}}年|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}|\b(?:{_MONTHS}) \d{{4}}|\b(?:19|20)\d{{2}}\b"
    ),
    "amount": re.compile(
        r"\d[\d,.]*\s*(?:%|万|亿|元|平方米|平方公里|km²|m²|个|家|项|条|天|年|个工作日|倍"
        r"|working days|days|years|million|billion|products|companies|articles|items)"
        r"|RMB\s*\d|USD\s*\d|\d+\s*(?:chapters|categories)",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"委员会|管理局|监督管理|国务院|部|局|集团|公司|医院|中心|生物|医药|Commission|Administration"
        r"|Council|Ministry|Bureau|Group|Hospital|Cent(?:er|re)|Therapeutics|Bio|Pharma|NHC|NMPA|CDE",
    ),
}


_PAST = re.compile(
    r"以前|过去|原来|原先|旧|历史|曾经|此前|废止|被取代|草案|征求意见稿|\b(?:19|20)[01]\d\b|2020|2021"
    r"|previous|former|earlier|old\b|history|historical|used to|superseded|replaced|draft|before",
    re.IGNORECASE,
)


def asks_about_the_past(question: str) -> bool:
    """Whether a question asks about earlier or replaced rules."""
    return bool(_PAST.search(question))


def superseded_by(meta: DocumentMeta) -> str | None:
    """The id of the document that replaces a superseded one, when staff named it."""
    value = meta.extra.get("superseded_by")
    return str(value) if value else None


def status_label(index: KnowledgeIndex, document_id: str, language: Language) -> str | None:
    """What an answer says after a citation of a draft, superseded or announced text."""
    meta = index.documents[document_id]
    label = STATUS_LABELS[language].get(meta.status)
    replacement = superseded_by(meta) if meta.status == "superseded" else None
    if replacement is not None and replacement in index.documents:
        title = index.documents[replacement].title
        if language == "en":
            return f"superseded by “{title}”"
        return f"已被{title}取代" if title.startswith("《") else f"已被《{title}》取代"
    return label


def _names_document(meta: DocumentMeta, question: str, named: set[str]) -> bool:
    """Whether the question names this document by its number (then it asks about it)."""
    if not meta.doc_number:
        return False
    return meta.doc_number in question or bool(named & set(identifiers(meta.doc_number)))


def _best_passages(
    index: KnowledgeIndex, document_id: str | None, vector: np.ndarray, count: int
) -> list[Passage]:
    if document_id is None:
        return []
    passages = index.by_document.get(document_id, [])
    return sorted(passages, key=lambda p: -float(p.vector @ vector))[:count]


def asked_types(question: str) -> set[str]:
    """What kind of fact a question asks for: a date, an amount, an organisation."""
    return {kind for kind, pattern in _ASKS.items() if pattern.search(question)}


def answer_type_match(asked: set[str], sentence: str) -> float:
    """1.0 when the sentence holds a fact of a kind the question asks for."""
    return 1.0 if any(_HOLDS[kind].search(sentence) for kind in asked) else 0.0


@dataclass(frozen=True)
class Citation:
    """Where one sentence of an answer comes from."""

    n: int
    document_id: str
    chunk_id: str
    title: str
    section: str | None
    quote: str
    start: int  # offset of the quote in the document text
    url: str
    source_url: str | None
    status: str
    issued: str | None
    issuer: str | None
    doc_number: str | None
    verified: bool
    language: str
    # The version of the document quoted (kb_document_versions keeps its text); 1 for citations
    # stored before versions existed.
    version: int = 1


@dataclass(frozen=True)
class Answer:
    """What the assistant says to one question."""

    answer: str
    refused: bool
    language: Language
    citations: list[Citation] = field(default_factory=list)
    confidence: float = 0.0
    reason: str | None = None  # why it refused: "no_match", "out_of_scope", "instructions"
    # ... or "curated": a staff answer (retrieval.curated); kept in the turn's reason column,
    # so a conversation's history still shows it as one.
    curated_id: int | None = None

    @property
    def curated(self) -> bool:
        """Whether the center's staff wrote this answer (shown as a staff answer)."""
        return self.reason == "curated"


@dataclass(frozen=True)
class CompositionRules:
    """Limits of an extractive answer."""

    max_sentences: int = 4
    margin: float = 0.2  # a further sentence must score within this of the best one
    redundancy: float = 0.9  # skip a sentence this similar to one already chosen
    max_chars: dict[str, int] = field(default_factory=lambda: {"zh": 260, "en": 650})
    # Weights of a sentence's score (tuned on the development set, see docs/retrieval.md).
    w_sentence: float = 0.5  # similarity of question and sentence
    w_passage: float = 0.3  # rank of the passage, relative to the best one
    w_overlap: float = 0.2  # share of the question's words the sentence contains
    passages: int = 7  # passages whose sentences compete
    language_margin: float = 0.08  # prefer the question's language when this close to the best
    w_section: float = 0.1  # share of the question's words its section heading contains
    w_answer_type: float = 0.15  # the sentence holds what a when/how-many/who question asks
    w_identifier: float = 0.06  # the sentence names an identifier the question names
    superseded_penalty: float = 0.25  # pushes superseded texts down unless the past is asked


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    index: int
    score: float
    rank: int


class ExtractiveComposer:
    """Builds cited answers out of source sentences."""

    def __init__(
        self,
        *,
        url_template: str = "/documents/{document_id}?hl={start}-{end}#passage-{chunk_id}",
        rules: CompositionRules | None = None,
    ) -> None:
        self.url_template = url_template
        self.rules = rules or CompositionRules()

    def candidates(
        self,
        index: KnowledgeIndex,
        hits: list[Hit],
        vector: np.ndarray,
        language: Language,
        question: str = "",
    ) -> list[tuple[Passage, float]]:
        """Passages to quote from, in the question's language when that language has them."""
        pool: dict[str, float] = {h.passage_id: h.score for h in hits}
        # A passage found in the other language brings its translation's best passages along.
        for hit in hits[:4]:
            meta = index.documents[index.by_id[hit.passage_id].document_id]
            if meta.language != language and meta.translation_of in index.documents:
                twins = sorted(
                    index.by_document.get(meta.translation_of, []),
                    key=lambda p: -float(p.vector @ vector),
                )
                for twin in twins[:2]:
                    pool.setdefault(twin.id, hit.score - 0.02)
        ranked = sorted(pool.items(), key=lambda item: -item[1])
        same = [
            (index.by_id[pid], s)
            for pid, s in ranked
            if index.documents[index.by_id[pid].document_id].language == language
        ]
        rules = self.rules
        if same and same[0][1] >= ranked[0][1] - rules.language_margin:
            return same[: rules.passages]
        return [(index.by_id[pid], s) for pid, s in ranked[: rules.passages]]

    def compose(
        self,
        *,
        index: KnowledgeIndex,
        question: str,
        vector: np.ndarray,
        hits: list[Hit],
        language: Language,
    ) -> tuple[str, list[Citation]]:
        """The answer text and its citations."""
        hits = self.current_hits(index, hits, vector, question)
        passages = self.candidates(index, hits, vector, language, question)
        demoted = set()
        if not asks_about_the_past(question):
            # Only when nothing current was found at all: quoted, but labelled superseded.
            demoted = {
                p.id for p, _ in passages if index.documents[p.document_id].status == "superseded"
            }
        chosen = self._select(question, vector, passages, language, demoted)
        citations: list[Citation] = []
        parts: list[str] = []
        for candidate in chosen:
            citation = self._cite(index, candidate, len(citations) + 1)
            citations.append(citation)
            label = (
                None if index.documents[citation.document_id].category in ("news", "service")
                else status_label(index, citation.document_id, language)
            )  # fmt: skip
            marker = f"[{citation.n}]"
            if label:
                marker += f"（{label}）" if language == "zh" else f" ({label})"
            quote = citation.quote
            parts.append(f"{quote} {marker}" if language == "en" else f"{quote}{marker}")
        return ("" if language == "zh" else " ").join(parts), citations

    def current_hits(
        self, index: KnowledgeIndex, hits: list[Hit], vector: np.ndarray, question: str
    ) -> list[Hit]:
        """Drop superseded passages unless the question asks about the past or names the text.

        A hit on a superseded document brings the best passages of the document that replaces
        it (when staff named one), so the current rule is quoted instead of the old one.
        """
        if asks_about_the_past(question):
            return hits
        named = set(identifiers(question))
        kept: list[Hit] = []
        seen = {h.passage_id for h in hits}
        for hit in hits:
            meta = index.documents[index.by_id[hit.passage_id].document_id]
            if meta.status != "superseded" or _names_document(meta, question, named):
                kept.append(hit)
                continue
            for twin in _best_passages(index, superseded_by(meta), vector, 2):
                if twin.id not in seen:
                    seen.add(twin.id)
                    kept.append(Hit(twin.id, hit.score - 0.02, float(twin.vector @ vector)))
        # Nothing current at all: keep the old texts, which the answer then labels superseded.
        return sorted(kept, key=lambda h: -h.score) if kept else hits

    def _select(
        self,
        question: str,
        vector: np.ndarray,
        passages: list[tuple[Passage, float]],
        language: Language,
        demoted: set[str],
    ) -> list[_Candidate]:
        rules = self.rules
        question_tokens = set(tokenize(question))
        wanted = set(identifiers(question))
        top = passages[0][1] if passages else 0.0
        asks = asked_types(question)
        scored: list[_Candidate] = []
        for rank, (passage, passage_score) in enumerate(passages):
            if not passage.sentences:
                continue
            similarity = passage.sentence_vectors @ vector
            heading = question_tokens & passage.section_tokens
            heading_share = len(heading) / len(question_tokens) if question_tokens else 0.0
            for i, sentence in enumerate(passage.sentences):
                tokens = passage.sentence_tokens[i]
                overlap = (
                    len(question_tokens & tokens) / len(question_tokens) if question_tokens else 0
                )
                score = (
                    rules.w_sentence * float(similarity[i])
                    + rules.w_passage * (passage_score - top)
                    + rules.w_overlap * overlap
                    + rules.w_section * heading_share
                    + rules.w_answer_type * answer_type_match(asks, sentence)
                    + (rules.w_identifier if wanted & {t for t in tokens if t[0] == "§"} else 0.0)
                )
                if len(sentence) < 6:  # a stray heading or list label
                    score -= 0.2
                if passage.id in demoted:
                    score -= rules.superseded_penalty
                scored.append(_Candidate(passage, i, score, rank))
        scored.sort(key=lambda c: -c.score)
        chosen: list[_Candidate] = []
        chars = 0
        for candidate in scored:
            if len(chosen) >= rules.max_sentences:
                break
            if chosen and candidate.score < chosen[0].score - rules.margin:
                break
            sentence = candidate.passage.sentences[candidate.index]
            if chosen and chars + len(sentence) > rules.max_chars[language]:
                continue
            vec = candidate.passage.sentence_vectors[candidate.index]
            if any(
                float(vec @ c.passage.sentence_vectors[c.index]) > rules.redundancy for c in chosen
            ):
                continue
            chosen.append(candidate)
            chars += len(sentence)
        # The best sentence first: it is the direct answer. The others follow in score order.
        return chosen

    def _cite(self, index: KnowledgeIndex, candidate: _Candidate, n: int) -> Citation:
        passage = candidate.passage
        meta: DocumentMeta = index.documents[passage.document_id]
        quote = passage.sentences[candidate.index]
        start = passage.start + passage.text.index(quote)
        return Citation(
            n=n,
            document_id=passage.document_id,
            chunk_id=passage.id,
            title=meta.title,
            section=passage.section,
            quote=quote,
            start=start,
            url=self.url_template.format(
                document_id=passage.document_id,
                chunk_id=passage.id,
                start=start,
                end=start + len(quote),
            ),  # fmt: skip
            source_url=meta.source_url,
            status=meta.status,
            issued=meta.issued,
            issuer=meta.issuer,
            doc_number=meta.doc_number,
            verified=meta.verified,
            language=meta.language,
            version=index.versions.get(passage.document_id, 1),
        )
