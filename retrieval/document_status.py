"""How an answer labels a draft, superseded or announced document, and when the past is asked."""

from __future__ import annotations

import re

from knowledge.documents import REPEALS, DocumentMeta
from knowledge.editions import edition_date, text_key, title_key
from knowledge.repeals import REPEALED_BY
from knowledge.text import Language
from retrieval.framing import book_title, english_title, sentence_start
from retrieval.index import KnowledgeIndex

STATUS_LABELS = {
    "zh": {
        "draft": "征求意见稿",
        "superseded": "已被取代",
        "announced": "已公布、尚未施行",
        "proposed": "中心拟议、尚未公布",
        "expired": "已到期",
    },
    "en": {
        "draft": "draft for comment",
        "superseded": "superseded",
        "announced": "announced, not yet in force",
        "proposed": "proposed by the center, not yet published",
        "expired": "expired",
    },
}


_PAST = re.compile(
    r"以前|过去|原来|原先|旧|历史|曾经|此前|废止|被取代|草案|征求意见稿|\b(?:19|20)[01]\d\b|2020|2021"
    r"|previous|former|earlier|old\b|history|historical|used to|superseded|replaced|draft|before",
    re.IGNORECASE,
)


def asks_about_the_past(question: str) -> bool:
    """Whether a question asks about earlier or replaced rules."""
    return bool(_PAST.search(question))


def superseded_by(meta: DocumentMeta) -> str | None:
    """The id of the document that replaces a superseded one, when staff named it."""
    value = meta.extra.get("superseded_by")
    return str(value) if value else None


def repealed_by(index: KnowledgeIndex, document_id: str) -> str | None:
    """The id of the held text whose closing articles repeal this one (knowledge/repeals.py)."""
    meta = index.documents.get(document_id)
    value = meta.extra.get(REPEALED_BY) if meta is not None else None
    return str(value) if value else None


def repeals_of(index: KnowledgeIndex, document_id: str) -> list[tuple[str, str | None]]:
    """The texts a document repeals: each title with the id of the held text it names (the
    one this document now supersedes), or None when the library does not hold it."""
    meta = index.documents.get(document_id)
    titles = meta.extra.get(REPEALS) if meta is not None else None
    if not isinstance(titles, list):
        return []
    held = {
        title_key(other.title): other_id
        for other_id, other in index.documents.items()
        if other.extra.get(REPEALED_BY) == document_id and other.language == "zh"
    }
    return [(str(t), held.get(title_key(str(t)))) for t in titles]


def _english_named(meta: DocumentMeta) -> str:
    """A text as an English answer names it: a Chinese text by its English name where the
    glossary has one (else in 《》), an English text in quotation marks."""
    return english_title(meta) if meta.language == "zh" else f"“{meta.title.strip('《》')}”"


def status_label(index: KnowledgeIndex, document_id: str, language: Language) -> str | None:
    """What an answer says after a citation of a draft, superseded or announced text."""
    meta = index.documents[document_id]
    label = STATUS_LABELS[language].get(meta.status)
    replacement = superseded_by(meta) if meta.status == "superseded" else None
    if replacement is not None and replacement in index.documents:
        newer = index.documents[replacement]
        title = newer.title.strip("《》")
        named = _english_named(newer)
        year = (edition_date(newer) or "")[:4]
        if meta.extra.get(REPEALED_BY) == replacement:  # its closing articles repeal this one
            return f"repealed by {named}" if language == "en" else f"已被《{title}》废止"
        if year and text_key(newer) == text_key(meta):  # a newer edition of the same text
            if language == "en":
                return f"superseded by the {year} edition of {named}"
            return f"已被{year}年版《{title}》取代"
        return f"superseded by {named}" if language == "en" else f"已被《{title}》取代"
    return label


# A question whether a text still applies: 还有效吗, 是否废止, still in force, been repealed.
_IN_FORCE = re.compile(
    r"还有效|是否有效|仍然有效|仍有效|现行有效|还适用|是否适用|仍然适用|仍适用|还能用|还在用"
    r"|是否(?:已经?)?(?:被)?废止|(?:被|已经?)废止了?吗|失效了?吗|还生效"
    r"|\bstill\s+(?:in\s+force|valid|effective|in\s+effect|applicable|appl(?:y|ies)|current)"
    r"|\b(?:been|was|were)\s+repealed|\bno\s+longer\s+(?:valid|in\s+force|appl(?:y|ies))",
    re.IGNORECASE,
)


def asks_if_in_force(question: str) -> bool:
    """Whether a question asks if a text is still in force."""
    return bool(_IN_FORCE.search(question))


def status_sentence(index: KnowledgeIndex, document_id: str, language: Language) -> str:
    """That a text is no longer in force, and what replaced it: "《…实施细则》已被《…实施条例》
    废止。" An older edition of a text says nothing here: its quotes' labels say it."""
    return sentence_start(_no_longer_in_force(index, document_id, language))


def _no_longer_in_force(index: KnowledgeIndex, document_id: str, language: Language) -> str:
    """status_sentence as it reads inside a sentence (English "the …", not "The …")."""
    meta = index.documents.get(document_id)
    if meta is None or meta.status not in ("superseded", "expired"):
        return ""
    replacement = index.documents.get(superseded_by(meta) or "")
    if (
        replacement is not None
        and text_key(replacement) == text_key(meta)
        and meta.extra.get(REPEALED_BY) != superseded_by(meta)
    ):
        return ""
    label = status_label(index, document_id, language)
    if language == "zh":
        return f"{book_title(meta)}{label}。"
    where = _english_named(meta)
    return f"{where} has expired." if meta.status == "expired" else f"{where} was {label}."


def current_edition(index: KnowledgeIndex, document_id: str) -> str | None:
    """The current edition of a text when this document is an older edition of it the library
    also holds (knowledge/editions.py), else None (current itself, or replaced by another text)."""
    meta = index.documents.get(document_id)
    current: str | None = None
    seen = {document_id}
    while meta is not None and meta.status == "superseded":
        newer_id = superseded_by(meta)
        newer = index.documents.get(newer_id or "")
        if (
            newer_id is None
            or newer is None
            or newer_id in seen
            or text_key(newer) != text_key(meta)
            or meta.extra.get(REPEALED_BY) == newer_id
        ):
            break
        seen.add(newer_id)
        current, meta = newer_id, newer
    return current


def edition_sentence(index: KnowledgeIndex, document_id: str, language: Language) -> str:
    """That an older edition of a text was replaced by a newer one the library holds:
    "《…》（2015年版）已被2021年版《…》取代。" ("" for a document that is no older edition)."""
    meta = index.documents.get(document_id)
    if meta is None or current_edition(index, document_id) is None:
        return ""
    year = (edition_date(meta) or "")[:4]
    label = status_label(index, document_id, language)
    if language == "zh":
        return f"{book_title(meta)}{f'（{year}年版）' if year else ''}{label}。"
    named = _english_named(meta)
    where = f"The {year} edition of {named}" if year else named
    return f"{sentence_start(where)} was {label}."


def in_force_sentence(index: KnowledgeIndex, document_id: str, language: Language) -> str:
    """That the library holds a text as in force (or published, not yet in force), and which
    edition: what the library knows, said as its record, not as a ruling on the law."""
    meta = index.documents.get(document_id)
    if meta is None or meta.status not in ("in_force", "announced"):
        return ""
    year = (edition_date(meta) or "")[:4]
    if language == "zh":
        title = book_title(meta) + (f"（{year}年版）" if year else "")
        if meta.status == "announced":
            return f"据文档库记录，{title}已公布、尚未施行。"
        return f"据文档库记录，{title}现行有效：库中没有废止或取代它的文本。"
    where = english_title(meta) + (f" ({year} edition)" if year else "")
    if meta.status == "announced":
        return (
            f"According to the library's records, {where} has been published but is not yet in "
            "force."
        )
    return (
        f"According to the library's records, {where} is in force: no text in the library "
        "repeals or replaces it."
    )


def status_note(index: KnowledgeIndex, document_id: str, language: Language) -> str:
    """Said first when a question names a text that is no longer in force."""
    clause = _no_longer_in_force(index, document_id, language)
    if not clause:
        return ""
    return f"（{clause}）" if language == "zh" else f"(Note: {clause}) "
