"""The history lines of a Chinese legal text: dated events, the bodies that acted, its number.

Under a law's title its history reads "2019年8月26日第十三届全国人民代表大会常务委员会第十二次
会议第二次修订" (one line per event) or "（2002年8月14日中华人民共和国国务院令第365号公布　根据
2011年1月8日《国务院关于废止和修改部分行政法规的决定》第一次修订）" (one bracketed line).
"""

from __future__ import annotations

import re

from knowledge.numerals import parse_number

_CN_DIGIT = "〇零○Ｏ一二三四五六七八九"
_CN_SMALL = "一二三四五六七八九十"
NUM = rf"[\d{_CN_DIGIT}十百千]+"
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
_QUOTED = re.compile(r"《[^》]*》|〈[^〉]*〉")
BRACKETS = "()（）[]［］【】 \t\u3000"
# After a date, these words start a sentence of the body ("2026年5月1日之前，…"), not an event.
_SENTENCE = re.compile(r"^\s*(?:之?[前后]|起(?!施行|实施|生效)|以来|至今?|，|,)")
_LEAD = re.compile(r"^(?:根据|经|于|由)")
_MEETING = re.compile(
    rf"^(?P<place>.*?)第?{NUM}届(?P<organ>.+?)第{NUM}次[\u4e00-\u9fff]{{0,4}}会议"
    rf"|^(?P<organ2>.+?)(?:{NUM}年)?第{NUM}次[\u4e00-\u9fff]{{0,4}}会议"
)
_ORDER = re.compile(
    rf"(?P<body>[\u4e00-\u9fff、]+?)(?P<kind>(?:令|公告)\s*(?:{NUM}年)?\s*第\s*{NUM}\s*号"
    rf"|第\s*{NUM}\s*号令)"
)
FILE_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,15}\s*[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*第?\s*\d+\s*号"
)
_PRC = "中华人民共和国"
# What follows a body's name in a history line, typos included ("第四会议", "十七次会议").
_BODY_TAIL = re.compile(
    rf"(?:第?{NUM}次?[\u4e00-\u9fff]{{0,4}}会议|(?:常务|办公|全体|主任)?会议|{NUM}次"
    r"|公告|公布|发布|批准|审议|修正|的|第)+$"
)
ORGAN_END = re.compile(
    r"(?:委员会|人民政府|办公厅|办公室|总局|管理局|监督管理局|[局部院署厅委行会]|中心|政府)$"
)


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
            if action is None and body and (_ORDER.search(words) or ORGAN_END.search(body)):
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
        bare = squash(line.strip(BRACKETS))
        following = squash(opening[i + 1]) if i + 1 < len(opening) else ""
        if FILE_NUMBER.fullmatch(bare) or _ORDER.fullmatch(bare):
            return _drop_country(bare)
        if bare.endswith("令") and is_name(bare) and re.fullmatch(rf"第{NUM}号", following):
            return _drop_country(bare + following)  # "中华人民共和国国务院令" / "第699号"
        if not DATE.match(_LEAD.sub("", bare)):
            continue
        # "…8月14日中华人民共和国国务院令…": the date is no part of a name.
        for segment in _QUOTED.split(DATE.sub(" ", line)):  # a cited document's is not this one's
            order = _ORDER.search(segment)
            if order:
                body = _drop_country(_after_last_stop(order.group("body")))
                return squash(body + segment[order.start("kind") : order.end()])
            number = FILE_NUMBER.search(segment)
            if number:  # "1993年8月7日 最高人民法院以法发〔1993〕15号通知印发"
                return squash(_after_last_stop(number.group()))
    return None


def _history_lines(opening: list[str]) -> list[str]:
    """Lines that open with a date (or 根据 + date); short lines after one continue it."""
    joined: list[str] = []
    for line in opening:
        bare = _LEAD.sub("", line.strip(BRACKETS))
        dated = DATE.match(bare)
        if dated and not _SENTENCE.match(bare[dated.end() :]):
            joined.append(line.strip(BRACKETS))
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
    plain = _unquoted(words).strip(BRACKETS + "，,、")
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
    before = re.sub(r"(?:第.次|公告|的|以|联合|批准的)+$", "", before.strip(BRACKETS))
    if 2 <= len(before) <= 40 and is_name(before):
        return _organ(before)
    if not before:  # "《国务院关于修改部分行政法规的决定》第一次修订": the decision's author
        quoted = _QUOTED.search(words)
        return author_from_title(quoted.group()[1:-1]) if quoted else None
    return None


def _after_last_stop(text: str) -> str:
    return re.split(r"通过|批准|公布|发布|[^\u4e00-\u9fff、]", text)[-1]


def _organ(name: str) -> str | None:
    # "杭州市第十二届人民代表大会常务委员会" → the body, without its term or a decision's name
    name = _drop_country(re.sub(rf"第?{NUM}届", "", name.split("关于", 1)[0]))
    name = _BODY_TAIL.sub("", name)
    return name if len(name) >= 2 and is_name(name) else None


def _drop_country(name: str) -> str:
    """Drop the country from a body's name (中华人民共和国国务院 → 国务院), not from 主席."""
    parts = [p if p == _PRC + "主席" else p.removeprefix(_PRC) for p in name.split("、")]
    return "、".join(p for p in parts if p)


def is_name(text: str) -> bool:
    """Whether a text is only Chinese characters and 、, as a body's name is."""
    return bool(re.fullmatch(r"[\u4e00-\u9fff、]+", text))


def squash(text: str) -> str:
    """Drop all white space (a number or name broken over lines)."""
    return re.sub(r"\s+", "", text)


def author_from_title(title: str) -> str | None:
    """The body a title names before 关于 ("国务院关于…的决定" → 国务院), if it is one."""
    head = title.split("关于", 1)[0] if "关于" in title else ""
    return head if 2 <= len(head) <= 40 and is_name(head) and ORGAN_END.search(head) else None
