"""Check a staff reply's figures against the knowledge base before it is sent.

Every sentence that states a date, an amount, a rate, a deadline or an authority is looked up
in the knowledge base; a figure that none of the passages found for its sentence states is
unsupported, and the sentence is flagged for staff to look at again. The check never changes
the reply: it only says which sentences quote something no source gives.

Figures are compared by value, not by wording, so "15%" is supported by "百分之十五",
"24 October 2022" by "2022年10月24日", "二十个工作日" by "20 working days" and "NMPA" by
"国家药品监督管理局" (the glossary's authorities, knowledge/glossary/authorities.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge.glossary import Entry, find_chinese, find_english
from knowledge.numerals import NUMERAL_CHARS, parse_number
from knowledge.text import split_sentences
from retrieval.assistant import Assistant

Kind = Literal["date", "amount", "rate", "deadline", "authority"]
KINDS: tuple[Kind, ...] = ("date", "amount", "rate", "deadline", "authority")


@dataclass(frozen=True)
class Figure:
    """One checkable fact in a sentence: its kind, the words as written and a comparable key."""

    kind: Kind
    text: str
    key: str


@dataclass(frozen=True)
class Source:
    """A passage the check compared a sentence with."""

    passage_id: str
    document_id: str
    text: str


@dataclass(frozen=True)
class SentenceCheck:
    """A sentence of the reply that states figures, and which of them no passage supports."""

    sentence: str
    start: int  # offset of the sentence in the reply
    figures: tuple[Figure, ...]
    unsupported: tuple[Figure, ...]
    sources: tuple[Source, ...]  # the passages that state at least one of its figures

    @property
    def supported(self) -> bool:
        """Whether every figure of the sentence is stated by a passage found for it."""
        return not self.unsupported


Finder = Callable[[str], Sequence[Source]]
_SOURCE_LINE = re.compile(r"^\[\d+\]\s")

# --- reading figures ------------------------------------------------------------------------

_CN = f"[{NUMERAL_CHARS}两〇○]+"
_NUM = rf"(?:\d[\d,]*(?:\.\d+)?|{_CN})"
_MONTHS = {
    m: i
    for i, name in enumerate(
        "january february march april may june july august september october november"
        " december".split(),
        1,
    )
    for m in (name, name[:3])
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ZH_DATE = re.compile(
    rf"(?P<y>\d{{4}}|[{NUMERAL_CHARS}〇○]{{4}})\s*年\s*(?:(?P<m>\d{{1,2}}|{_CN})\s*月"
    rf"(?:\s*(?P<d>\d{{1,2}}|{_CN})\s*[日号])?)?"
)
_ISO_DATE = re.compile(r"\b(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?\b")
_EN_DATE_DMY = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s+(?P<y>\d{{4}})\b", re.IGNORECASE
)
_EN_DATE_MDY = re.compile(
    rf"\b{_MONTH}\s+(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s+)?(?P<y>\d{{4}})\b", re.IGNORECASE
)
_RATE = re.compile(
    rf"(?P<n>\d+(?:\.\d+)?)\s*(?:%|％|per\s*cent\b|percent\b)|百分之(?P<cn>{_NUM})", re.IGNORECASE
)
_AMOUNT = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<scale>万|亿|千万|百万|million|billion|thousand)?\s*"
    r"(?:元|块|人民币|yuan\b|RMB\b|CNY\b)"
    rf"|(?:RMB|CNY|¥|￥)\s*(?P<n2>\d[\d,]*(?:\.\d+)?)\s*(?P<scale2>million|billion|thousand|万|亿)?",
    re.IGNORECASE,
)
_ZH_UNITS = {
    "工作日": "workday",
    "个工作日": "workday",
    "日": "day",
    "天": "day",
    "个月": "month",
    "月": "month",
    "年": "year",
    "周": "week",
    "个星期": "week",
    "小时": "hour",
}
_ZH_DEADLINE = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<unit>个工作日|工作日|个月|个星期|小时|日|天|周|年)"
)
_EN_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty sixty"
    " ninety"
).split()
_EN_DEADLINE = re.compile(
    rf"\b(?P<n>\d+|{'|'.join(_EN_NUMBER_WORDS)})[\s-]+"
    r"(?P<kind>working[\s-]|business[\s-]|calendar[\s-]|natural[\s-])?"
    r"(?P<unit>days?|months?|years?|weeks?|hours?)\b",
    re.IGNORECASE,
)
_EN_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_EN_WORDS.update(fifteen=15, twenty=20, thirty=30, sixty=60, ninety=90)
_SCALES = {
    "万": 10_000,
    "亿": 100_000_000,
    "千万": 10_000_000,
    "百万": 1_000_000,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
}


def _number(text: str) -> float | None:
    """An Arabic ("1,000.5") or Chinese ("一万", "二〇二二") numeral's value."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text.lower() in _EN_WORDS:
        return float(_EN_WORDS[text.lower()])
    value = parse_number(text.replace("两", "二").replace("○", "〇"))
    return float(value) if value is not None else None


def _fmt(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _date_key(y: str | None, m: str | None, d: str | None) -> str | None:
    year = _number(y or "")
    if year is None or not 1900 <= year <= 2100:
        return None
    key = f"{int(year):04d}"
    name = (m or "").lower().rstrip(".")
    month = _MONTHS.get(name) if name.isascii() and name.isalpha() else _number(name)
    if month is None:
        return key
    if not 1 <= month <= 12:
        return None
    key += f"-{int(month):02d}"
    day = _number(d or "")
    if day is not None and 1 <= day <= 31:
        key += f"-{int(day):02d}"
    return key


def _dates(text: str) -> list[tuple[int, int, Figure]]:
    found = []
    for pattern in (_ZH_DATE, _ISO_DATE):
        for m in pattern.finditer(text):
            key = _date_key(m.group("y"), m.group("m"), m.group("d"))
            if key:
                found.append((m.start(), m.end(), Figure("date", m.group(), key)))
    for pattern in (_EN_DATE_DMY, _EN_DATE_MDY):
        for m in pattern.finditer(text):
            key = _date_key(m.group("y"), m.group("month"), m.group("d"))
            if key:
                found.append((m.start(), m.end(), Figure("date", m.group(), key)))
    return found


def _rates(text: str) -> list[tuple[int, int, Figure]]:
    found = []
    for m in _RATE.finditer(text):
        value = _number(m.group("n") or m.group("cn") or "")
        if value is not None:
            found.append((m.start(), m.end(), Figure("rate", m.group(), _fmt(value))))
    return found


def _amounts(text: str) -> list[tuple[int, int, Figure]]:
    found = []
    for m in _AMOUNT.finditer(text):
        raw = m.group("n") or m.group("n2") or ""
        scale = (m.group("scale") or m.group("scale2") or "").lower()
        value = _number(raw)
        if value is None:
            continue
        value *= _SCALES.get(scale, 1)
        found.append((m.start(), m.end(), Figure("amount", m.group().strip(), _fmt(value))))
    return found


def _deadlines(text: str) -> list[tuple[int, int, Figure]]:
    found = []
    for m in _ZH_DEADLINE.finditer(text):
        value = _number(m.group("n"))
        unit = _ZH_UNITS[m.group("unit")]
        if value is None or (unit == "year" and value >= 1000):  # 2022年 is a date, not a term
            continue
        found.append((m.start(), m.end(), Figure("deadline", m.group(), f"{_fmt(value)} {unit}")))
    for m in _EN_DEADLINE.finditer(text):
        value = _number(m.group("n"))
        if value is None:
            continue
        unit = m.group("unit").lower().rstrip("s")
        if (m.group("kind") or "").lower()[:4] in ("work", "busi"):
            unit = "workday"
        found.append((m.start(), m.end(), Figure("deadline", m.group(), f"{_fmt(value)} {unit}")))
    return found


# The glossary files places (南沙, 大湾区) among its authorities; a body's name ends like one.
_BODY = re.compile(
    r"(?:局|部|委|委员会|院|署|厅|中心|政府|管委会|机关|机构|海关|会|办|部门|人大|组织)$"
)


def _is_body(entry: Entry) -> bool:
    return entry.kind == "authority" and any(_BODY.search(form) for form in entry.zh)


def _authorities(text: str) -> list[tuple[int, int, Figure]]:
    matches = [*find_chinese(text), *find_english(text)]
    return [
        (m.start, m.end, Figure("authority", m.text, m.entry.preferred_zh))
        for m in matches
        if _is_body(m.entry)
    ]


def figures(text: str) -> list[Figure]:
    """The dates, amounts, rates, deadlines and authorities a text states, in reading order.

    Where two readings overlap (the 10 of "10月" is no deadline; "2022年10月" is one date),
    the longer one wins.
    """
    spans = [*_dates(text), *_amounts(text), *_rates(text), *_deadlines(text), *_authorities(text)]
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, Figure]] = []
    for start, end, figure in spans:
        if any(start < k_end and k_start < end for k_start, k_end, _ in kept):
            continue
        kept.append((start, end, figure))
    return [f for _, _, f in kept]


def _supported_keys(text: str) -> set[tuple[str, str]]:
    """What a passage states, with every shorter form of its dates (2022-10-24 → 2022-10, 2022)."""
    keys: set[tuple[str, str]] = set()
    for figure in figures(text):
        keys.add((figure.kind, figure.key))
        if figure.kind == "date":
            parts = figure.key.split("-")
            keys.update(("date", "-".join(parts[:i])) for i in range(1, len(parts)))
        if figure.kind == "deadline" and figure.key.endswith(" workday"):
            keys.add(("deadline", figure.key.replace("workday", "day")))
    return keys


# --- checking a reply -----------------------------------------------------------------------


def check_sentence(sentence: str, sources: Sequence[Source], *, start: int = 0) -> SentenceCheck:
    """Which of a sentence's figures none of the given passages states."""
    stated = figures(sentence)
    supporting: list[Source] = []
    covered: set[tuple[str, str]] = set()
    for source in sources:
        keys = _supported_keys(source.text)
        hits = {(f.kind, f.key) for f in stated} & keys
        if hits:
            supporting.append(source)
            covered |= hits
    unsupported = tuple(f for f in stated if (f.kind, f.key) not in covered)
    return SentenceCheck(sentence, start, tuple(stated), unsupported, tuple(supporting))


def check_reply(text: str, *, find: Finder) -> list[SentenceCheck]:
    """Check every sentence of a reply that states a figure; `find` gives passages for a sentence.

    Sentences without a date, amount, rate, deadline or authority are left out: there is
    nothing in them to verify.
    """
    checks = []
    cursor = 0
    for sentence in split_sentences(text):
        at = text.find(sentence, cursor)
        start = at if at >= 0 else cursor
        cursor = start + len(sentence) if at >= 0 else cursor
        if _SOURCE_LINE.match(sentence) or not figures(sentence):
            continue  # a draft's own source list ("[1] title url") quotes titles, not claims
        checks.append(check_sentence(sentence, find(sentence), start=start))
    return checks


def unsupported(checks: Sequence[SentenceCheck]) -> list[SentenceCheck]:
    """The sentences to flag: those with at least one figure no passage states."""
    return [c for c in checks if not c.supported]


def assistant_finder(assistant: Assistant, *, k: int = 8) -> Finder:
    """Passages for a sentence from the assistant's own search (the same index answers use)."""

    def find(sentence: str) -> list[Source]:
        index = assistant.index()
        hits = assistant.retrieve(sentence, method=assistant.config.method, k=k)
        found = index.passages(h.passage_id for h in hits)
        return [Source(p.id, p.document_id, p.text) for p in found.values()]

    return find
