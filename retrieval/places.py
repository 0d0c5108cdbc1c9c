"""Where a document applies, read from its title, and which places are the center's own.

A library of published texts holds the local rules of many places (北京市精神卫生条例,
上海市公共卫生应急管理条例, 河南省母婴保健条例, 济南市院前医疗急救条例) beside the national
laws. They are written in the national law's words, so they match a question as well as the
law does. The center serves companies in Nansha: a question that names no other place asks
about the national rule, or Guangdong's, not Beijing's. Search therefore ranks a local rule of a
place outside Guangdong a little lower unless the question names that place (docs/retrieval.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import jieba.posseg as pseg

from knowledge.documents import DocumentMeta
from knowledge.glossary import find_chinese

# The center's own region: Guangdong, its 21 cities, the districts the library's policies name.
HOME = frozenset(
    "广东 广州 深圳 珠海 汕头 佛山 韶关 湛江 肇庆 江门 茂名 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山"
    " 潮州 揭阳 云浮 南沙 黄埔 番禺 前海 横琴".split()
)
# What ends the name of a place a title opens with: 河南省, 济南市, 延边朝鲜族自治州, 浦东新区.
_PLACE_END = re.compile(r"(?:省|市|自治区|自治州|自治县|地区|盟|州|县|新区|区)$")


@lru_cache(maxsize=16384)
def title_place(title: str) -> tuple[str, ...]:
    """The place a title opens with, as its name and its short name (济南市, 济南), or ()."""
    bare = title.strip().lstrip("《")
    glossary = [m for m in find_chinese(bare[:12]) if m.start == 0 and m.entry.kind == "place"]
    if glossary:
        return glossary[0].entry.zh
    tags = pseg.dt.word_tag_tab  # jieba's dictionary with parts of speech, read at import
    for end in range(min(len(bare), 12), 2, -1):  # the longest place name first
        name = bare[:end]
        if _PLACE_END.search(name) and tags.get(name) == "ns":
            short = _PLACE_END.sub("", name)
            return (name, short) if len(short) > 1 else (name,)
    return ()


def elsewhere(documents: Mapping[str, DocumentMeta]) -> dict[str, frozenset[str]]:
    """The local rules of places outside the center's region: id → the place's names."""
    out: dict[str, frozenset[str]] = {}
    for doc_id, meta in documents.items():
        names = title_place(meta.title)
        if names and meta.jurisdiction is None and not _home(names[0]):
            out[doc_id] = frozenset(names)
    return out


def _home(place: str) -> bool:
    """Whether a place is in the center's region (汕头经济特区 is 汕头's)."""
    return any(place.startswith(h) for h in HOME)


def away(local: Mapping[str, frozenset[str]], question: str, named: Iterable[str]) -> set[str]:
    """The local rules of places outside the region that a question does not ask about: it
    neither writes the place (济南) nor names it in English (`named`: the glossary's Chinese
    forms of the places it names, Shanghai: 上海)."""
    asked = set(named)
    return {
        doc_id
        for doc_id, names in local.items()
        if not names & asked and not any(n in question for n in names)
    }
