"""Keyword search with jieba tokenisation: strong on exact identifiers (文号, names).

The tokens are made here; the index and its statistics live in the database (retrieval.fulltext).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

import jieba
import jieba.posseg as pseg
from sqlalchemy.orm import Session, sessionmaker

from knowledge.glossary import find_chinese, find_english
from knowledge.text import normalize
from retrieval import fulltext

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
# Places, organisations, other proper nouns. Not "nr" (people): jieba gives it to ordinary
# words (易燃), and a person's name is never what makes a regulatory question unanswerable.
_NAME_TAGS = frozenset({"ns", "nrt", "nt", "nz"})
# Who asks, not what is asked about: "our Swiss parent", "a US-based sponsor", 美国母公司.
_PARTY = re.compile(
    r"(?:-(?:based|owned|invested|funded|listed))?\s*(?:parent|compan(?:y|ies)|"
    r"subsidiar(?:y|ies)|affiliates?|investors?|partners?|shareholders?|sponsors?|"
    r"suppliers?|clients?|customers?|employees?|staff|nationals?|citizens?|firms?|group|"
    r"headquarters|head office|colleagues?)\b"
    r"|(?:母公司|子公司|总公司|分公司|公司|企业|集团|投资者|投资方|外资|股东|合作方|合作伙伴|"
    r"总部|客户|供应商|员工|籍)",
    re.IGNORECASE,
)
# A count, not a topic: 十个月, 好几家, 三年, 几天.
_QUANTITY = re.compile(
    r"[一二三四五六七八九十百千万两几数好半多每\d]+[个年月日天周次家批件名种项条位份台只瓶盒]*"
)
# The company asking, just before a term: what it does, not what it asks (我们做细胞治疗, our CRO).
_ASKER = re.compile(
    r"(?:我们|我司|本公司|咱们)[\u4e00-\u9fff]{0,3}$|\b(?:our|we(?:\s+\w+)?)\s+$", re.IGNORECASE
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
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
    than
    多长时间 多长 长时间 多大 多远 多高 多少钱 多少天 几天 几次 几种 怎样 怎么样 怎么办
    为什么 为何 哪里 哪儿 何时""".split()
)


# A Chinese word at least this frequent in jieba's dictionary (of ~60 million) is everyday
# language, not a topic: 还是 9,922, 吃饭 3,082, 客户 3,798; a question's topical words are
# rarer (报备 3, 婚检 63, 干细胞 121). Names (日本 25,307) are checked separately.
_EVERYDAY = 1000


def is_everyday(token: str) -> bool:
    """Whether a token is an everyday Chinese word (see _EVERYDAY)."""
    if not ("\u4e00" <= token[:1] <= "\u9fff"):
        return False
    return _dictionary_frequency(token) >= _EVERYDAY


def _dictionary_frequency(word: str) -> int:
    """How often jieba's general dictionary has seen a word (0 for a word it does not hold)."""
    with _JIEBA_LOCK:
        jieba.dt.check_initialized()  # its word frequencies are read on first use
        return int(jieba.dt.FREQ.get(word) or 0)


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


class KeywordIndex:
    """Keyword search and word statistics of the library, asked of the database engine.

    Nothing per passage is held here (retrieval.fulltext keeps it in SQLite FTS5 or PostgreSQL);
    the counts of the words questions use, and the results of the last searches, are
    remembered, up to a bound, for one index generation (an instance serves one snapshot).
    """

    CACHE = 50_000  # words whose passage counts are remembered
    # Searches remembered: an English question over Chinese texts is searched again with
    # another vector but the same words, at once (retrieval.assistant). A search's hits carry
    # their passages' tokens (~0.4 MB for 60 hits): a few are kept, not a history.
    SEARCHES = 8

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._df: dict[str, int] = {}
        self._mentioned: dict[str, bool] = {}
        self._searches: OrderedDict[tuple[object, ...], list[fulltext.TokenHit]] = OrderedDict()
        self._lock = threading.Lock()
        with sessions() as session:
            self.totals = fulltext.totals(session)
        self._unseen_idf = math.log(1 + self.totals.passages)

    @property
    def size(self) -> int:
        """How many passages the index holds."""
        return self.totals.passages

    def frequencies(self, tokens: Iterable[str]) -> dict[str, int]:
        """How many passages use each token (0 for none), remembered for the next question."""
        wanted = set(tokens)
        with self._lock:
            missing = [t for t in wanted if t not in self._df]
        if missing:
            with self._sessions() as session:
                found = fulltext.frequencies(session, missing)
            with self._lock:
                if len(self._df) + len(missing) > self.CACHE:
                    self._df.clear()
                self._df.update({t: found.get(t, 0) for t in missing})
        with self._lock:
            return {t: self._df.get(t, 0) for t in wanted}

    def idf(self, token: str) -> float:
        """How rare a token is in the knowledge base (unseen tokens weigh most)."""
        frequency = self.frequencies([token])[token]
        return math.log(1 + self.totals.passages / frequency) if frequency else self._unseen_idf

    def coverage(self, query: str, passages: Sequence[frozenset[str]]) -> float:
        """IDF-weighted share of the query's words found in passages (given by their tokens).

        Words the knowledge base never uses weigh most: a question about something the
        documents do not mention scores low even when its topic sounds familiar.
        """
        tokens = {t for t in tokenize(query) if not t.startswith("§")}
        if not tokens:
            return 0.0
        found: set[str] = set().union(*passages)
        self.frequencies(tokens)
        weights = {t: self.idf(t) for t in tokens}
        return sum(w for t, w in weights.items() if t in found) / sum(weights.values())

    def unknown_share(self, query: str, *, strict: bool = False) -> float:
        """Share of the query's topical words that no passage of the knowledge base uses.

        An everyday Chinese word (还是, 吃饭, 客户: frequent in jieba's general dictionary) the
        documents do not use says nothing about the topic and does not count as unknown: a
        company asks in its own words, the law is written in others. Names are judged by
        `unknown_names`. A word the glossary knows by a form the library uses (药检所 for
        药品检验所) is known. `strict` counts everyday nouns and time words too: a follow-up's
        relevance is borrowed from its context, so what it names must be known ("明天南沙天气
        怎么样？"), while an everyday verb may still be the company's own word (违反了罚多少？).
        """
        tokens = _topical({t for t in tokenize(query) if not t.startswith("§")})
        if not tokens:
            return 0.0
        nouns: set[str] = set()
        if strict:
            with _JIEBA_LOCK:
                nouns = {p.word for p in pseg.lcut(query) if p.flag[:1] in ("n", "t")}
        known = self.frequencies(tokens)
        unknown = [
            t
            for t in tokens
            if not known[t]
            and not (is_everyday(t) and t not in nouns)
            # The glossary knows it by a form the library uses (药检所: 药品检验所).
            and not self._known_as(t)
        ]
        return len(unknown) / len(tokens)

    def mentions(self, text: str) -> bool:
        """Whether one passage uses every word of this text (a name, a term)."""
        with self._lock:
            known = self._mentioned.get(text)
        if known is not None:
            return known
        tokens = [t for t in tokenize(text) if not t.startswith("§")]
        found = bool(tokens) and all(self.frequencies(tokens).values())
        if found:
            with self._sessions() as session:
                found = fulltext.any_passage_has_all(session, tokens)
        with self._lock:
            if len(self._mentioned) > self.CACHE:
                self._mentioned.clear()
            self._mentioned[text] = found
        return found

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
        return [
            n
            for n in names
            if not _is_term(n)
            and not _is_place(n)
            and not _names_party(query, n)
            and not self.mentions(n)
            and not self._known_as(n)
        ]

    def unknown_terms(self, query: str) -> list[str]:
        """Regulatory terms of the glossary the query names that no passage mentions in any
        of their forms: what it asks about may be something the library has nothing on.

        Only terminology counts, a term jieba's general dictionary does not know as a word
        (干细胞临床研究, CAR-T cell therapy as 嵌合抗原受体T细胞), not a common word the glossary
        also lists (服务器, 没收: a company writes them in passing, and jieba finds 没收 in
        没收到). Nor a term that says what the company asking does (我们做细胞治疗, our CRO):
        that is who asks, not what is asked.
        """
        found: list[str] = []
        for match in [*find_chinese(query), *find_english(query)]:
            entry = match.entry
            if entry.kind != "term" or _ASKER.search(query[: match.start]):
                continue
            chinese = match.form if _HAN.match(match.form) else entry.preferred_zh
            if _dictionary_frequency(chinese):
                continue
            if not any(self.mentions(form) for form in (*entry.zh, *entry.en, *entry.everyday)):
                found.append(match.form)
        return list(dict.fromkeys(found))

    def _known_as(self, name: str) -> bool:
        """Whether the glossary knows a name by a form the documents use (PCT: 专利合作条约)."""
        matches = find_english(name) or find_chinese(name)
        return any(
            self.mentions(form)
            for m in matches
            if m.text == name
            for form in (*m.entry.zh, *m.entry.en)
        )

    def search(
        self, query: str, k: int, *, documents: Sequence[str] | None = None
    ) -> list[fulltext.TokenHit]:
        """The k best-scoring passages for a query (only those with a positive score).

        `documents` limits the search to these documents' passages (a question naming one).
        """
        tokens = tokenize(query)
        if not tokens or not self.totals.passages:
            return []
        key = (tuple(tokens), k, tuple(documents) if documents is not None else None)
        with self._lock:
            if key in self._searches:
                self._searches.move_to_end(key)
                return list(self._searches[key])
        df = self.frequencies(tokens)
        with self._sessions() as session:
            hits = fulltext.search(
                session, tokens, k, stats=self.totals, df=df, documents=documents
            )
        with self._lock:
            self._searches[key] = hits
            while len(self._searches) > self.SEARCHES:
                self._searches.popitem(last=False)
        return list(hits)


def _topical(tokens: set[str]) -> set[str]:
    """The tokens whose absence from the library says something about the topic.

    Not counts (十个月), nor places of the mainland, where national law applies. A word jieba
    made up from characters it could not place (时离 in 到港时离过期) is judged by the
    dictionary words inside it (none here): it is an accident of segmentation, not a term.
    """
    judged: set[str] = set()
    for token in tokens:
        if _QUANTITY.fullmatch(token) or _is_place(token):
            continue
        if "\u4e00" <= token[:1] <= "\u9fff" and len(token) > 1:
            with _JIEBA_LOCK:
                made_up = not jieba.dt.FREQ.get(token)  # a prefix of a word is there as 0
                pieces = jieba.lcut(token, HMM=False) if made_up else []
            if made_up:
                judged.update(p for p in pieces if len(p) > 1 and not _QUANTITY.fullmatch(p))
                continue
        judged.add(token)
    return judged


def _is_place(name: str) -> bool:
    """Whether a name is a place of the Chinese mainland the glossary knows (上海, Pudong)."""
    matches = find_english(name) or find_chinese(name)
    return any(m.text == name and m.entry.kind == "place" for m in matches)


def _names_party(query: str, name: str) -> bool:
    """Whether every mention of a name says who asks ("our Swiss parent", 美国母公司)."""
    ends = [m.end() for m in re.finditer(re.escape(name), query)]
    return bool(ends) and all(_PARTY.match(query, end) for end in ends)


def _is_term(name: str) -> bool:
    """Whether the glossary knows an acronym as regulatory vocabulary, not a name.

    "CRO" (contract research organization) is a kind of company, not an agency or a product
    the documents would have to mention; whether a question about it is answered is left to
    the other gates. (Matched whole words only: "micro" is not a mention of CRO.)
    """
    if not name.isupper():  # a capitalised word may be part of a name (European Medicines Agency)
        return False
    return any(m.text == name and m.entry.kind == "term" for m in find_english(name))
