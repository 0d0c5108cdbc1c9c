"""A bilingual regulatory glossary: find its terms in a question and give the other language.

The data lives in ``knowledge/glossary/*.yaml``, one list of entries per file::

    - zh: [药品上市许可持有人, 上市许可持有人]   # the first form is the preferred one
      en: [marketing authorization holder, MAH]
      kind: term        # term | authority | document | phrase | place | jurisdiction

``everyday.yaml`` gives the everyday words companies write for a term the law words its own
way (牌子 for 商标, 刷脸 for 人脸识别), each attached to the entry whose Chinese form it names::

    - {of: 商标, everyday: [牌子]}

An everyday form finds its entry like any Chinese form, but it is never the entry's Chinese:
``Entry.zh`` stays the law's words, so a search adds 商标 for 牌子, never 牌子 for 商标.

Every form of a language belongs to one entry only (merge the entries if two want the same
form), so a match names exactly one entry. A document whose Chinese title starts with
中华人民共和国 is also found without it; an English name "… of the People's Republic of China"
likewise. ``mined_kb.yaml`` is written by ``scripts/mine_glossary.py`` from the bundled
knowledge base's zh/en translations and reviewed by hand; the other files are written by hand.

English matching is case-insensitive and tolerant of plurals, simple verb endings and British
spelling (approvals, licence, authorisation, revoked); abbreviations of at most four capital
letters (MAH, IND, HGR) match only as written, so "it" or "or" never read as IT or OR.
The longest match wins and matches never overlap. Chinese matching is exact and skips
one-character forms (条, 款, 项 sit inside many words): convert Traditional text first
(``knowledge.script.to_simplified``); Latin abbreviations inside Chinese text (CAR-T, MAH) are
found by ``find_english``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 5× faster
GLOSSARY_DIR = Path(__file__).parent / "glossary"
KINDS = frozenset({"term", "authority", "document", "phrase", "place", "jurisdiction"})
_PRC = "中华人民共和国"
_PRC_EN = re.compile(r"\s+of the People['’]s Republic of China$", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_POSSESSIVE = re.compile(r"['’]s\b")
_TITLE_TRIM = re.compile(r"^[《〈\s]+|[》〉\s]+$")
_TITLE_SUFFIX = re.compile(r"[（(][^（）()]*[)）]$")  # (2019年修订), (2019-12-01)
# British → American, applied to both sides so either spelling finds the other.
# Full-width and ASCII brackets both occur in published texts (菌（毒）种, 菌(毒)种); one
# character for one keeps match offsets true.
_BRACKETS = str.maketrans("（）", "()")
_SPELLING = [
    (re.compile(r"^(licen|defen|offen|practi)c(e|es)$"), r"\1s\2"),  # before -ise → -ize
    (re.compile(r"isation"), "ization"),
    (re.compile(r"is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"^(cent|lit)re(s?)$"), r"\1er\2"),
    (re.compile(r"^programme(s?)$"), r"program\1"),
    (re.compile(r"^(labo|colo|behavio|favo|hono|neighbo)ur(s?)$"), r"\1r\2"),
    (re.compile(r"^haem"), "hem"),
    (re.compile(r"^anaes"), "anes"),
]


class GlossaryError(ValueError):
    """The glossary data is malformed: an empty side, an unknown kind or a duplicate form."""


@dataclass(frozen=True)
class Entry:
    """One concept: its Chinese and English forms (preferred first) and its kind."""

    zh: tuple[str, ...]
    en: tuple[str, ...]
    kind: str
    source: str = ""
    everyday: tuple[str, ...] = ()  # how companies say it (found, never given as its Chinese)

    @property
    def preferred_zh(self) -> str:
        """The preferred Chinese form."""
        return self.zh[0]

    @property
    def preferred_en(self) -> str:
        """The preferred English form."""
        return self.en[0]


@dataclass(frozen=True)
class Match:
    """A glossary form found in a text: where, which form and which entry."""

    start: int
    end: int
    text: str
    form: str
    entry: Entry


@lru_cache(maxsize=65536)  # a pure function of a word, called for every word of every question
def _stem(word: str) -> str:
    """Fold one lower-case word to a crude stem: spelling, plural and -ed/-ing endings."""
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _is_abbreviation(form: str) -> bool:
    """Tell whether a form is a short capital abbreviation that must match as written."""
    letters = [ch for ch in form if ch.isalpha()]
    return 0 < len(letters) <= 4 and all(ch.isupper() for ch in letters)


def _tokens(text: str) -> list[tuple[int, int, str]]:
    """Split English text into (start, end, word) tokens, possessive 's removed."""
    text = _POSSESSIVE.sub("  ", text)  # same length, so offsets stay true
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def _greedy(candidates: list[tuple[int, int, str, Entry]], text: str) -> list[Match]:
    """Keep the longest candidates that do not overlap, in text order."""
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int]] = []
    chosen = []
    for start, end, form, entry in candidates:
        if all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
            chosen.append(Match(start, end, text[start:end], form, entry))
    return sorted(chosen, key=lambda m: m.start)


def _lengths_by_first(forms: Iterable[Sequence[str]]) -> dict[str, tuple[int, ...]]:
    """The lengths of the forms starting with each first character (or word), longest first."""
    lengths: dict[str, set[int]] = {}
    for form in forms:
        lengths.setdefault(form[0], set()).add(len(form))
    return {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}


class Glossary:
    """The loaded glossary with its lookup tables."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._zh: dict[str, tuple[str, Entry]] = {}
        self._en: dict[tuple[str, ...], tuple[str, Entry]] = {}
        self._abbr: dict[tuple[str, ...], tuple[str, Entry]] = {}
        self._titles: dict[str, Entry] = {}
        for entry in self.entries:
            for form in (*entry.zh, *entry.everyday):
                if len(form) > 1:  # 条, 款, 日 alone would match inside every other word
                    self._zh.setdefault(form.translate(_BRACKETS), (form, entry))
                if entry.kind == "document":
                    self._titles.setdefault(_bare_title(form), entry)
            for form in entry.en:
                words = tuple(w for _, _, w in _tokens(form))
                if _is_abbreviation(form):
                    self._abbr.setdefault(words, (form, entry))
                else:  # the first of an entry's forms with one stem names the match
                    self._en.setdefault(tuple(_stem(w.lower()) for w in words), (form, entry))
        # The lengths of the forms that begin with each character or word, longest first: a
        # question is scanned once, trying only the lengths its next character could open.
        self._zh_lengths = _lengths_by_first(self._zh)
        self._en_lengths = _lengths_by_first(self._en)
        self._abbr_lengths = _lengths_by_first(self._abbr)

    def find_english(self, text: str) -> list[Match]:
        """Find the glossary's English terms and abbreviations in a text, longest first."""
        tokens = _tokens(text)
        stems = [_stem(w.lower()) for _, _, w in tokens]
        # An abbreviation's plural (MAHs) or possessive still names it.
        words = [
            w[:-1] if len(w) > 2 and w.endswith("s") and w[:-1].isupper() else w
            for _, _, w in tokens
        ]
        candidates = []
        for i in range(len(tokens)):
            lengths = sorted(
                {*self._abbr_lengths.get(words[i], ()), *self._en_lengths.get(stems[i], ())},
                reverse=True,
            )
            for length in lengths:
                if i + length > len(tokens):
                    continue
                hit = self._abbr.get(tuple(words[i : i + length])) or self._en.get(
                    tuple(stems[i : i + length])
                )
                if hit:
                    start, end = tokens[i][0], tokens[i + length - 1][1]
                    candidates.append((start, end, hit[0], hit[1]))
                    break
        return _greedy(candidates, text)

    def find_chinese(self, text: str) -> list[Match]:
        """Find the glossary's Chinese terms in a (Simplified) text, longest first."""
        candidates = []
        folded = text.translate(_BRACKETS)
        for i, first in enumerate(folded):
            for length in self._zh_lengths.get(first, ()):
                if i + length > len(folded):
                    continue
                hit = self._zh.get(folded[i : i + length])
                if hit:
                    candidates.append((i, i + length, hit[0], hit[1]))
                    break
        return _greedy(candidates, text)

    def english_name(self, zh_title: str) -> str | None:
        """Return the official English name of a Chinese law or regulation, else None."""
        entry = self._titles.get(_bare_title(zh_title))
        return entry.preferred_en if entry else None

    def chinese_terms_for(self, english_question: str, *, all_forms: bool = False) -> list[str]:
        """Return the preferred (or every) Chinese form of the English terms in a question."""
        matches = self.find_english(english_question)
        terms = [f for m in matches for f in (m.entry.zh if all_forms else m.entry.zh[:1])]
        return list(dict.fromkeys(terms))


def _bare_title(title: str) -> str:
    """Fold a title to its lookup key: no 《》, no 中华人民共和国, no trailing (2019年修订)."""
    title = _TITLE_TRIM.sub("", title.strip())
    title = _TITLE_SUFFIX.sub("", title).strip()
    return title.removeprefix(_PRC)


def _parse(data: object, source: str) -> list[Entry]:
    """Validate one file's entries and add the derived forms of document titles."""
    if not isinstance(data, list):
        raise GlossaryError(f"{source}: expected a list of entries")
    entries = []
    for index, item in enumerate(data, 1):
        where = f"{source} entry {index}"
        if not isinstance(item, dict) or set(item) - {"zh", "en", "kind"}:
            raise GlossaryError(f"{where}: expected the keys zh, en and kind")
        sides = {}
        for side in ("zh", "en"):
            sides[side] = _forms(item.get(side), where, side)
        kind = item.get("kind", "term")
        if kind not in KINDS:
            raise GlossaryError(f"{where}: unknown kind {kind!r}")
        if kind == "document":
            sides["zh"] += [f.removeprefix(_PRC) for f in sides["zh"] if f.startswith(_PRC)]
            sides["en"] += [_PRC_EN.sub("", f) for f in sides["en"] if _PRC_EN.search(f)]
        zh, en = tuple(dict.fromkeys(sides["zh"])), tuple(dict.fromkeys(sides["en"]))
        entries.append(Entry(zh=zh, en=en, kind=kind, source=where))
    return entries


def _forms(value: Any, where: str, side: str) -> list[str]:
    """One side of an entry (zh, en, everyday): a form or a list of them, none empty, stripped."""
    forms = [value] if isinstance(value, str) else value
    if not forms or not all(isinstance(f, str) and f.strip() for f in forms):
        raise GlossaryError(f"{where}: empty or malformed {side} side")
    return [f.strip() for f in forms]


def _check_unique(entries: list[Entry]) -> None:
    """Refuse a form that two entries claim, so every match names exactly one entry."""
    owners: dict[tuple[str, object], str] = {}
    for entry in entries:
        keys: list[tuple[str, object]] = [("zh", f) for f in (*entry.zh, *entry.everyday)]
        for form in entry.en:
            words = tuple(w for _, _, w in _tokens(form))
            abbr = _is_abbreviation(form)
            keys.append(("en", words if abbr else tuple(_stem(w.lower()) for w in words)))
        for key in dict.fromkeys(keys):
            if key in owners:
                raise GlossaryError(f"{entry.source}: {key[1]!r} is already in {owners[key]}")
            owners[key] = entry.source


def _attach_everyday(entries: list[Entry], data: object, source: str) -> list[Entry]:
    """Give entries the everyday words of ``everyday.yaml`` (each names its entry by `of`)."""
    if not isinstance(data, list):
        raise GlossaryError(f"{source}: expected a list of entries")
    owner = {form: i for i, entry in enumerate(entries) for form in entry.zh}
    added: dict[int, list[str]] = {}
    for index, item in enumerate(data, 1):
        where = f"{source} entry {index}"
        if not isinstance(item, dict) or set(item) != {"of", "everyday"}:
            raise GlossaryError(f"{where}: expected the keys of and everyday")
        forms = _forms(item["everyday"], where, "everyday")
        if item["of"] not in owner:
            raise GlossaryError(f"{where}: no entry has the Chinese form {item['of']!r}")
        added.setdefault(owner[item["of"]], []).extend(forms)
    for i, forms in added.items():
        everyday = tuple(dict.fromkeys((*entries[i].everyday, *forms)))
        entries[i] = replace(entries[i], everyday=everyday)
    return entries


EVERYDAY = "everyday.yaml"


def load_glossary(folder: Path = GLOSSARY_DIR) -> Glossary:
    """Load and validate every YAML file of a glossary folder."""
    entries: list[Entry] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name != EVERYDAY:
            entries += _parse(_read(path), path.name)
    if (folder / EVERYDAY).exists():
        entries = _attach_everyday(entries, _read(folder / EVERYDAY), EVERYDAY)
    _check_unique(entries)
    return Glossary(entries)


def _read(path: Path) -> object:
    """One glossary file's data (an empty file is an empty list)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or []


@cache
def get_glossary() -> Glossary:
    """Return the bundled glossary, loaded once per process."""
    return load_glossary()


def find_english(text: str) -> list[Match]:
    """Find the bundled glossary's English terms in a text."""
    return get_glossary().find_english(text)


def find_chinese(text: str) -> list[Match]:
    """Find the bundled glossary's Chinese terms in a Simplified text."""
    return get_glossary().find_chinese(text)


def english_name(zh_title: str) -> str | None:
    """Return the official English name of a Chinese law or regulation, else None."""
    return get_glossary().english_name(zh_title)


def chinese_terms_for(english_question: str, *, all_forms: bool = False) -> list[str]:
    """Return the preferred (or every) Chinese form of the English terms in a question."""
    return get_glossary().chinese_terms_for(english_question, all_forms=all_forms)
