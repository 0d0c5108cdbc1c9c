"""What a question names: documents (title, short name, alias, English name, number) and articles.

"《药品管理法》第一百一十八条规定了什么？" names one article of one document: it is answered from
that article, or told that the article does not exist, never with the nearest text. A question
naming a regulation the library does not hold is told so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge.documents import DocumentMeta
from knowledge.editions import edition_date
from knowledge.glossary import find_english
from knowledge.legal_locators import article_key
from knowledge.numerals import NUMERAL_CHARS, parse_number
from knowledge.text import normalize

_ARTICLE_ZH = re.compile(rf"第\s*([{NUMERAL_CHARS}\d]+)\s*条(?:\s*之\s*([{NUMERAL_CHARS}]+))?")
_ARTICLE_EN = re.compile(r"\b(?:articles?|arts?\.?)\s*(\d{1,4})(?:\s*-\s*(\d))?\b", re.IGNORECASE)
_BOOK_TITLE = re.compile(r"《([^《》]{2,60})》")
_PRC = "中华人民共和国"
# What Chinese titles of laws, regulations and rules end with (longest first).
TITLE_SUFFIXES = (
    "实施细则",
    "实施条例",
    "实施办法",
    "指导原则",
    "管理办法",
    "管理条例",
    "暂行办法",
    "暂行规定",
    "条例",
    "办法",
    "细则",
    "规定",
    "规则",
    "决定",
    "指南",
    "规范",
    "法",
)
# An English title: "the Regulations on the Safety of Agricultural GMOs", "the Vaccine Law".
_EN_TITLE = re.compile(
    r"\b((?:[A-Z][\w'’-]*\s+){0,6}(?:Law|Regulations?|Measures|Rules|Provisions|Ordinance)"
    r"(?:\s+(?:on|of|for|concerning)(?:\s+(?:the|of|and|on|for|[A-Z][\w'’-]*))+)?)"
)
_TITLE_WORDS = re.compile(
    r"(?i)laws?|regulations?|measures|rules|provisions|ordinance|administration|management"
)
# Good-practice rules (GCP, GMP, GSP: 质量管理规范) are regulations; a technical 规范 is not.
_LEGAL_TITLE = re.compile(r"(?:法|条例|办法|规定|细则|规则|决定|质量管理规范)$")
# What follows a law's name in the title of another text made under it (专利法实施细则).
_ANOTHER_TEXT = re.compile(
    r"\s*》?\s*(?:实施|条例|办法|细则|规定|规则|若干|解释|of\b|implementing)", re.I
)
# What may stand before a name inside a title that holds it: nothing, the country, a mark.
_OPENS_NAME = re.compile(r"(?:^|^中华人民共和国|[《“\"「（(\s])$")
# A year the question writes (2018年的国境卫生检疫法, the 2018 Law), not a document number's
# (国发〔2022〕13号, Caishui [2022] No. 40): it picks that edition of a text the library holds
# in several.
_YEAR = re.compile(r"(?<![〔\[\d])((?:19|20)\d{2})(?!\s*[〕\]]|\d)")
# A year written next to a name is the edition asked for: 2018年的国境卫生检疫法, 2023年版…,
# the 2010 Implementing Regulations; …（2010年修订）, the Advertising Law (2015).
_YEAR_BEFORE = re.compile(
    r"((?:19|20)\d{2})\s*(?:年\s*(?:版|修订版?|修正版?|修订|修正)?\s*的?)?\s*《?\s*$"
)
_YEAR_AFTER = re.compile(
    r"^\s*》?\s*[（(]\s*((?:19|20)\d{2})\s*(?:年)?\s*(?:版|修订|修正|修订版|修正版|edition)?\s*[)）]",
    re.IGNORECASE,
)
_EN_PRC = re.compile(r"\s+of the People'?s Republic of China$", re.IGNORECASE)
# An English name of a law inside the name of the text that implements it: "the (Detailed) Rules
# for the Implementation of the X Law", "the Implementing Regulations of the X Law", "the X Law
# Implementing Rules". That text is not the law: it is 《X法实施细则》 (or 实施条例, 实施办法).
_IMPLEMENTING_BEFORE = re.compile(
    r"(?:(?:detailed\s+)?(?:rules|regulations?|measures|provisions)\s+(?:for|on)\s+(?:the\s+)?"
    r"implementation\s+of|implement(?:ing|ation)\s+(?:rules|regulations?|measures)\s+(?:of|for|to))"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_IMPLEMENTING_AFTER = re.compile(
    r"\s*(?:'s\s+)?implement(?:ing|ation)\s+(?:rules|regulations?|measures)\b", re.IGNORECASE
)
_IMPLEMENTING_TITLES = ("实施细则", "实施条例", "实施办法")
# ... and in Chinese: 专利法实施细则, 《专利法》实施细则.
_ZH_IMPLEMENTING = re.compile(r"\s*》?\s*(" + "|".join(_IMPLEMENTING_TITLES) + ")")


@dataclass(frozen=True)
class ArticleRef:
    """An article a question names: 第十条之一 is number 10, suffix 1."""

    number: int
    suffix: int = 0

    @property
    def key(self) -> str:
        """The key chunks carry for their article ("19", "10-1")."""
        return article_key(self.number, self.suffix)


@dataclass(frozen=True)
class References:
    """The documents and articles a question names."""

    documents: tuple[str, ...] = ()  # ids of library documents, best match first
    articles: tuple[ArticleRef, ...] = ()
    missing: tuple[str, ...] = ()  # regulations named that the library does not hold
    names: tuple[str, ...] = field(default=(), compare=False)  # the names as written
    # (document id, year) for a document named with a year of which the library holds no
    # edition: answered from the edition it holds, and the answer says so.
    other_editions: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def document(self) -> str | None:
        """The document the question names, when it names one."""
        return self.documents[0] if self.documents else None


def article_refs(question: str) -> list[ArticleRef]:
    """The articles a question names ("第一百一十八条", "第十条之一", "Article 19")."""
    text = normalize(question)
    refs: list[ArticleRef] = []
    for match in _ARTICLE_ZH.finditer(text):
        number = parse_number(match.group(1))
        suffix = parse_number(match.group(2)) if match.group(2) else 0
        if number:
            refs.append(ArticleRef(number, suffix or 0))
    for match in _ARTICLE_EN.finditer(text):
        refs.append(ArticleRef(int(match.group(1)), int(match.group(2) or 0)))
    return list(dict.fromkeys(refs))


def strip_title(title: str) -> str:
    """A title without book-title marks and the 中华人民共和国 prefix."""
    title = normalize(title).strip("《》 ")
    return title[len(_PRC) :] if title.startswith(_PRC) and len(title) > len(_PRC) + 1 else title


def title_suffix(title: str) -> str | None:
    """The kind word a Chinese title ends with (条例, 办法, 法 …), if any."""
    return next((s for s in TITLE_SUFFIXES if title.endswith(s)), None)


@lru_cache(maxsize=8192)
def _english_pattern(name: str) -> re.Pattern[str]:
    """An English name as a pattern: "regulation(s)", "rule(s)", any white space between words."""
    words = [re.escape(w) for w in name.split()]
    words = [
        w + "s?" if w in ("regulation", "regulations", "rule", "provision", "measure") else w
        for w in words
    ]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b")


def _reads_as_title(written: str) -> bool:
    """Whether an English name is written as a title: a name of three words and more always
    is, a shorter one when its words are capitalised ("the Contract Law", not "contract law",
    the field of law)."""
    words = written.split()
    return len(words) > 2 or all(w[:1].isupper() for w in words)


# A short name is at most this long; one that drops its title's opening words is at least
# _INNER_NAME long and half its title (shorter ones would match titles by accident).
_LONGEST_NAME = 20
_INNER_NAME = 6


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class DocumentNames:
    """Every name a document goes by, to find the documents a question names."""

    def __init__(
        self,
        documents: Mapping[str, DocumentMeta],
        *,
        english_names: Mapping[str, Sequence[str]] | None = None,
        known_titles: Iterable[str] = (),
        aliases: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        """`english_names` maps a Chinese title to its English names (the glossary's);
        `known_titles` are titles of regulations that exist in the world (the glossary's
        documents): named but not held, they are reported as missing."""
        english_names = english_names or {}
        self._documents = documents
        self._zh: dict[str, list[str]] = {}  # name -> document ids
        self._en: dict[str, list[str]] = {}
        self._stripped: dict[str, str] = {}  # document id -> title without prefix
        self._titles_zh = {
            d: normalize(m.title) for d, m in documents.items() if m.language == "zh"
        }
        self._titles_en = {
            d: normalize(m.title).lower() for d, m in documents.items() if m.language == "en"
        }
        for doc_id, meta in documents.items():
            if meta.language != "zh" and meta.translation_of in documents:
                continue  # a translation is reached through its original's names
            stripped = strip_title(meta.title)
            self._stripped[doc_id] = stripped
            names = {normalize(meta.title).strip("《》 "), stripped}
            raw = getattr(meta, "aliases", None) or meta.extra.get("aliases") or []
            staff_aliases = list(raw) if isinstance(raw, list | tuple) else [raw]
            names.update(strip_title(str(a)) for a in staff_aliases if str(a).strip())
            names.update(strip_title(a) for a in (aliases or {}).get(doc_id, []))
            if meta.doc_number:
                names.add(normalize(meta.doc_number))
            for name in names:
                if len(name) >= 2:
                    self._zh.setdefault(name, []).append(doc_id)
            english = list(english_names.get(stripped) or english_names.get(meta.title) or [])
            if meta.language == "en":
                english.append(meta.title)
            for name in {n for e in english for n in (e, _EN_PRC.sub("", e))}:
                self._en.setdefault(name.lower(), []).append(doc_id)
        # Titles by (first character, kind word): short names are looked up among few.
        self._by_head: dict[tuple[str, str], list[str]] = {}
        # ... and by (two characters inside, kind word): a short name that drops the title's
        # opening (张江生物医药创新高地建设规定 for 上海市浦东新区促进张江生物医药产业…规定).
        self._by_pair: dict[tuple[str, str], list[str]] = {}
        for doc_id, title in self._stripped.items():
            suffix = title_suffix(title)
            if suffix:
                for kind in TITLE_SUFFIXES:
                    if title.endswith(kind):
                        self._by_head.setdefault((title[0], kind), []).append(doc_id)
                        for pair in {title[i : i + 2] for i in range(1, len(title) - 1)}:
                            self._by_pair.setdefault((pair, kind), []).append(doc_id)
        self._zh_sorted = sorted(self._zh, key=len, reverse=True)
        # Names by their first character, with their rank in _zh_sorted: a question is scanned
        # once, not once per name (thousands of documents, three or four names each).
        self._zh_by_first: dict[str, list[tuple[int, str]]] = {}
        for rank, name in enumerate(self._zh_sorted):
            self._zh_by_first.setdefault(name[0], []).append((rank, name))
        # Only names that read as laws and regulations are reported missing: a standard or a
        # pharmacopoeia (中国药典) the library discusses is not "a regulation it does not hold".
        # Longest first: 外资企业法实施细则 is named before 外资企业法 is looked for inside it.
        self._known = sorted(
            {t for t in (strip_title(t) for t in known_titles) if _LEGAL_TITLE.search(t)}
            - set(self._zh),
            key=len,
            reverse=True,
        )
        self._known_set = set(self._known)
        self._known_en = {
            _EN_PRC.sub("", name).lower(): strip_title(zh)
            for zh, names in english_names.items()
            if strip_title(zh) not in self._zh and _LEGAL_TITLE.search(strip_title(zh))
            for name in names
        }
        self._en_names = sorted({*self._en, *self._known_en}, key=len, reverse=True)
        # Every English name of a law with its Chinese title (held or known), longest first: the
        # name of a text that implements it is looked for around them.
        self._en_laws = sorted(
            {
                *(
                    (name, self._stripped[ids[0]])
                    for name, ids in self._en.items()
                    if ids[0] in self._stripped and documents[ids[0]].language == "zh"
                ),
                *self._known_en.items(),
            },
            key=lambda pair: len(pair[0]),
            reverse=True,
        )

    def find(self, question: str) -> References:
        """The documents and articles a question names."""
        text = normalize(question)
        found: list[str] = []
        names: list[str] = []
        missing: list[str] = []
        taken = [False] * len(text)
        years = frozenset(_YEAR.findall(text))
        spans: list[tuple[str, int, int]] = []  # a document found, where its name is written

        def claim(start: int, end: int) -> bool:
            if any(taken[start:end]):
                return False
            taken[start:end] = [True] * (end - start)
            return True

        def hold(doc_id: str, name: str, start: int, end: int) -> None:
            found.append(doc_id)
            names.append(name)
            spans.append((doc_id, start, end))

        # Longest names first, each left to right (as if every name were searched in turn).
        occurrences = sorted(
            (rank, start, name)
            for start, char in enumerate(text)
            for rank, name in self._zh_by_first.get(char, ())
            if text.startswith(name, start)
        )
        for _, start, name in occurrences:
            # 《专利法》实施细则 names the rules made under 专利法, held or not.
            name, end, _ = self._rules_under(name, text, start + len(name))
            if not claim(start, end):
                continue
            if name not in self._zh:
                missing.append(name)
                continue
            hold(self._newest(self._zh[name], years), name, start, end)
        lowered = text.lower()
        for start, end, title in self._implementing(text, lowered):
            if not claim(start, end):
                continue
            if title in self._zh:
                hold(self._newest(self._zh[title], years), text[start:end], start, end)
            else:  # a known title (a repealed text is answered with its repeal), or as written
                missing.append(title or text[start:end])
        # English names of held texts and of the regulations the glossary knows, longest first:
        # "Labor Contract Law" is claimed before "Contract Law" inside it.
        for name in self._en_names:
            hit = next(
                (
                    m
                    for m in _english_pattern(name).finditer(lowered)
                    # A short name of a text not held is a title only when written as one.
                    if name in self._en or _reads_as_title(text[m.start() : m.end()])
                ),
                None,
            )
            if hit is None or not claim(hit.start(), hit.end()):
                continue
            if name in self._en:
                newest = self._newest(self._en[name], years)
                hold(newest, text[hit.start() : hit.end()], hit.start(), hit.end())
                continue
            # A known regulation: held when a document's title holds the name (a summary titled
            # after the law it explains), else missing from the library.
            zh_title = self._known_en[name]
            doc_id = self._containing(name, english=True) or self._containing(zh_title)
            (found if doc_id else missing).append(doc_id or zh_title)
        for title in self._known:
            at = text.find(title)
            if at < 0:
                continue
            # The rules under a law the library lacks: it may hold 专利法实施细则 without 专利法.
            name, end, rules = self._rules_under(title, text, at + len(title))
            if not claim(at, end):
                continue
            if name in self._zh:
                hold(self._newest(self._zh[name], years), name, at, end)
                continue
            doc_id = None if rules else self._containing(title)
            (found if doc_id else missing).append(doc_id or name)
        for match in _BOOK_TITLE.finditer(text):
            inner = match.group(1)
            if any(taken[match.start(1) : match.end(1)]):
                continue
            # 《专利法》实施细则 names the rules made under the law, not the law.
            rules_name, end, rules = self._rules_under(strip_title(inner), text, match.end())
            inner = rules_name if rules else inner
            doc_id = self._abbreviation(inner) or self._containing(strip_title(inner), years=years)
            if doc_id:
                hold(doc_id, inner, match.start(), end)
            else:
                missing.append(strip_title(inner))
            claim(match.start(), end)
        for doc_id, span in self._abbreviations(text, taken):
            found.append(doc_id)
            names.append(span)
        if not found and not missing:
            for phrase in _EN_TITLE.findall(text):
                doc_id = self._by_concepts(phrase)
                if doc_id is None:
                    continue
                if doc_id:
                    found.append(doc_id)
                    names.append(phrase)
                else:
                    missing.append(phrase)
        return References(
            documents=tuple(dict.fromkeys(found)),
            articles=tuple(article_refs(text)),
            missing=tuple(dict.fromkeys(missing)),
            names=tuple(names),
            other_editions=self._other_editions(text, spans),
        )

    def _implementing(self, text: str, lowered: str) -> list[tuple[int, int, str | None]]:
        """Where an English question names the text implementing a law ("the Rules for the
        Implementation of the Patent Law"): the span and that text's Chinese title when the
        library holds it or knows it exists, else None (its Chinese title is not guessed)."""
        out: list[tuple[int, int, str | None]] = []
        if "implement" not in lowered:
            return out
        for name, law in self._en_laws:
            for hit in _english_pattern(name).finditer(lowered):
                before = _IMPLEMENTING_BEFORE.search(lowered[: hit.start()])
                after = None if before else _IMPLEMENTING_AFTER.match(lowered, hit.end())
                if before is None and after is None:
                    continue
                start = before.start() if before else hit.start()
                end = after.end() if after else hit.end()
                out.append((start, end, self._implementing_title(law)))
        return out

    def _rules_under(self, law: str, text: str, end: int) -> tuple[str, int, bool]:
        """The name a question writes at text[..end] with what follows it: the rules made under
        that law when 实施细则 / 实施条例 / 实施办法 follows (the title the library holds or knows,
        else as written), with where the name ends and whether it named the rules."""
        implementing = _ZH_IMPLEMENTING.match(text, end)
        if implementing is None:
            return law, end, False
        kind = implementing.group(1)
        return self._implementing_title(law, kind) or law + kind, implementing.end(), True

    def _implementing_title(self, law: str, written: str = "") -> str | None:
        """The title of the text implementing a law that the library holds, else one the glossary
        knows; of the forms (实施细则, 实施条例, 实施办法) the one the question wrote first: a
        company writes 专利法实施条例 for the 专利法实施细则."""
        titles = [law + kind for kind in sorted(_IMPLEMENTING_TITLES, key=lambda k: k != written)]
        return next((t for t in titles if t in self._zh), None) or next(
            (t for t in titles if t in self._known_set), None
        )

    def _other_editions(
        self, text: str, spans: list[tuple[str, int, int]]
    ) -> tuple[tuple[str, str], ...]:
        """The documents named with a year (next to the name) whose edition is of another year:
        the library holds no edition of the year asked."""
        out: list[tuple[str, str]] = []
        for doc_id, start, end in spans:
            near = _YEAR_BEFORE.search(text[max(0, start - 16) : start]) or _YEAR_AFTER.match(
                text[end : end + 16]
            )
            if near is None:
                continue
            edition = edition_date(self._documents[doc_id]) or ""
            if edition[:4] != near.group(1):
                out.append((doc_id, near.group(1)))
        return tuple(dict.fromkeys(out))

    def _by_concepts(self, phrase: str) -> str | None:
        """The document an English title phrase describes by its concepts, "" when the library
        holds none ("the Regulation on Human Genetic Resources"), None when it cannot tell."""
        concepts = [
            m.entry.zh
            for m in find_english(phrase)
            if m.entry.kind in ("term", "authority")
            and not _TITLE_WORDS.fullmatch(m.entry.preferred_en)
        ]
        if not concepts:
            return None
        holding = [
            doc_id
            for doc_id, title in self._stripped.items()
            if all(any(form in title for form in forms) for forms in concepts)
        ]
        titles = {self._stripped[d] for d in holding}
        if len(titles) > 1:
            return None  # two regulations fit: do not guess
        return self._newest(holding) if holding else ""

    def _containing(
        self, name: str, *, english: bool = False, years: frozenset[str] = frozenset()
    ) -> str | None:
        """The document whose title holds a name (the shortest such title, newest version)."""
        titles = self._titles_en if english else self._titles_zh
        key = name.lower() if english else strip_title(name)
        if len(key) < 3:
            return None
        holding = [
            doc_id
            for doc_id, title in titles.items()
            if key in title
            and not _ANOTHER_TEXT.match(title[title.index(key) + len(key) :])
            # The name opens the title or a title inside it: 劳动合同法 does not hold 合同法.
            and (english or _OPENS_NAME.search(title[: title.index(key)]))
        ]
        if not holding:
            return None
        shortest = min(len(titles[d]) for d in holding)
        return self._newest([d for d in holding if len(titles[d]) == shortest], years)

    def _newest(self, ids: list[str], years: frozenset[str] = frozenset()) -> str:
        """Of several documents with one name (editions of a law), the current newest one, or
        the newest of those of a year the question writes ("2018年的国境卫生检疫法")."""
        if len(ids) == 1:
            return ids[0]
        of_year = [d for d in ids if (edition_date(self._documents[d]) or "")[:4] in years]
        ids = of_year or ids

        def rank(doc_id: str) -> tuple[int, str]:
            meta = self._documents[doc_id]
            return (meta.status != "superseded", meta.issued or "")

        return max(ids, key=rank)

    def _abbreviation(self, span: str) -> str | None:
        """The one document a short name abbreviates (人遗条例: 人类遗传资源管理条例)."""
        span = strip_title(span)
        if span in self._zh:
            return self._newest(self._zh[span])
        suffix = title_suffix(span)
        if suffix is None or len(span) - len(suffix) < 2:
            return None
        matches = [
            doc_id
            for doc_id in self._by_head.get((span[0], suffix), [])
            if self._stripped[doc_id] != span and _is_subsequence(span, self._stripped[doc_id])
        ]
        if not matches and len(span) >= _INNER_NAME:
            matches = [
                doc_id
                for doc_id in self._by_pair.get((span[:2], suffix), [])
                if 2 * len(span) >= len(self._stripped[doc_id])
                and _is_subsequence(span, self._stripped[doc_id])
            ]
        titles = {self._stripped[d] for d in matches}
        if len(titles) != 1:  # none, or ambiguous: never guess between two regulations
            return None
        return self._newest(matches)

    def _abbreviations(self, text: str, taken: list[bool]) -> list[tuple[str, str]]:
        """Short names ending in a title word, outside what exact names already claimed."""
        out: list[tuple[str, str]] = []
        for suffix in TITLE_SUFFIXES:
            for match in re.finditer(suffix, text):
                end = match.end()
                if any(taken[match.start() : end]):
                    continue
                for length in range(min(_LONGEST_NAME, end), len(suffix) + 1, -1):
                    start = end - length
                    if any(taken[start:end]) or not re.fullmatch(
                        r"[\u4e00-\u9fff]+", text[start:end]
                    ):
                        continue
                    doc_id = self._abbreviation(text[start:end])
                    if doc_id:
                        taken[start:end] = [True] * length
                        out.append((doc_id, text[start:end]))
                        break
        return out
