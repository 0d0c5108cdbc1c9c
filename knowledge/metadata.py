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

from knowledge.numerals import parse_number

_CN_DIGIT = "〇零○Ｏ一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"
_NUM = rf"[\d{_CN_DIGIT}十百千]+"
DATE = re.compile(
    rf"(?P<y>\d{{4}}|[{_CN_DIGIT}]{{4}})\s*年\s*"
    rf"(?P<m>\d{{1,2}}|[{_CN_SMALL}]{{1,2}})\s*月\s*"
    rf"(?P<d>\d{{1,2}}|[{_CN_SMALL}]{{1,3}})\s*日"
)
# Written action → the action recorded; the last one in an event's words is its action.
_ACTIONS = {
    "通过": "通过",
    "公布": "公布",
    "发布": "公布",
    "印发": "公布",
    "修正": "修正",
    "修改": "修正",
    "修订": "修订",
    "批准": "批准",
    "施行": "施行",
    "实施": "施行",
    "执行": "施行",
    "废止": "废止",
}
_ACTION = re.compile("|".join(_ACTIONS))
_ISSUING = ("修订", "修正", "公布", "通过", "批准")  # events that make a version of the text
_QUOTED = re.compile(r"《[^》]*》|〈[^〉]*〉")
# Where the opening lines end and the body begins: a chapter, an article, a contents list.
_BODY_START = re.compile(
    rf"^(?:#+\s*)?(?:第{_NUM}[编章节条]|目\s*录|[一二三四五六七八九十]+、|各[省有]|附件)"
)
_BRACKETS = "()（）[]［］【】 \t\u3000"
# After a date, these words start a sentence of the body ("2026年5月1日之前，…"), not an event.
_SENTENCE = re.compile(r"^\s*(?:之?[前后]|起(?!施行|实施|生效)|以来|至今?|，|,)")
_LEAD = re.compile(r"^(?:根据|经|于|由)")
_MEETING = re.compile(
    rf"^(?P<place>.*?)第?{_NUM}届(?P<organ>.+?)第{_NUM}次[\u4e00-\u9fff]{{0,4}}会议"
    rf"|^(?P<organ2>.+?)(?:{_NUM}年)?第{_NUM}次[\u4e00-\u9fff]{{0,4}}会议"
)
_ORDER = re.compile(
    rf"(?P<body>[\u4e00-\u9fff、]+?)(?P<kind>(?:令|公告)\s*(?:{_NUM}年)?\s*第\s*{_NUM}\s*号"
    rf"|第\s*{_NUM}\s*号令)"
)
_FILE_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,15}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*第?\s*\d+\s*号"
)
_PRC = "中华人民共和国"
# What follows a body's name in a history line, typos included ("第四会议", "十七次会议").
_BODY_TAIL = re.compile(
    rf"(?:第?{_NUM}次?[\u4e00-\u9fff]{{0,4}}会议|(?:常务|办公|全体|主任)?会议|{_NUM}次"
    r"|公告|公布|发布|批准|审议|修正|的|第)+$"
)
_ORGAN_END = re.compile(
    r"(?:委员会|人民政府|办公厅|办公室|总局|管理局|监督管理局|[局部院署厅委行会]|中心|政府)$"
)
_TRAILING_NOTE = re.compile(r"\s*[（(][^（()）]{1,15}[)）]\s*$")
_REGULATION_ENDS = ("法", "条例", "规定", "办法", "细则", "规则", "决定", "解释", "决议")
_GUIDELINE_ENDS = ("指导原则", "指南", "规范")
_POLICY_ENDS = (
    "通知",
    "意见",
    "方案",
    "措施",
    "公告",
    "通告",
    "批复",
    "答复",
    "纲要",
    "规划",
    "目录",
)
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
    """Derive title, dates, issuer, document number, history and category from a text."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    title_at, title = _title(lines, filename)
    opening = _opening(lines[title_at + 1 :])
    history = events(opening)
    meta: dict[str, Any] = {"title": title, "category": category_for(title)}
    issuing = [e for e in history if e["action"] in _ISSUING]
    dates = sorted(e["date"] for e in issuing)
    if dates:
        meta["issued"] = dates[-1]
    adopted = next((e["date"] for e in history if e["action"] in ("通过", "公布")), None)
    amended = [e["date"] for e in history if e["action"] in ("修正", "修订")]
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
            value = _labelled_value(key, value)
            if value and (key not in found or rank < found[key][0]):
                found[key] = (rank, value)
    return {key: value for key, (_, value) in found.items()}


def _labelled_value(key: str, value: str) -> str | None:
    if key in ("issued", "effective"):
        match = DATE.search(value) or _ISO_DATE.search(value)
        return parse_date(match) if match else None
    value = value.strip(_BRACKETS)
    if key == "title":
        return _clean_title(value) if value else None
    value = _squash(value)
    # Longer than any number or body name: a sentence, not a value (and the columns are bounded).
    return value if 0 < len(value) <= (60 if key == "doc_number" else 100) else None


def _issuer(history: list[dict[str, str | None]], lines: list[str], title: str) -> str | None:
    """Who adopted or promulgated the text first; else who signed it; else its title's author."""
    first = [e["body"] for e in history if e["body"] and e["action"] in ("通过", "公布")]
    named = [e["body"] for e in history if e["body"]]
    author = _issuer_from_title(title)  # "最高人民法院、最高人民检察院关于…": both issue it
    issuer = (first or named or [None])[0] or _signature(lines)[0] or author
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
    if core.endswith(_GUIDELINE_ENDS):
        return "guideline"
    if core.endswith(_REGULATION_ENDS):
        return "regulation"
    return "policy"


def parse_date(match: re.Match[str]) -> str | None:
    """A DATE match as YYYY-MM-DD, or None when it is no calendar date."""
    year, month, day = (parse_number(match.group(k)) for k in ("y", "m", "d"))
    if year is None or month is None or day is None:
        return None
    if not (1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def events(opening: list[str]) -> list[dict[str, str | None]]:
    """Every dated event (date, body, action) of a text's opening lines, in order."""
    found: list[dict[str, str | None]] = []
    for line in _history_lines(opening):
        matches = list(DATE.finditer(line))
        for i, match in enumerate(matches):
            date = parse_date(match)
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            words = line[match.end() : end]
            if _SENTENCE.match(words):
                continue  # "2026年5月1日之前，…": a sentence of the body, not an event
            action = _last_action(words)
            body = _body(words)
            if action is None and words.rstrip().endswith("、") and i + 1 < len(matches):
                following = matches[i + 2].start() if i + 2 < len(matches) else len(line)
                action = _last_action(line[matches[i + 1].end() : following])  # adopted jointly
            if action is None and body and (_ORDER.search(words) or _ORGAN_END.search(body)):
                action = "公布"  # "2017年11月22日 国务院令第692号", "1984年4月4日 国务院"
            if date is None or action is None:
                continue
            if action == "施行" and "公布" in _actions(words):  # "令第4号发布 自发布之日施行"
                found.append({"date": date, "body": body, "action": "公布"})
                body = None
            found.append({"date": date, "body": body, "action": action})
    return found


def doc_number(opening: list[str]) -> str | None:
    """The document number in the opening lines (国务院令第365号, 国药监〔2020〕12号).

    Only a line that is the number, or a history line, counts: a sentence that cites
    another document's number ("依照国务院令第818号") does not.
    """
    for i, line in enumerate(opening):
        bare = _squash(line.strip(_BRACKETS))
        following = _squash(opening[i + 1]) if i + 1 < len(opening) else ""
        if _FILE_NUMBER.fullmatch(bare) or _ORDER.fullmatch(bare):
            return _drop_country(bare)
        if bare.endswith("令") and _is_name(bare) and re.fullmatch(rf"第{_NUM}号", following):
            return _drop_country(bare + following)  # "中华人民共和国国务院令" / "第699号"
        if not DATE.match(_LEAD.sub("", bare)):
            continue
        # "…8月14日中华人民共和国国务院令…": the date is no part of a name.
        for segment in _QUOTED.split(DATE.sub(" ", line)):  # a cited document's is not this one's
            order = _ORDER.search(segment)
            if order:
                body = _drop_country(_after_last_stop(order.group("body")))
                return _squash(body + segment[order.start("kind") : order.end()])
            number = _FILE_NUMBER.search(segment)
            if number:  # "1993年8月7日 最高人民法院以法发〔1993〕15号通知印发"
                return _squash(_after_last_stop(number.group()))
    return None


def _title(lines: list[str], filename: str) -> tuple[int, str]:
    """The title and the index of its (last) line: the first line, below a leading number."""
    if not lines:
        return 0, Path(filename).stem or filename
    at = 0
    while at + 1 < min(len(lines), _LABEL_LINES) and (
        _ANY_LABEL.match(lines[at]) or not _LABEL.sub("", lines[at]).strip()
    ):
        at += 1  # "索引号：…", "发文机关：…" above the title on a copied policy page
    if at + 1 < len(lines) and _FILE_NUMBER.fullmatch(lines[at].strip(_BRACKETS)):
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


def _history_lines(opening: list[str]) -> list[str]:
    """Lines that open with a date (or 根据 + date); short lines after one continue it."""
    joined: list[str] = []
    for line in opening:
        bare = _LEAD.sub("", line.strip(_BRACKETS))
        dated = DATE.match(bare)
        if dated and not _SENTENCE.match(bare[dated.end() :]):
            joined.append(line.strip(_BRACKETS))
        elif joined and joined[-1] and len(bare) <= 100 and _unfinished(joined[-1]):
            # One event on two lines: "1958年4月19日 交通部" / "水产部发布", or a PDF's wrap.
            joined[-1] += bare
        else:
            joined.append("")  # anything else ends the run of history lines
    return [line for line in joined if line]


def _unfinished(line: str) -> bool:
    """Whether a history line's last event still lacks its action or closing bracket."""
    words = line[list(DATE.finditer(line))[-1].end() :]
    if line.count("《") > line.count("》") or line.count("（") > line.count("）"):
        return True
    return _last_action(words) is None and not _ORDER.search(words)


def _unquoted(words: str) -> str:
    """The words outside 《》 titles; a title still open at the end is cut off too."""
    return _QUOTED.sub("", words).split("《", 1)[0]


def _actions(words: str) -> list[str]:
    return [_ACTIONS[m.group()] for m in _ACTION.finditer(_unquoted(words))]


def _last_action(words: str) -> str | None:
    found = _actions(words)
    return found[-1] if found else None


def _body(words: str) -> str | None:
    """The body that acted, from the words between a date and its action."""
    plain = _unquoted(words).strip(_BRACKETS + "，,、")
    plain = _LEAD.sub("", plain)
    if "会议、" in plain:  # adopted jointly: "最高人民法院审判委员会第1422次会议、最高人民检察院…"
        parts = [part + "会议" for part in plain.split("会议、")[:-1]] + plain.split("会议、")[-1:]
        bodies = [body for body in map(_body, parts) if body]
        return "、".join(dict.fromkeys(bodies)) or None
    order = _ORDER.search(plain)
    if order:
        return _organ(_after_last_stop(order.group("body")))
    meeting = _MEETING.search(plain)
    if meeting:
        place = meeting.group("place") or ""
        organ = meeting.group("organ") or meeting.group("organ2") or ""
        return _organ(_after_last_stop(place) + organ)
    action = list(_ACTION.finditer(plain))
    before = plain[: action[-1].start()] if action else plain
    before = re.sub(r"(?:第.次|公告|的|以|联合|批准的)+$", "", before.strip(_BRACKETS))
    if 2 <= len(before) <= 40 and _is_name(before):
        return _organ(before)
    if not before:  # "《国务院关于修改部分行政法规的决定》第一次修订": the decision's author
        quoted = _QUOTED.search(words)
        return _issuer_from_title(quoted.group()[1:-1]) if quoted else None
    return None


def _after_last_stop(text: str) -> str:
    return re.split(r"通过|批准|公布|发布|[^\u4e00-\u9fff、]", text)[-1]


def _organ(name: str) -> str | None:
    # "杭州市第十二届人民代表大会常务委员会" → the body, without its term or a decision's name
    name = _drop_country(re.sub(rf"第?{_NUM}届", "", name.split("关于", 1)[0]))
    name = _BODY_TAIL.sub("", name)
    return name if len(name) >= 2 and _is_name(name) else None


def _drop_country(name: str) -> str:
    """Drop the country from a body's name (中华人民共和国国务院 → 国务院), not from 主席."""
    parts = [p if p == _PRC + "主席" else p.removeprefix(_PRC) for p in name.split("、")]
    return "、".join(p for p in parts if p)


def _is_name(text: str) -> bool:
    return bool(re.fullmatch(r"[\u4e00-\u9fff、]+", text))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _issuer_from_title(title: str) -> str | None:
    head = title.split("关于", 1)[0] if "关于" in title else ""
    return head if 2 <= len(head) <= 40 and _is_name(head) and _ORGAN_END.search(head) else None


def _date_line(opening: list[str]) -> str | None:
    """A line that is only a date ("2020年3月30日" under a notice's title)."""
    for line in opening:
        match = DATE.fullmatch(line.strip(_BRACKETS))
        if match:
            return parse_date(match)
    return None


def _signature(lines: list[str]) -> tuple[str | None, str | None]:
    """The issuing body and date signed at a notice's end ("国家药品监督管理局 / 2020年3月30日")."""
    tail = lines[-4:]
    for i, line in enumerate(tail):
        match = DATE.fullmatch(line.strip(_BRACKETS))
        if match and i > 0:
            name = tail[i - 1].strip(_BRACKETS)
            if _is_name(name) and len(name) <= 40 and _ORGAN_END.search(name):
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
