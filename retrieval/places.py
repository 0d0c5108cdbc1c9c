"""Where a document applies, read from its title, and which places are the center's own.

A library of published texts holds the local rules of many places (北京市精神卫生条例,
上海市公共卫生应急管理条例, 河南省母婴保健条例, 济南市院前医疗急救条例) beside the national
laws. They are written in the national law's words, so they match a question as well as the
law does. The center serves companies in Nansha: a question that names no other place asks
about the national rule, or Guangdong's, not Beijing's. Search therefore ranks a local rule of a
place outside Guangdong a little lower unless the question names that place (docs/retrieval.md).

Where the title names no place (中关村国家自主创新示范区条例, 郑州航空港经济综合实验区条例), the
body that issued the text does (北京市人民代表大会常务委员会, 河南省人民代表大会常务委员会). The
rules made for the armed forces (中国人民解放军实施《药品管理法》办法) are read the same way: they
answer a question about the forces, not a company's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

import jieba.posseg as pseg

from knowledge.documents import DocumentMeta
from knowledge.glossary import find_chinese
from retrieval.keyword import is_everyday

# The center's own region: Guangdong, its 21 cities, the districts the library's policies name.
HOME = frozenset(
    "广东 广州 深圳 珠海 汕头 佛山 韶关 湛江 肇庆 江门 茂名 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山"
    " 潮州 揭阳 云浮 南沙 黄埔 番禺 前海 横琴".split()
)
# What names the whole country, not a place in it (中华人民共和国市场主体登记管理条例).
_COUNTRY = ("中华", "中国", "全国")
# What ends the name of a place a title opens with: 河南省, 济南市, 延边朝鲜族自治州, 浦东新区.
_PLACE_END = re.compile(r"(?:省|市|自治区|自治州|自治县|地区|盟|州|县|新区|区)$")
# Rules for the armed forces, by their title (the State Council and the Central Military
# Commission also issue rules for everyone: 无线电管理条例), and a question's words about them.
_FORCES_TEXT = re.compile(r"^(?:中国人民解放军|中国人民武装警察部队|军队)")
FORCES = frozenset({"军队", "部队", "解放军", "武警", "军人", "军官", "士兵", "军事", "现役"})


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
        if not _PLACE_END.search(name):
            continue
        if name.startswith(_COUNTRY):  # 中华人民共和国市场…: the country's own rule
            break
        short = _PLACE_END.sub("", name)
        # 济南市 is in jieba's dictionary as a place; 东营市 only as 东营 with its 市 (an
        # everyday word before 市 is not a place: 城市市容 is not a city's).
        if tags.get(name) == "ns" or (
            len(short) > 1 and tags.get(short) == "ns" and not is_everyday(short)
        ):
            return (name, short) if len(short) > 1 else (name,)
    return ()


def elsewhere(documents: Mapping[str, DocumentMeta]) -> dict[str, frozenset[str]]:
    """The local rules of places outside the center's region, and the rules for the armed
    forces: id → the words of a question that asks about them (the place's names)."""
    out: dict[str, frozenset[str]] = {}
    for doc_id, meta in documents.items():
        if meta.jurisdiction is not None:  # staff said where it applies
            continue
        names = title_place(meta.title) or _issuer_place(meta)
        if names and not _home(names[0]):
            out[doc_id] = frozenset(names)
        elif not names and _FORCES_TEXT.search(meta.title.strip("《")):
            out[doc_id] = FORCES
    return out


def _issuer_place(meta: DocumentMeta) -> tuple[str, ...]:
    """The place of the local body that issued a text (北京市人民代表大会常务委员会: 北京), with
    the place its title opens with when that is not a place name of its own (中关村)."""
    if not meta.issuer:
        return ()
    names = title_place(meta.issuer.split("、")[0])
    if not names:
        return ()
    tags = pseg.dt.word_tag_tab
    title = meta.title.strip().lstrip("《")
    opening = next(
        (
            title[:end]
            for end in range(min(len(title), 6), 1, -1)
            if tags.get(title[:end]) == "ns" and not title.startswith(_COUNTRY)
        ),
        None,
    )
    return (*names, opening) if opening and opening not in names else names


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
