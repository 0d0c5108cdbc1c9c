"""Reading a question before searching: script, language, what it names, follow-up or new topic.

- Traditional characters (人類遺傳資源出境需要審批嗎？) are read as their Simplified form for
  search and references; the answer quotes the Simplified source as it is.
- An English question is searched with the Chinese terms the glossary gives for its words,
  so keyword search meets Chinese texts too.
- A follow-up is recognised only when the new question lacks a subject of its own (a pronoun,
  "what about …", "那…呢", or no content words at all); a complete new question, however
  short, starts a new topic.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from knowledge.glossary import find_chinese, find_english
from knowledge.script import is_traditional, to_simplified
from knowledge.text import Language, detect_language
from retrieval.keyword import is_everyday, tokenize
from retrieval.references import DocumentNames, References

_ANAPHORA_EN = re.compile(
    r"^(?:and|what about|how about|also|then)\b"
    r"|\b(?:it|its|they|them|their|this|these|those|the same)\b",
    re.IGNORECASE,
)
_ANAPHORA_ZH = re.compile(
    r"^(?:那|那么|还有|另外|此外|再问)|它|这个|那个|这些|那些|上述|前述|其中"
    r"|(?:该|此|这|本)(?:法|条例|办法|规定|细则|文件|政策|条|款|项|产品|服务|规定)"
    r"|呢[？?]?$"
)
# A question that opens with its predicate has left its subject out (适用于整个南沙吗？).
_PREDICATE_FIRST = re.compile(
    r"^(?:适用|需要|需|要|可以|可|能|能否|是否|有没有|有|多久|多少|哪些|哪个|怎么|如何|什么时候|何时"
    r"|必须|应当|应该|会|还)"
)
_LATIN = re.compile(r"[A-Za-z]{2,}")
_CHINA = re.compile(r"\b(?:the\s+)?(?:People'?s Republic of China|PRC|China|Chinese)\b")
# A word used by at least one passage in fifty is no topic of its own (违反, 罚款, 申请): the IDF
# log(1 + N/df) of a rarer word is above log(51).
TOPICAL_SHARE = 0.02
_TOPICAL_IDF = math.log(1 + 1 / TOPICAL_SHARE)
# Words that ask rather than name: without anything else, the question has no subject.
_ASKING = re.compile(
    r"规定了?什么|说了?什么|讲了?什么|写了?什么|内容是?什么|是什么|有什么规定|怎么规定|如何规定"
    r"|全文|原文|具体|详细|一下|请问|呢|吗|[？?。！!，,、\s]"
    r"|\b(?:what|does|do|did|say|says|said|provide|provides|state|states|stipulate|stipulates"
    r"|is|are|the|of|in|on|about|content|contents|text|full|please|tell|me|show|law|regulations?)\b",
    re.IGNORECASE,
)


# An article named in the question (第十条之一, Article 19-1).
_ARTICLE_NAMED = re.compile(
    r"第\s*[^\s条]{1,8}\s*条(?:\s*之\s*\S)?|\barticles?\s*\d+(?:-\d)?", re.IGNORECASE
)
# Asking what a document is for or what it governs: its first articles answer (purpose, scope).
_ABOUT = re.compile(
    r"(?:是)?管(?:的是)?(?:什么|哪些)(?:事情|事|内容|方面)?的?|是干什么的|是做什么的"
    r"|(?:是)?为了?什么(?:而)?制定的?|制定(?:的)?目的|立法目的|目的是什么"
    r"|适用(?:于)?(?:什么|哪些)(?:范围|情形|活动|事项)?|适用范围|调整(?:什么|哪些)(?:关系|活动)?"
    r"|是关于什么的?|讲(?:的是)?什么|主要内容"
    r"|\bwhat (?:is|are)\b.{0,120}?\b(?:about|for)\b"
    r"|\bwhat does\b.{0,120}?\b(?:govern|cover|regulate)\b"
    r"|\b(?:purpose|scope) of\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReadQuestion:
    """A question as the assistant reads it."""

    text: str  # as asked
    simplified: str  # Traditional characters folded to Simplified
    language: Language
    traditional: bool
    refs: References
    follow_up: bool
    query: str  # what search matches: with a follow-up's context
    keyword_query: str  # the query plus the glossary's Chinese terms for an English question
    # A follow-up's own words with their terms, without the previous question: what it asks
    # about the documents the conversation is on. None for a question that is no follow-up.
    own_keyword_query: str | None
    general: bool  # asks what a named article or document says, nothing more specific
    gate_names: str  # where it looks for unknown names: the words the glossary did not know
    concepts: tuple[tuple[str, ...], ...] = ()  # an English question's glossary concepts (forms)
    places: tuple[str, ...] = ()  # the Chinese forms of the mainland places it names (浦东新区)
    about: bool = False  # asks only what a named document is for or governs (its first articles)

    @property
    def over_chinese(self) -> str | None:
        """What to embed when an English question lands on Chinese texts: the question with the
        glossary's Chinese terms, which sit closer to the texts' own words; None when the
        glossary knows none of its terms (or the question is not English)."""
        if self.language != "en" or self.keyword_query == self.query:
            return None
        return self.keyword_query


_PLACES = frozenset({"place", "jurisdiction"})


def _words_beyond(question: str, refs: References, *asking: re.Pattern[str]) -> list[str]:
    """The question's words once the names it gives, these asking phrases and the words that
    only ask (_ASKING) are taken out: what it asks about beyond them."""
    rest = question
    for name in refs.names:
        rest = rest.replace(name, " ")
    for pattern in asking:
        rest = pattern.sub(" ", rest)
    rest = re.sub(r"[《》]", " ", _ASKING.sub(" ", rest))
    return [t for t in tokenize(rest) if not t.startswith("§")]


def own_subject(question: str, refs: References) -> bool:
    """Whether a question names something of its own (a document, an article or content words)."""
    if refs.documents or refs.missing:
        return True
    return bool(_words_beyond(question, refs))


def is_follow_up(
    question: str,
    refs: References,
    language: Language,
    idf: Callable[[str], float] | None = None,
) -> bool:
    """Whether a question continues the previous one rather than starting a topic.

    With `idf` (the library's), a question none of whose words is topical — each used by more
    than one passage in TOPICAL_SHARE, or everyday language — has no subject of its own either
    ("违反了罚多少？").
    """
    if refs.documents:
        return False  # it names its own document
    anaphora = _ANAPHORA_ZH if language == "zh" else _ANAPHORA_EN
    if anaphora.search(question.strip()):
        return True
    if language == "zh" and _PREDICATE_FIRST.match(question.strip()):
        return True
    if not own_subject(question, refs):
        return True
    if idf is None or language != "zh":
        return False
    words = [t for t in tokenize(_ASKING.sub(" ", question)) if not t.startswith("§")]
    topical = [t for t in words if idf(t) >= _TOPICAL_IDF and not is_everyday(t)]
    return bool(words) and not topical


def asks_generally(question: str, refs: References) -> bool:
    """Whether a question about a named article asks only what it says."""
    return not _words_beyond(question, refs, _ARTICLE_NAMED)


def asks_about_document(question: str, refs: References) -> bool:
    """Whether a question names a document and asks only what it is for or what it governs
    (网络安全法是为了什么制定的？ / 第4号令是管什么的？ / What is the Drug Law about?)."""
    if not refs.documents or refs.articles or not _ABOUT.search(question):
        return False
    return not _words_beyond(question, refs, _ABOUT)


def with_terms(query: str, language: Language) -> str:
    """The query with the law's own words for its terms: the glossary's other Chinese forms
    (研发费用 also finds 研究开发费用) and, for English words, their Chinese terms."""
    synonyms = [
        form
        for m in find_chinese(query)
        if m.entry.kind not in _PLACES  # 广州市 for 广州 finds nothing new, and scores as found
        for form in m.entry.zh
        if form != m.form and form not in query
    ]
    if language == "zh" and _LATIN.search(query):
        # English terms inside a Chinese question ("Hengli Biomedical Industrial Park有多大？",
        # "white list或者green channel"): the library writes them in Chinese.
        synonyms += [
            m.entry.preferred_zh
            for m in find_english(query)
            if m.entry.kind not in _PLACES and m.entry.preferred_zh not in query
        ]
    if language == "en":
        # The glossary's terms are known concepts: search them in Chinese too, and let the
        # refusal gate judge the Chinese terms rather than their English words.
        synonyms += [m.entry.preferred_zh for m in find_english(query)]
    terms = list(dict.fromkeys(synonyms))
    return f"{query} {' '.join(terms)}" if terms else query


def read(
    question: str,
    *,
    context: str | None,
    names: DocumentNames,
    idf: Callable[[str], float] | None = None,
) -> ReadQuestion:
    """Read a question within its conversation (`context`: the previous question)."""
    language = detect_language(question)
    simplified = (
        to_simplified(question)
        if language == "zh" or re.search(r"[\u4e00-\u9fff]", question)
        else question
    )
    traditional = simplified != question and is_traditional(question)
    refs = names.find(simplified)
    follow_up = bool(context) and is_follow_up(simplified, refs, language, idf)
    query = simplified
    if follow_up and context:
        query = f"{context} {simplified}"
        previous = names.find(context)
        if not refs.documents and previous.documents:
            refs = replace(refs, documents=previous.documents)
    gate_names = simplified
    concepts: tuple[tuple[str, ...], ...] = ()
    if language == "en":
        # Places stay for the names check (retrieval.keyword.unknown_names): Shanghai is known
        # as 上海, "our Swiss parent" says who asks, "in Japan" asks about another law.
        own = [m for m in find_english(simplified) if m.entry.kind not in _PLACES]
        for match in sorted(own, key=lambda m: -m.start):
            gate_names = gate_names[: match.start] + " " + gate_names[match.end :]
        gate_names = _CHINA.sub(" ", gate_names)  # every text of the library is Chinese law
        # Over Chinese texts, English words prove nothing by being absent: only the glossary's
        # concepts are judged for unknown words (in any of their forms), the rest for names.
        concepts = tuple(dict.fromkeys(m.entry.zh + m.entry.en for m in own))
    named_places = [
        *find_chinese(simplified),
        *(find_english(simplified) if language == "en" else []),
    ]
    places = tuple(
        dict.fromkeys(form for m in named_places if m.entry.kind == "place" for form in m.entry.zh)
    )
    return ReadQuestion(
        text=question,
        simplified=simplified,
        language=language,
        traditional=traditional,
        refs=refs,
        follow_up=follow_up,
        query=query,
        keyword_query=with_terms(query, language),
        own_keyword_query=with_terms(simplified, language) if follow_up else None,
        general=asks_generally(simplified, refs),
        gate_names=gate_names,
        concepts=concepts,
        places=places,
        about=asks_about_document(simplified, refs),
    )
