"""Extractive answers: the sentences of the best passages that answer the question, each cited.

Nothing is written that is not a sentence of a source: every sentence of an answer is quoted
verbatim from a passage and carries the marker [n] of its citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.documents import DocumentMeta
from knowledge.text import Language
from retrieval.index import KnowledgeIndex

STATUS_LABELS = {
    "zh": {
        "draft": "征求意见稿",
        "superseded": "已被取代",
        "announced": "已公布、尚未施行",
        "proposed": "中心拟议、尚未公布",
        "expired": "已到期",
    },
    "en": {
        "draft": "draft for comment",
        "superseded": "superseded",
        "announced": "announced, not yet in force",
        "proposed": "proposed by the center, not yet published",
        "expired": "expired",
    },
}


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
    # How long something takes: a number of days, or the honest "no time limit published yet".
    "duration": re.compile(
        r"多久|多长时间|几天|多少天|时限|周期|how long|turnaround|how many (?:working )?days",
        re.IGNORECASE,
    ),
    "who": re.compile(
        r"谁|哪家|哪个机构|哪个部门|哪些机构|由谁|哪个单位|\bwho\b|\bwhom\b"
        r"|which (?:company|authority|agency|body|department|organi[sz]ation|ministry)",
        re.IGNORECASE,
    ),
    "penalty": re.compile(
        r"罚|处罚|处分|法律责任|后果|\bpenalt|\bfines?\b|\bfined\b|\bsanction|\bpunish",
        re.IGNORECASE,
    ),
}
# Numbers as laws write them: 六十个工作日, 不少于六个月, 一万元以上, 百分之五十.
_CN = "零〇一二三四五六七八九十百千万两"
# A fee or price, as opposed to a fine: "收费", "多少钱", "fee", "cost".
_FEE_ASKED = re.compile(
    r"多少钱|收费|收多少|交多少|缴多少|付多少|价格|价钱|售价|定价|(?:费|费用)(?:是|要|为|大概|一般)?(?:多少|几)"
    r"|\b(?:fees?|pric(?:e|es|ing)|charged?)\b|\bcost of\b"
    r"|\b(?:how much|what) (?:does|do|will|would|did)\b[^?？]*\bcost\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"\d[\d,.]*\s*(?:万|亿)?元|[零一二三四五六七八九十百千万两]+元|(?:RMB|USD|HKD)\s*[\d,.]+"
    r"|\b\d[\d,.]*\s*(?:yuan|RMB)\b",
    re.IGNORECASE,
)
_PENALTY = re.compile(r"罚|没收|\bfines?\b|\bfined\b|penalt", re.IGNORECASE)
_UNPUBLISHED = re.compile(
    r"免费|免收|不收费|不得[^。；]{0,12}收(?:取|费)|不收取|free of charge|\bno fees?\b"
    r"|may not (?:be )?charge|must not charge|without charge"
    r"|未找到公开|没有公开|尚未公布|未公布|未公开|待定|另行公布|not (?:yet )?(?:been )?published"
    r"|no published|to be confirmed|not (?:yet )?announced",
    re.IGNORECASE,
)


def asks_fee(question: str) -> bool:
    """Whether a question asks what something costs (a fee or a price, not a fine)."""
    return bool(_FEE_ASKED.search(question)) and not _PENALTY.search(question)


def states_fee(text: str) -> bool:
    """Whether a quote gives a price or fee, or says that none has been published."""
    if _UNPUBLISHED.search(text):
        return True
    amounts = [m for m in _AMOUNT.finditer(text)]
    return bool(amounts) and not (_PENALTY.search(text) and not _FEE_ASKED.search(text))


_HOLDS = {
    "date": re.compile(
        rf"\d{{4}}年|\b\d{{1,2}} (?:{_MONTHS}) \d{{4}}|\b(?:{_MONTHS}) \d{{4}}|\b(?:19|20)\d{{2}}\b"
        r"|[〇零一二三四五六七八九]{4}年|[一二三四五六七八九十]+日(?:起|内|前)"
    ),
    "penalty": re.compile(r"罚款|罚金|吊销|没收|责令|处分|拘留|\bfines?\b|\bpenalt", re.IGNORECASE),
    "amount": re.compile(
        r"\d[\d,.]*\s*(?:%|万|亿|元|平方米|平方公里|km²|m²|个|家|项|条|天|日|年|个工作日|倍|人|次"
        r"|working days|days|years|million|billion|products|companies|articles|items)"
        r"|RMB\s*\d|USD\s*\d|\d+\s*(?:chapters|categories)"
        rf"|[{_CN}]+(?:个工作日|个月|日|天|年|元|万元|倍|人|次|毫升)|百分之[{_CN}]+",
        re.IGNORECASE,
    ),
    "duration": re.compile(
        r"(?:时限|时间|周期|期限|turnaround|reply time|time limit|\btime\b)[^。；.;]{0,24}"
        r"(?:尚未公布|未公布|待定|待确认|not (?:yet )?(?:been )?published|to be confirmed)"
        r"|(?:no|not) (?:turnaround|reply time|time limit|time)[^.;]{0,24}published",
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


def asked_types(question: str) -> set[str]:
    """What kind of fact a question asks for: a date, an amount, an organisation, a fee."""
    asked = {kind for kind, pattern in _ASKS.items() if pattern.search(question)}
    return asked | {"fee"} if asks_fee(question) else asked


def answer_type_match(asked: set[str], sentence: str) -> float:
    """1.0 when the sentence holds a fact of a kind the question asks for."""
    if "fee" in asked and states_fee(sentence):
        return 1.0
    return 1.0 if any(_HOLDS[kind].search(sentence) for kind in asked - {"fee"}) else 0.0


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
    # Where in a legal text: the article as written ("第十九条"), its paragraph (款) and item
    # (项), and the locator an answer names ("第十九条第一款"). None outside articles.
    article: str | None = None
    paragraph: int | None = None
    item: int | None = None
    locator: str | None = None
    # What the answer shows when it is not the whole quote: the chosen units of the passage in
    # reading order, verbatim, joined by "……" where text between them is left out (an item
    # after its paragraph's opening line "…不得含有下列内容："). None: the answer shows `quote`.
    excerpt: str | None = None


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
