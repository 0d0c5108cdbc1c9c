"""BM25 keyword search with jieba tokenisation, strong on exact identifiers (文号, articles, names)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import jieba
import numpy as np

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
_TOKEN = re.compile(r"[a-z0-9]+(?:[.%][a-z0-9]+)*%?|[\u4e00-\u9fff]+")
_STOPWORDS = frozenset(
    """a an and are as at be by can could do does for from has have how i in is it its
    of on or our the their there this to was we what when where which who why will with
    you your about after before may must should 的 了 是 吗 呢 在 和 与 及 或 有 要 什么 多少
    哪些 哪个 怎么 如何 是否 请问 我们 我 公司 一下""".split()
)


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
            tokens.append(piece)
    return tokens


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
        if texts:
            self._bm25.index([sorted(tokens) or ["∅"] for tokens in self.token_sets],
                             show_progress=False)

    def search(self, query: str, k: int) -> list[KeywordHit]:
        """The k best-scoring chunks for a query (only those with a positive score)."""
        tokens = tokenize(query)
        if not tokens or not self._size:
            return []
        scores = np.asarray(self._bm25.get_scores(tokens))
        top = np.argsort(-scores)[:k]
        return [KeywordHit(int(i), float(scores[i])) for i in top if scores[i] > 0]
