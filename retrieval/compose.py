"""Extractive composition: the units of the best passages that answer the question, each cited.

Nothing is written that is not a quote of a source, apart from the frame that names it
("《…》第十九条规定：" / "Article 19 of … provides:"). The answer quotes whole units: a legal
article when it is short, else the paragraph (款) or item (项) that holds the answer, an item
together with its paragraph's lead-in; in other documents, sentences. The direct answer comes
first; further quotes follow only while they answer the question as well, one citation per
passage at most.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from knowledge.documents import DocumentMeta
from knowledge.numerals import NUMERAL_CHARS
from knowledge.text import Language
from retrieval.cited_answer import Citation
from retrieval.document_status import asks_about_the_past, status_label, superseded_by
from retrieval.framing import frame_quote
from retrieval.index import KnowledgeIndex, Passage
from retrieval.keyword import identifiers, tokenize
from retrieval.question_types import answer_type_match, asked_types, is_yes_no, states_rule
from retrieval.quotes import Quote, cite, is_headed_section, is_whole_article, quote_length
from retrieval.references import article_refs
from retrieval.search import Hit

# A text's commencement clause: 本法自2015年9月1日起施行, 自公布之日起施行, shall come into force.
_COMMENCES = re.compile(r"起施行|起实施|起生效|come into (?:force|effect)|take effect", re.I)


@dataclass(frozen=True)
class CompositionRules:
    """Limits of an extractive answer (tuned on both development sets, docs/retrieval.md)."""

    max_citations: int = 4
    max_units: int = 4
    margin: float = 0.2  # a further quote must score within this of the best one
    redundancy: float = 0.9  # skip a unit this similar to one already chosen
    max_chars: dict[str, int] = field(default_factory=lambda: {"zh": 420, "en": 900})
    short_article: int = 200  # an article (or a section its heading asks for) this short is whole
    whole_named_article: int = 600  # an article a question names is quoted whole up to this
    w_sentence: float = 0.5  # similarity of question and unit
    w_passage: float = 0.3  # rank of the passage, relative to the best one
    w_overlap: float = 0.2  # share of the question's words the unit contains
    passages: int = 7  # passages whose units compete
    language_margin: float = 0.08  # prefer the question's language when this close to the best
    w_section: float = 0.1  # share of the question's words its section heading contains
    w_answer_type: float = 0.15  # the unit holds what a when/how-many/who question asks
    w_identifier: float = 0.06  # the unit names an identifier the question names
    w_deontic: float = 0.05  # a yes/no question: the unit says must / may / must not
    superseded_penalty: float = 0.25  # pushes superseded texts down unless the past is asked
    referring: int = 3  # the best passages whose references to other articles are followed


@dataclass(frozen=True)
class _Candidate:
    passage: Passage
    index: int
    score: float
    rank: int


class ExtractiveComposer:
    """Builds cited answers out of source units."""

    def __init__(
        self,
        *,
        url_template: str = "/documents/{document_id}?hl={start}-{end}#passage-{chunk_id}",
        rules: CompositionRules | None = None,
    ) -> None:
        self.url_template = url_template
        self.rules = rules or CompositionRules()

    # -- which passages compete --------------------------------------------------------------

    def candidates(
        self, index: KnowledgeIndex, hits: list[Hit], vector: np.ndarray, language: Language
    ) -> list[tuple[Passage, float]]:
        """Passages to quote from, in the question's language when that language has them."""
        pool: dict[str, float] = {h.passage_id: h.score for h in hits}
        found = index.passages(pool)
        # A passage found in the other language brings its translation's best passages along.
        for hit in hits[:4]:
            meta = index.documents[found[hit.passage_id].document_id]
            if meta.language != language and meta.translation_of in index.documents:
                twins = sorted(
                    index.document_passages(meta.translation_of),
                    key=lambda p: -float(p.vector @ vector),
                )
                for twin in twins[:2]:
                    # Found already, at a lower score: the translation's rank counts, not how
                    # well the other language's words matched the question.
                    pool[twin.id] = max(pool.get(twin.id, -1.0), hit.score - 0.02)
                    found[twin.id] = twin
        ranked = sorted(pool.items(), key=lambda item: -item[1])
        same = [
            (found[pid], s)
            for pid, s in ranked
            if index.documents[found[pid].document_id].language == language
        ]
        rules = self.rules
        if same and same[0][1] >= ranked[0][1] - rules.language_margin:
            return same[: rules.passages]
        return [(found[pid], s) for pid, s in ranked[: rules.passages]]

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
        found = index.passages(h.passage_id for h in hits)
        for hit in hits:
            meta = index.documents[found[hit.passage_id].document_id]
            if meta.status != "superseded" or _names_document(meta, question, named):
                kept.append(hit)
                continue
            for twin in _best_passages(index, superseded_by(meta), vector, 2):
                if twin.id not in seen:
                    seen.add(twin.id)
                    kept.append(Hit(twin.id, hit.score - 0.02, float(twin.vector @ vector)))
        # Nothing current at all: keep the old texts, which the answer then labels superseded.
        return sorted(kept, key=lambda h: -h.score) if kept else hits

    def referenced_hits(
        self, index: KnowledgeIndex, hits: list[Hit], vector: np.ndarray
    ) -> list[Hit]:
        """Bring along the articles the best passages refer to in their own text.

        "依照本法第四十七条规定的经济补偿标准的二倍" found for a question on severance: the
        standard itself is in 第四十七条, which the question's words may not have found. Each
        referred article joins just below the passage that refers to it; the units then compete
        as usual.
        """
        found = index.passages(h.passage_id for h in hits[: self.rules.referring])
        seen = {h.passage_id for h in hits}
        added: list[Hit] = []
        for hit in hits[: self.rules.referring]:
            passage = found.get(hit.passage_id)
            if passage is None or passage.article_key is None:
                continue
            for key in referred_articles(passage.text, passage.article_key):
                for other in index.article_passages(passage.document_id, key):
                    if other.id not in seen:
                        seen.add(other.id)
                        similarity = float(other.vector @ vector)
                        added.append(Hit(other.id, hit.score - 0.02, similarity))
        return sorted([*hits, *added], key=lambda h: -h.score) if added else hits

    # -- composing --------------------------------------------------------------------------

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
        hits = self.referenced_hits(index, hits, vector)
        passages = self.candidates(index, hits, vector, language)
        demoted = set()
        if not asks_about_the_past(question):
            # Only when nothing current was found at all: quoted, but labelled superseded.
            demoted = {
                p.id for p, _ in passages if index.documents[p.document_id].status == "superseded"
            }
        scored = _reference_next(
            self._score(question, vector, passages, demoted, index.keyword.idf)
        )
        # A short section headed by a word of the question (所需材料 for "需要提交哪些材料")
        # is its answer as a whole, like a short article: quoted whole when it holds the best
        # unit.
        asked = set(tokenize(question))
        headed = frozenset(
            p.id for p, _ in passages if is_headed_section(p, asked, self.rules.short_article)
        )
        quotes = self._choose(scored, language, headed)
        return self.render(index, quotes, language)

    def compose_article(
        self,
        *,
        index: KnowledgeIndex,
        passages: list[Passage],
        question: str,
        vector: np.ndarray,
        language: Language,
        general: bool,
    ) -> tuple[str, list[Citation]]:
        """Answer from one named article: whole when asked what it says or short enough to read
        whole, else its best units."""
        if general or sum(len(p.text) for p in passages) <= self.rules.whole_named_article:
            budget = self.rules.max_chars[language] * 2
            quotes: list[Quote] = []
            used = 0
            for passage in passages:
                if quotes and used + len(passage.text) > budget:
                    break
                quotes.append(Quote(passage, list(range(len(passage.units))), 1.0, whole=True))
                used += len(passage.text)
            return self.render(index, quotes, language)
        scored = self._score(
            question, vector, [(p, 1.0) for p in passages], set(), index.keyword.idf
        )
        return self.render(index, self._choose(scored, language), language)

    def repeal_quote(self, *, index: KnowledgeIndex, document_id: str, title: str) -> Quote | None:
        """The clause of a text that repeals `title` (in its closing articles): the whole
        article when it is short, else the sentence that names the title."""
        return self._last_clause(
            reversed(index.document_passages(document_id)),
            lambda text: title in text and "废止" in text,
        )

    def commencement_quote(self, *, index: KnowledgeIndex, document_id: str) -> Quote | None:
        """The clause that says when a text takes effect (本法自2015年9月1日起施行), in its
        last three articles: the whole article when it is short, else that sentence."""
        articles = [p for p in index.document_passages(document_id) if p.article_key]
        return self._last_clause(
            reversed(articles[-3:]), lambda text: bool(_COMMENCES.search(text))
        )

    def _last_clause(
        self, passages: Iterable[Passage], matches: Callable[[str], bool]
    ) -> Quote | None:
        """The first unit that `matches`, in passages given last first: its whole article when
        that is short, else the unit alone."""
        for passage in passages:
            for i, unit in enumerate(passage.units):
                if matches(unit.text):
                    whole = is_whole_article(passage, self.rules.short_article)
                    units = list(range(len(passage.units))) if whole else [i]
                    return Quote(passage, units, 1.0, whole=whole)
        return None

    def _score(
        self,
        question: str,
        vector: np.ndarray,
        passages: list[tuple[Passage, float]],
        demoted: set[str],
        idf: Callable[[str], float] | None = None,
    ) -> list[_Candidate]:
        rules = self.rules
        question_tokens = set(tokenize(question))
        # Rare words weigh most: 治愈率 says more about a unit than 药品 or 广告.
        weight = {t: (idf(t) if idf else 1.0) for t in question_tokens}
        total = sum(weight.values()) or 1.0
        wanted = set(identifiers(question))
        top = passages[0][1] if passages else 0.0
        asks = asked_types(question)
        yes_no = is_yes_no(question)
        scored: list[_Candidate] = []
        for rank, (passage, passage_score) in enumerate(passages):
            if not passage.units:
                continue
            similarity = passage.unit_vectors @ vector
            heading = question_tokens & passage.section_tokens
            heading_share = len(heading) / len(question_tokens) if question_tokens else 0.0
            for i, unit in enumerate(passage.units):
                tokens = passage.unit_tokens[i]
                overlap = sum(weight[t] for t in question_tokens & tokens) / total
                score = (
                    rules.w_sentence * float(similarity[i])
                    + rules.w_passage * (passage_score - top)
                    + rules.w_overlap * overlap
                    + rules.w_section * heading_share
                    + rules.w_answer_type * answer_type_match(asks, unit.text)
                    + (rules.w_identifier if wanted & {t for t in tokens if t[0] == "§"} else 0.0)
                )
                if yes_no and states_rule(unit.text):
                    score += rules.w_deontic
                if len(unit.text) < 6:  # a stray heading or list label
                    score -= 0.2
                if passage.id in demoted:
                    score -= rules.superseded_penalty
                scored.append(_Candidate(passage, i, score, rank))
        scored.sort(key=lambda c: -c.score)
        return scored

    def _choose(
        self, scored: list[_Candidate], language: Language, headed: frozenset[str] = frozenset()
    ) -> list[Quote]:
        """The best unit first, then the next best while they score as well; a short article,
        or a short section of `headed` holding the best unit, is quoted whole.

        Units of one passage share its citation (its excerpt joins them in reading order).
        """
        rules = self.rules
        quotes: dict[str, Quote] = {}
        units = 0
        for candidate in scored:
            if units >= rules.max_units:
                break
            if quotes and candidate.score < scored[0].score - rules.margin:
                break
            passage = candidate.passage
            quote = quotes.get(passage.id)
            if quote is not None and quote.whole:
                continue
            if quote is None and len(quotes) >= rules.max_citations:
                continue
            vec = passage.unit_vectors[candidate.index]
            if any(
                float(vec @ q.passage.unit_vectors[i]) > rules.redundancy
                for q in quotes.values()
                for i in q.units
            ):
                continue
            if quote is None:
                whole = (
                    is_whole_article(passage, rules.short_article)
                    if passage.article_key
                    else not quotes and passage.id in headed
                )
                chosen = list(range(len(passage.units))) if whole else [candidate.index]
                grown = Quote(passage, chosen, candidate.score, whole=whole)
            else:
                grown = Quote(passage, [*quote.units, candidate.index], quote.score)
            others = sum(quote_length(q) for pid, q in quotes.items() if pid != passage.id)
            if quotes and others + quote_length(grown) > rules.max_chars[language]:
                continue
            quotes[passage.id] = grown
            units += 1
        return list(quotes.values())

    # -- writing it down ----------------------------------------------------------------------

    def render(
        self, index: KnowledgeIndex, quotes: list[Quote], language: Language
    ) -> tuple[str, list[Citation]]:
        """The answer text (each quote framed and marked [n]) and the citations."""
        citations: list[Citation] = []
        parts: list[str] = []
        for quote in quotes:
            citation = cite(index, quote, len(citations) + 1, url_template=self.url_template)
            citations.append(citation)
            meta = index.documents[citation.document_id]
            label = (
                None
                if meta.category in ("news", "service")
                else status_label(index, citation.document_id, language)
            )
            parts.append(frame_quote(citation, meta, language, label))
        # Framed quotes of legal texts each get their own paragraph; sentences run on.
        glue = "\n" if any(c.locator for c in citations) else ("" if language == "zh" else " ")
        return glue.join(parts), citations


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
    passages = index.document_passages(document_id)
    return sorted(passages, key=lambda p: -float(p.vector @ vector))[:count]


# "依照本法第四十七条规定的…标准": the rule of another article of the same text applies.
# ("违反本法第三十七条规定" names the breached duty; the unit is whole without it.)
_REFERENCE = re.compile(
    r"(?:依照|按照|参照|依据|根据|适用)本(?:法|条例|办法|规定|细则|规则|决定)"
    rf"第[{NUMERAL_CHARS}]+条(?:之[{NUMERAL_CHARS}]+)?"
)


def referred_articles(text: str, own: str) -> list[str]:
    """The keys of the other articles of its own text a passage refers to, in order."""
    keys = [ref.key for m in _REFERENCE.finditer(text) for ref in article_refs(m.group())]
    return [key for key in dict.fromkeys(keys) if key != own]


def _reference_next(scored: list[_Candidate]) -> list[_Candidate]:
    """The best unit applies another article's rule ("依照本法第四十七条规定的经济补偿标准的
    二倍"): that article's best unit among the candidates comes next, so the answer states the
    rule the first quote relies on."""
    top = scored[0] if scored else None
    if top is None or top.passage.article_key is None:
        return scored
    keys = referred_articles(top.passage.units[top.index].text, top.passage.article_key)
    for position, candidate in enumerate(scored[1:], start=1):
        passage = candidate.passage
        if passage.document_id == top.passage.document_id and passage.article_key in keys:
            return [top, candidate, *scored[1:position], *scored[position + 1 :]]
    return scored
