"""Texts another text repeals, read from its closing articles.

A new law or regulation often ends by repealing the texts it replaces, under other titles:
"本条例自2020年1月1日起施行。《中华人民共和国中外合资经营企业法实施条例》、…、《中华人民共和国
中外合作经营企业法实施细则》同时废止" (外商投资法实施条例, 第四十九条). A library of published
texts holds both, and both read as in force unless something says otherwise; the older one
answers in the newer one's words. Over the archive in ``../shared/corpus`` this reads 48 texts
as repealed (增值税暂行条例 by 增值税法, 人体器官移植条例 by 人体器官捐献和移植条例, …).

At ingest the titles a text repeals are kept in its metadata (`repeals`, as written). When the
index loads, each held text a repealing text names reads as superseded by it (`repealed_by`),
like an older edition (knowledge/editions.py): derived, never stored, so withdrawing the
repealing text undoes it. Only a whole text is repealed: "《X》第二十条同时废止" or "《X》中有关…
的规定同时废止" repeal a part and change nothing here. A text named again by a later one of its
own name (the 国家安全法 of 2015 after the one of 1993 the 反间谍法 repealed) is not touched: the
repealed text must be older than the repealing one, which must have taken effect.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping

from knowledge.documents import REPEALS, DocumentMeta
from knowledge.editions import edition_date, title_key
from knowledge.tables import SUPERSEDED_BY

REPEALED_BY = "repealed_by"  # derived metadata: the id of the text that repeals this one

CLOSING_CHARS = 3000  # where a text says what it repeals: its last articles
_NAME = re.compile(r"《([^《》]{2,120})》")
_HOLE = "\u0000"  # a title taken out of a clause, so that words inside titles do not count
# After a title: its number or date in brackets, then another title or the repeal itself.
_NOTE = r"(?:\s*[（(][^（）()]{1,40}[)）])?"
_BETWEEN = re.compile(rf"^{_NOTE}\s*(?:、|和|及|以及|与)?\s*$")
_REPEALED = re.compile(
    rf"^{_NOTE}\s*(?:(?:同时|即行|一并|予以|相应|自行)\s*)?废止"
    rf"|^{_NOTE}\s*自[^，。；]{{0,30}}?(?:之日)?起\s*(?:同时\s*)?废止"
)
_CLAUSE_END = re.compile(r"[。；;！]")


def repealed_titles(text: str) -> list[str]:
    """The titles of the whole texts a text's closing articles repeal, in order."""
    # A PDF wraps lines anywhere, even inside a title: read the close with its lines joined.
    tail = re.sub(r"\s*\n\s*", "", text[-CLOSING_CHARS:])
    found: list[str] = []
    for clause in _CLAUSE_END.split(tail):
        if "废止" not in _NAME.sub(_HOLE, clause):  # 《国务院关于废止…的决定》 repeals nothing
            continue
        names = list(_NAME.finditer(clause))
        for i, name in enumerate(names):
            title = name.group(1).strip()
            if _repealed(clause, names, i) and title not in found:
                found.append(title)
    return found


def _repealed(clause: str, names: list[re.Match[str]], i: int) -> bool:
    """Whether the i-th title of a clause is repealed whole: the repeal follows it, or follows
    the titles listed after it ("《A》、《B》和《C》同时废止")."""
    for j in range(i, len(names)):
        after = clause[names[j].end() : names[j + 1].start() if j + 1 < len(names) else None]
        if _REPEALED.match(after):
            return True
        if j + 1 == len(names) or not _BETWEEN.match(after):
            return False
    return False


def repealed(documents: Mapping[str, DocumentMeta], today: dt.date | None = None) -> dict[str, str]:
    """Each held text a repealing text names → the id of that repealing text.

    The repealing text must be in force or superseded itself (a repeal stays done when its
    law is amended again), have taken effect by `today`, and be newer than what it repeals.
    A translation of a repealed text is repealed with it.
    """
    held = _by_title(documents)
    out: dict[str, str] = {}
    for doc_id, since, key, _ in _repeals_in_effect(documents, today):
        for old in held.get((key, documents[doc_id].jurisdiction), ()):
            older = edition_date(documents[old])
            if older is not None and since is not None and older >= since:
                continue
            if documents[old].status == "in_force":
                out.setdefault(old, doc_id)
    for doc_id, meta in documents.items():
        if meta.translation_of in out and meta.status == "in_force":
            out.setdefault(doc_id, out[meta.translation_of])
    return out


def unheld(
    documents: Mapping[str, DocumentMeta], today: dt.date | None = None
) -> dict[str, tuple[str, str]]:
    """Texts the library does not hold that a held text repeals: the title as all its
    editions write it (title_key) → (the title as the repeal writes it, the repealing id)."""
    held = {key for key, _ in _by_title(documents)}
    out: dict[str, tuple[str, str]] = {}
    for doc_id, _, key, title in _repeals_in_effect(documents, today):
        if key not in held:
            out.setdefault(key, (title, doc_id))
    return out


def _by_title(documents: Mapping[str, DocumentMeta]) -> dict[tuple[str, str | None], list[str]]:
    """The Chinese documents by (title as all its editions write it, jurisdiction)."""
    out: dict[tuple[str, str | None], list[str]] = {}
    for doc_id, meta in documents.items():
        if meta.language == "zh":
            out.setdefault((title_key(meta.title), meta.jurisdiction), []).append(doc_id)
    return out


def _repeals_in_effect(
    documents: Mapping[str, DocumentMeta], today: dt.date | None
) -> Iterator[tuple[str, str | None, str, str]]:
    """(repealing id, the date it took effect, title_key, title as written) for every other
    text a text in force or superseded repeals, once that text has taken effect."""
    today_text = (today or dt.date.today()).isoformat()
    for doc_id, meta in documents.items():
        titles = meta.extra.get(REPEALS)
        if not isinstance(titles, list) or meta.status not in ("in_force", "superseded"):
            continue
        since = meta.effective or edition_date(meta)
        if since is not None and since > today_text:
            continue
        own = title_key(meta.title)
        for title in titles:
            key = title_key(str(title))
            if key != own:  # an older edition of its own text: editions say that
                yield doc_id, since, key, str(title)


def with_repeals(
    documents: Mapping[str, DocumentMeta], today: dt.date | None = None
) -> dict[str, DocumentMeta]:
    """The documents with each repealed text marked superseded by the text that repeals it."""
    out = dict(documents)
    for old, by in repealed(documents, today).items():
        out[old] = DocumentMeta.model_validate(
            {
                **documents[old].model_dump(),
                "status": "superseded",
                SUPERSEDED_BY: by,
                REPEALED_BY: by,
            }
        )
    return out
