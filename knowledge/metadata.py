"""Metadata a real regulatory text carries in its own words: title, dates, issuer, number.

A published Chinese law or notice has no front matter. Its first heading (or first line) is
the title; the lines under it record its history ("2019年8月26日第十三届全国人民代表大会常务
委员会第十二次会议第二次修订", "（2002年8月14日中华人民共和国国务院令第365号公布　根据…修订）");
its last articles say when it takes effect ("本法自2019年12月1日起施行"). The loaders fill
from here only what explicit metadata (front matter, a sidecar, staff's form) left out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

from knowledge.documents import REPEALS
from knowledge.history import (
    BRACKETS,
    DATE,
    FILE_NUMBER,
    NUM,
    ORGAN_END,
    author_from_title,
    doc_number,
    events,
    is_name,
    parse_date,
    squash,
)
from knowledge.repeals import repealed_titles

_ISSUING = ("修订", "修正", "公布", "通过", "批准")  # events that make a version of the text
# Where the opening lines end and the body begins: a chapter, an article, a contents list.
_BODY_START = re.compile(
    rf"^(?:#+\s*)?(?:第{NUM}[编章节条]|目\s*录|[一二三四五六七八九十]+、|各[省有]|附件)"
)
_TRAILING_NOTE = re.compile(r"\s*[（(][^（()）]{1,15}[)）]\s*$")
_REGULATION_ENDS = ("法", "条例", "规定", "办法", "细则", "规则", "决定", "解释", "决议")
_GUIDELINE_ENDS = ("指导原则", "指南", "规范")
_EN_REGULATION = r"\b(?:law|regulations?|rules|measures|provisions)\b"
# "Notice on Measures to …" is a notice, though it names measures.
_EN_POLICY = r"(?:notice|circular|announcement|opinions?|(?:action )?plan)\b"
_POLICY_ENDS = tuple("通知 意见 方案 措施 公告 通告 批复 答复 纲要 规划 目录".split())
_EFFECTIVE = re.compile(rf"自\s*(?:{DATE.pattern})\s*起\s*(?:施行|实施|生效)")
# "本条例自2021年6月1日起施行。自1997年2月5日起施行的《…》同时废止": the text's own date.
_OWN_EFFECTIVE = re.compile(rf"本[\u4e00-\u9fff]{{1,8}}{_EFFECTIVE.pattern}")
_EFFECTIVE_ON_ISSUE = re.compile(r"自(?:公布|发布|印发|颁布)之日起(?:施行|实施|生效)")
_OPENING_LINES = 40
# A government site's policy page labels its metadata: "发文机关：国务院办公厅".
_LABELS = {
    "title": ("标题", "名称", "文件名称"),
    "issuer": ("发文机关", "发布机关", "发文单位", "发布单位", "制定机关", "颁布机关"),
    "doc_number": ("发文字号", "发文号", "文号"),
    # The date a document was signed is its own; the date a site posted it comes last.
    "issued": ("成文日期", "印发日期", "公布日期", "颁布日期", "发文日期", "发布日期"),
    "effective": ("施行日期", "实施日期", "生效日期"),
}
_LABEL_KEY = {label: key for key, labels in _LABELS.items() for label in labels}
_LABEL_RANK = {label: rank for labels in _LABELS.values() for rank, label in enumerate(labels)}
_LABEL = re.compile(
    "(?P<label>"
    + "|".join(r"[\s\u3000]*".join(label) for label in sorted(_LABEL_KEY, key=len, reverse=True))
    + r")[\s\u3000]*[：:][\s\u3000]*"
)
_ANY_LABEL = re.compile(r"^[\u4e00-\u9fff][\u4e00-\u9fff\s\u3000]{1,7}[：:]")
_ISO_DATE = re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})")
_LABEL_LINES = 30


def metadata_from_text(text: str, filename: str = "") -> dict[str, Any]:
    """Derive title, dates, issuer, document number, history, category and the texts it
    repeals from a text."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    title_at, title = _title(lines, filename)
    opening = _opening(lines[title_at + 1 :])
    history = events(opening)
    meta: dict[str, Any] = {"title": title, "category": category_for(title)}
    issuing = [e for e in history if e["action"] in _ISSUING]
    dates = sorted(d for e in issuing if (d := e["date"]))
    if dates:
        meta["issued"] = dates[-1]
    adopted = next((e["date"] for e in history if e["action"] in ("通过", "公布")), None)
    amended = [d for e in history if e["action"] in ("修正", "修订") and (d := e["date"])]
    if adopted:
        meta["adopted"] = adopted
    if amended:
        meta["amended"] = max(amended)
    issuer = _issuer(history, lines, title)
    if issuer:
        meta["issuer"] = issuer
    number = doc_number(lines[:title_at] + opening)
    if number:
        meta["doc_number"] = number
    if "issued" not in meta:
        dated = _date_line(opening) or _signature(lines)[1]
        if dated:
            meta["issued"] = dated
    effective = _effective(history, opening, text, meta.get("issued"))
    if effective:
        meta["effective"] = effective
    if history:
        meta["history"] = history
    repeals = repealed_titles(text)
    if repeals:
        meta[REPEALS] = repeals
    meta.update(labelled(lines[:_LABEL_LINES]))  # said outright, so it beats what is inferred
    if "title" in meta and meta["title"] != title:
        meta["category"] = category_for(meta["title"])
    return meta


def labelled(lines: list[str]) -> dict[str, str]:
    """Values a page states under labels ("发文字号：国办发〔2020〕1号", "成文日期：…")."""
    found: dict[str, tuple[int, str]] = {}  # key -> (rank of its label, value)
    for i, line in enumerate(lines):
        matches = list(_LABEL.finditer(line))
        for j, match in enumerate(matches):
            if match.start() > 0 and not line[: match.start()].endswith((" ", "\u3000", "\t")):
                continue  # "…的发布日期：" inside a sentence is no label
            end = matches[j + 1].start() if j + 1 < len(matches) else len(line)
            value = line[match.end() : end].strip()
            if not value and j + 1 == len(matches) and i + 1 < len(lines):
                value = lines[i + 1]  # a table cell: the label, then its value on its own line
                if _LABEL.match(value):
                    continue
            label = re.sub(r"[\s\u3000]", "", match.group("label"))
            key, rank = _LABEL_KEY[label], _LABEL_RANK[label]
            cleaned = _labelled_value(key, value)
            if cleaned and (key not in found or rank < found[key][0]):
                found[key] = (rank, cleaned)
    return {key: value for key, (_, value) in found.items()}


def _labelled_value(key: str, value: str) -> str | None:
    if key in ("issued", "effective"):
        match = DATE.search(value) or _ISO_DATE.search(value)
        return parse_date(match) if match else None
    value = value.strip(BRACKETS)
    if key == "title":
        return _clean_title(value) if value else None
    value = squash(value)
    # Longer than any number or body name: a sentence, not a value (and the columns are bounded).
    return value if 0 < len(value) <= (60 if key == "doc_number" else 100) else None


def _issuer(history: list[dict[str, str | None]], lines: list[str], title: str) -> str | None:
    """Who adopted or promulgated the text first; else who signed it; else its title's author."""
    first = [e["body"] for e in history if e["body"] and e["action"] in ("通过", "公布")]
    named = [e["body"] for e in history if e["body"]]
    author = author_from_title(title)  # "最高人民法院、最高人民检察院关于…": both issue it
    issuer = (first[0] if first else named[0] if named else None) or _signature(lines)[0] or author
    if not issuer:
        return None
    # A court's judicial committee adopts its interpretations; the court issues them.
    issuer = "、".join(re.sub(r"(?<=院)(?:审判|检察)委员会$", "", p) for p in issuer.split("、"))
    return author if author and "、" in author and issuer in author.split("、") else issuer


def document_id(filename: str, language: str) -> str:
    """An id from a file name; a non-ASCII name keeps its ASCII part plus a hash of the name."""
    stem = unicodedata.normalize("NFC", Path(filename).stem)
    ascii_part = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    if stem.isascii():
        return f"{ascii_part or 'document'}-{language}"
    # "中医药法(2016-12-25)" and "疫苗管理法(2019-06-29)" both reduce to their dates: the hash
    # of the whole name keeps them apart, and the same name always gives the same id.
    digest = hashlib.sha256(stem.encode()).hexdigest()[:10]
    return f"{ascii_part[:80]}-{digest}-{language}" if ascii_part else f"doc-{digest}-{language}"


def category_for(title: str) -> str:
    """The category a title's kind word implies (条例 → regulation, 指南 → guideline)."""
    core = title.strip()
    while _TRAILING_NOTE.search(core):  # （试行）, （2019年修订）
        core = _TRAILING_NOTE.sub("", core)
    english = core.lower()  # an English title names its kind first: "Regulations on …"
    if core.endswith(_GUIDELINE_ENDS) or re.search(r"\bguidelines?\b|\bguidance\b", english):
        return "guideline"
    if core.endswith(_REGULATION_ENDS) or (
        re.search(_EN_REGULATION, english) and not re.match(_EN_POLICY, english)
    ):
        return "regulation"
    return "policy"


def _title(lines: list[str], filename: str) -> tuple[int, str]:
    """The title and the index of its (last) line: the first line, below a leading number."""
    if not lines:
        return 0, Path(filename).stem or filename
    at = 0
    while at + 1 < min(len(lines), _LABEL_LINES) and (
        _ANY_LABEL.match(lines[at]) or not _LABEL.sub("", lines[at]).strip()
    ):
        at += 1  # "索引号：…", "发文机关：…" above the title on a copied policy page
    if at + 1 < len(lines) and FILE_NUMBER.fullmatch(lines[at].strip(BRACKETS)):
        at += 1  # a notice may open with its number above the title
    title = _clean_title(lines[at])
    following = lines[at + 1] if at + 1 < len(lines) else ""
    if not lines[at].startswith("#") and _continues_title(title, following):
        return at + 1, title + following  # a PDF or a typeset page broke a long title in two
    return at, title


def _continues_title(title: str, line: str) -> bool:
    return (
        not _kind(title)
        and 0 < len(line) <= 40
        and bool(re.fullmatch(r"[\u4e00-\u9fff《》〈〉、（）()]+", line))
        and _kind(line)
        and not _BODY_START.match(line)
    )


def _kind(title: str) -> bool:
    """Whether a title ends with the word that names its kind (条例, 通知 …)."""
    core = title
    while _TRAILING_NOTE.search(core):
        core = _TRAILING_NOTE.sub("", core)
    return core.endswith(_REGULATION_ENDS + _GUIDELINE_ENDS + _POLICY_ENDS)


def _clean_title(line: str) -> str:
    title = line.lstrip("#").strip()
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1].strip()
    return title[:200] or line[:200]


def _opening(lines: list[str]) -> list[str]:
    opening = []
    for line in lines[:_OPENING_LINES]:
        if _BODY_START.match(line):
            break
        opening.append(line)
    return opening


def _date_line(opening: list[str]) -> str | None:
    """A line that is only a date ("2020年3月30日" under a notice's title)."""
    for line in opening:
        match = DATE.fullmatch(line.strip(BRACKETS))
        if match:
            return parse_date(match)
    return None


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """The issuing body and date signed at a notice's end ("国家药品监督管理局 / 2020年3月30日")."""
    tail = lines[-4:]
    for i, line in enumerate(tail):
        match = DATE.fullmatch(line.strip(BRACKETS))
        if match and i > 0:
            name = tail[i - 1].strip(BRACKETS)
            if is_name(name) and len(name) <= 40 and ORGAN_END.search(name):
                return name, parse_date(match)
    return None, None


def _effective(
    history: list[dict[str, str | None]], opening: list[str], text: str, issued: str | None
) -> str | None:
    started = [e["date"] for e in history if e["action"] == "施行" and e["date"]]
    if started:
        return max(started)
    # A PDF wraps lines anywhere, even inside "施行": look at the text with its lines joined.
    for region in ("".join(opening), re.sub(r"\s*\n\s*", "", text[-3000:])):
        for pattern in (_OWN_EFFECTIVE, _EFFECTIVE):
            found = [parse_date(m) for m in pattern.finditer(region)]
            found = [date for date in found if date]
            if found:
                return found[-1]
    if issued and _EFFECTIVE_ON_ISSUE.search(re.sub(r"\s+", "", text[-3000:])):
        return issued
    return None
