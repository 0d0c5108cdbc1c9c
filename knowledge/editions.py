"""Editions of one text in the library: the latest in force is current, the older ones are not.

A library of published texts holds several editions of many of them (the archive in
``../shared/corpus`` has about 100 older editions of its texts: 行政复议法 of 2017 beside the
one of 2023, 公司法 of 2018 beside 2023). Two documents are editions of one text when their
titles are the same (without 《》, 中华人民共和国 or a trailing "(2019年修订)") in the same
language and jurisdiction. Among those in force, the one with the latest date is current; each
older one reads as superseded by it, unless staff already named what supersedes it. (Not to be
confused with a document's versions in the registry: the record of every change to one
document.)

This is derived from the documents' metadata, never stored: it holds whatever order the
editions were ingested in, withdrawing an edition changes it at once, and a file sync never
fights with it. To make an older edition current again, withdraw the newer one or give it
another status than in force (announced, draft).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.documents import ADOPTED, AMENDED, DocumentMeta
from knowledge.tables import SUPERSEDED_BY, DocumentRow

# A trailing note that dates or qualifies an edition, not one that numbers a text: 刑法修正案（七）
# and （八） are two texts, 药品管理法（2019年修订） and （2015年修正） two editions of one.
_EDITION_NOTE = re.compile(
    r"\s*[（(][^（）()]*(?:\d{4}|年|修订|修正|试行|暂行|草案)[^（）()]*[)）]$"
)
_PRC = "中华人民共和国"


def text_key(meta: DocumentMeta) -> tuple[str, str, str | None]:
    """What the editions of one text share: the title without 《》, 中华人民共和国 and a
    trailing edition note; the language; the jurisdiction."""
    return title_key(meta.title), meta.language, meta.jurisdiction


def title_key(title: str) -> str:
    """A title as all its editions write it: without 《》, 中华人民共和国 and a trailing edition
    note (《中华人民共和国药品管理法》（2019年修订） → 药品管理法)."""
    title = title.strip().strip("《》 ")
    while (trimmed := _EDITION_NOTE.sub("", title)) != title:
        title = trimmed.strip("《》 ")
    return title.removeprefix(_PRC)


def edition_date(meta: DocumentMeta) -> str | None:
    """The date of this edition of the text: its latest adoption, amendment or issue, else its
    entry into force (YYYY, YYYY-MM or YYYY-MM-DD, which compare as text)."""
    dates = [str(d) for d in (meta.issued, meta.extra.get(ADOPTED), meta.extra.get(AMENDED)) if d]
    return max(dates) if dates else meta.effective


def newer_editions(documents: Mapping[str, DocumentMeta]) -> dict[str, str]:
    """Each older in-force edition's id → the id of the current edition of its text.

    Only documents in force with a date take part; of two editions with the same date neither
    supersedes the other. A document staff marked superseded keeps what they named.
    """
    groups: dict[tuple[str, str, str | None], list[tuple[str, str]]] = {}
    for doc_id, meta in documents.items():
        date = edition_date(meta)
        if meta.status != "in_force" or date is None or meta.extra.get(SUPERSEDED_BY):
            continue
        key = text_key(meta)
        if key[0].endswith("修正案"):  # each amendment act is a text of its own
            continue
        groups.setdefault(key, []).append((date, doc_id))
    newer: dict[str, str] = {}
    for editions in groups.values():
        if len(editions) < 2:
            continue
        latest_date, latest = max(editions)
        for date, doc_id in editions:
            if date < latest_date:
                newer[doc_id] = latest
    return newer


def with_editions(documents: Mapping[str, DocumentMeta]) -> dict[str, DocumentMeta]:
    """The documents with each older edition marked superseded by the current one."""
    out = dict(documents)
    for old, current in newer_editions(documents).items():
        out[old] = DocumentMeta.model_validate(
            {**documents[old].model_dump(), "status": "superseded", SUPERSEDED_BY: current}
        )
    return out


def newer_edition(*, session: Session, document: DocumentRow) -> DocumentRow | None:
    """The current edition of this document's text when the library holds a newer one.

    A row whose metadata no longer validates (written by another path than the portal's)
    takes no part: the page that asks still shows.
    """
    meta = registry.valid_metas([document]).get(document.id)
    if document.withdrawn or meta is None:
        return None
    rows = registry.document_metas(session=session, title_contains=text_key(meta)[0])
    newer = newer_editions(registry.valid_metas(rows)).get(document.id)
    return next((row for row in rows if row.id == newer), None)
