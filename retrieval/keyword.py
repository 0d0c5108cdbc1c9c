"""BM25 keyword search with jieba tokenisation: strong on exact identifiers (文号, names)."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import jieba
import jieba.posseg as pseg
import numpy as np

from knowledge.glossary import find_chinese, find_english
from knowledge.text import normalize

jieba.setLogLevel(logging.WARNING)
_JIEBA_LOCK = threading.Lock()

# Exact identifiers that must stay one token, whatever jieba makes of them.
IDENTIFIER = re.compile(
    r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号"  # 财税〔2022〕40号
    r"|国药准字[A-Z]?\d{6,8}|\b[A-Z]\d{8}\b"  # 国药准字S20210019
    r"|第[一二三四五六七八九十百零〇\d]+条"  # 第十九条
    r"|(?:国务院令|令)第?\d+号"  # 国务院令第818号
    r"|\b(?:decree|order|announcement|notice)\s+(?:no\.\s*)?\d+\b"  # Decree 818
    r"|\b(?:art(?:icle)?\.?)\s*\d+\b"  # Art. 22
    r"|\b[A-Z]{2,}[-\d][A-Z\d-]*\b",  # BBM-H901, CNCT19
    re.IGNORECASE,
)
# A capitalised word inside a sentence (not its first word): likely a name.
_CAPITALISED = re.compile(r"(?<=[a-z,;:]\s)[A-Z][a-z]{2,}\b")
# An acronym (FDA, EMA, PMDA): an agency or product the documents may never mention.
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z]{3,6}(?![A-Za-z])")
_NAME_TAGS = frozenset({"ns", "nr", "nrt", "nt", "nz"})
# jieba sometimes tags a question phrase ("哪些项目") as a name: those are not names.
_QUESTION_WORD = re.compile(r"[哪几谁]|什么|多少|怎么|如何")
_TOKEN = re.compile(r"[a-z0-9]+(?:[.%][a-z0-9]+)*%?|[\u4e00-\u9fff]+")
_STOPWORDS = frozenset(
    """a an and are as at be by can could do does for from has have how i in is it its
    of on or our the their there this to was we what when where which who why will with
    you your about after before may must should 的 了 是 吗 呢 在 和 与 及 或 有 要 什么 多少
    哪些 哪个 怎么 如何 是否 请问 我们 我 公司 一下 时候 什么时候 哪 哪天 哪份 哪类 哪款 哪家 多久
    几年 几类 几 想 帮 帮忙 你们 你 一共 给 最多 最多能 大概 有没有 打算 所说 是从 以后 一直 能 吗
    did get gets want wants please me my like far else tell any so if also then there
    than""".split()
)


# A Chinese word at least this frequent in jieba's dictionary (of ~60 million) is everyday
# language, not a topic: 还是 9,922, 吃饭 3,082, 客户 3,798; a question's topical words are
# rarer (报备 3, 婚检 63, 干细胞 121). Names (日本 25,307) are checked separately.
_EVERYDAY = 1000


def is_everyday(token: str) -> bool:
    """Whether a token is an everyday Chinese word (see _EVERYDAY)."""
    if not ("\u4e00" <= token[:1] <= "\u9fff"):
        return False
    with _JIEBA_LOCK:
        return jieba.dt.FREQ.get(token, 0) >= _EVERYDAY


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: identifiers whole, Chinese by jieba (search mode), English words."""
    text = normalize(text)
    tokens = [_identifier_token(m) for m in IDENTIFIER.findall(text)]
    lowered = text.lower()
    for match in _TOKEN.finditer(lowered):
        piece = match.group()
        if re.match(r"[\u4e00-\u9fff]", piece):
            with _JIEBA_LOCK:  # jieba's lazy initialisation is not thread-safe
                words = jieba.lcut_for_search(piece)
            tokens.extend(w for w in words if w not in _STOPWORDS)
        elif piece not in _STOPWORDS:
            tokens.append(stem(piece))
    return tokens


_SUFFIXES = (
    "ations",
    "ation",
    "ities",
    "ity",
    "ings",
    "ing",
    "ives",
    "ive",
    "ies",
    "ed",
    "es",
    "s",
)


def stem(word: str) -> str:
    """Strip a common English suffix, so that effect/effective and approve/approved meet."""
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            root = word[: -len(suffix)]
            return root + "y" if suffix == "ies" else root.rstrip("e")
    return word.rstrip("e") if word.endswith("e") else word


def identifiers(text: str) -> list[str]:
    """The exact identifiers a text names, normalised."""
    return [_identifier_token(m) for m in IDENTIFIER.findall(normalize(text))]


def _identifier_token(match: str) -> str:
    return "§" + re.sub(r"\s+|no\.", "", match.lower())


@dataclass(frozen=True)
class KeywordHit:
    """A chunk's position in the index and its BM25 score."""

    index: int
    score: float


class KeywordIndex:
    """An in-memory BM25 index over chunk texts (rebuilt whenever the knowledge base changes)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._bm25 = bm25s.BM25()
        self._size = len(texts)
        self.token_sets = [frozenset(tokenize(t)) for t in texts]
        self._corpus = "\n".join(normalize(t).lower() for t in texts)
        frequency: dict[str, int] = {}
        for tokens in self.token_sets:
            for token in tokens:
                frequency[token] = frequency.get(token, 0) + 1
        self._idf = {t: math.log(1 + self._size / f) for t, f in frequency.items()}
        self._unseen_idf = math.log(1 + self._size)
        if texts:
            self._bm25.index(
                [sorted(tokens) or ["∅"] for tokens in self.token_sets], show_progress=False
            )

    def coverage(self, query: str, positions: Sequence[int]) -> float:
        """IDF-weighted share of the query's words found in the given passages (0 to 1).

        Words the knowledge base never uses weigh most: a question about something the
        documents do not mention scores low even when its topic sounds familiar.
        """
        tokens = {t for t in tokenize(query) if not t.startswith("§")}
        if not tokens:
            return 0.0
        found: set[str] = (
            set().union(*(self.token_sets[i] for i in positions)) if positions else set()
        )
        weights = {t: self._idf.get(t, self._unseen_idf) for t in tokens}
        return sum(w for t, w in weights.items() if t in found) / sum(weights.values())

    def unknown_share(self, query: str, *, strict: bool = False) -> float:
        """Share of the query's topical words that no passage of the knowledge base uses.

        An everyday Chinese word (还是, 吃饭, 客户: frequent in jieba's general dictionary) the
        documents do not use says nothing about the topic and does not count as unknown: a
        company asks in its own words, the law is written in others. Names are judged by
        `unknown_names`. `strict` counts everyday nouns and time words too: a follow-up's
        relevance is borrowed from its context, so what it names must be known ("明天南沙天气
        怎么样？"), while an everyday verb may still be the company's own word (违反了罚多少？).
        """
        tokens = {t for t in tokenize(query) if not t.startswith("§")}
        if not tokens:
            return 0.0
        nouns: set[str] = set()
        if strict:
            with _JIEBA_LOCK:
                nouns = {p.word for p in pseg.lcut(query) if p.flag[:1] in ("n", "t")}
        return sum(
            t not in self._idf and not (is_everyday(t) and t not in nouns) for t in tokens
        ) / len(tokens)

    def mentions(self, text: str) -> bool:
        """Whether any passage contains this text (case-insensitive)."""
        return normalize(text).lower() in self._corpus

    def idf(self, token: str) -> float:
        """How rare a token is in the knowledge base (unseen tokens weigh most)."""
        return self._idf.get(token, self._unseen_idf)

    def unknown_names(self, query: str) -> list[str]:
        """Names (places, people, organisations, products) in the query that no passage uses.

        A question about Japan's law or the EMA's decision names something the center's
        documents never mention: however familiar the rest sounds, they cannot answer it.
        """
        names = [m.group() for m in _CAPITALISED.finditer(query)]
        names += _ACRONYM.findall(query)
        chinese = "".join(re.findall(r"[\u4e00-\u9fff]+|\s", query))
        if chinese.strip():
            with _JIEBA_LOCK:
                pairs = pseg.lcut(chinese)
            names += [
                p.word
                for p in pairs
                if p.flag in _NAME_TAGS and len(p.word) > 1 and not _QUESTION_WORD.search(p.word)
            ]
        return [n for n in names if n.lower() not in self._corpus and not self._known_as(n)]

    def _known_as(self, name: str) -> bool:
        """Whether the glossary knows a name by a form the documents use (PCT: 专利合作条约)."""
        matches = find_english(name) or find_chinese(name)
        return any(
            normalize(form).lower() in self._corpus
            for m in matches
            if m.text == name
            for form in (*m.entry.zh, *m.entry.en)
        )

    def search(self, query: str, k: int, among: Sequence[int] | None = None) -> list[KeywordHit]:
        """The k best-scoring chunks for a query (only those with a positive score).

        `among` limits the search to these chunk positions (a question naming a document).
        """
        tokens = tokenize(query)
        if not tokens or not self._size:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens))
        if among is not None:
            allowed = np.full(scores.shape, -np.inf)
            allowed[list(among)] = 0.0
            scores = scores + allowed
        top = np.argsort(-scores)[:k]
        return [KeywordHit(int(i), float(scores[i])) for i in top if scores[i] > 0]
