"""The words around a quote: which document and article says it, in the question's language.

A Chinese answer: 《中华人民共和国广告法》第十六条第一款规定：“…”[1]. An English answer over a
Chinese source says so in English around the Chinese quote: Article 16, paragraph 1 of the
Advertising Law … (2021) provides (Chinese original): “…” [1]. Nothing inside the quotation
marks is ours.
"""

from __future__ import annotations

from knowledge.documents import DocumentMeta
from knowledge.editions import edition_date
from knowledge.glossary import english_name
from knowledge.legal_locators import locator_en
from knowledge.text import Language
from retrieval.cited_answer import Citation
from retrieval.references import article_refs


def _year(meta: DocumentMeta) -> str:
    return f" ({meta.issued[:4]})" if meta.issued else ""


def book_title(meta: DocumentMeta) -> str:
    """The document's title in book-title marks: 《中华人民共和国广告法》."""
    return meta.title if meta.title.startswith("《") else f"《{meta.title}》"


def english_title(meta: DocumentMeta) -> str:
    """A Chinese text named in English: "the Advertising Law of …" when the glossary has its
    English name, else its Chinese title in book-title marks."""
    name = english_name(meta.title)
    return f"the {name}" if name else book_title(meta)


def frame_quote(
    citation: Citation, meta: DocumentMeta, language: Language, label: str | None
) -> str:
    """One quote of an answer with its frame, its marker and its status label."""
    marker = f"[{citation.n}]"
    if label:
        marker += f"（{label}）" if language == "zh" else f" ({label})"
    quote = citation.excerpt or citation.quote
    if language == "zh":
        if citation.locator:
            return f"{book_title(meta)}{citation.locator}规定：“{quote}”{marker}"
        return f"{quote}{marker}"
    if meta.language == "en":
        return f"{quote} {marker}"
    # An English question answered from a Chinese text: say so, in English, around the quote.
    where = english_title(meta)
    if citation.locator and citation.article:
        refs = article_refs(citation.article)
        key = refs[0].key if refs else citation.article
        place = locator_en(key, citation.paragraph, citation.item)
        return f"{place} of {where}{_year(meta)} provides (Chinese original): “{quote}” {marker}"
    return f"{sentence_start(where)}{_year(meta)} states (Chinese original): “{quote}” {marker}"


def edition_note(meta: DocumentMeta, year: str, language: Language) -> str:
    """Said before the quotes when a question asks for an edition of a year the library does
    not hold ("2015年的专利法实施细则"): the quotes are from the edition it holds."""
    held = (edition_date(meta) or "")[:4]
    if language == "zh":
        title = book_title(meta)
        if not held:
            return f"（本库收录的{title}未注明版本年份，无法确认是否为{year}年版。）"
        return f"（本库没有{year}年版的{title}，以下引自其{held}年版。）"
    where = english_title(meta)
    if not held:
        return (
            f"(The library's copy of {where} gives no edition year: it may not be the {year} one.) "
        )
    return (
        f"(The library holds no {year} edition of {where}; "
        f"the quotes are from its {held} edition.) "
    )


def sentence_start(text: str) -> str:
    """English text as a sentence begins it: "the Drug Administration Law …" → "The …"
    (str.capitalize would lower-case the rest of the name)."""
    return text[:1].upper() + text[1:]


def unmentioned_note(terms: list[str], language: Language) -> str:
    """Said before the quotes when the question names a regulatory term no text of the library
    mentions (retrieval.keyword.KeywordIndex.unknown_terms): the quotes are the nearest the
    library has, and may not answer it."""
    if not terms:
        return ""
    if language == "zh":
        named = "、".join(f"“{t}”" for t in terms)
        return f"（文档库中没有提到{named}的文本，以下引文未必回答您的问题。）"
    named = ", ".join(f"“{t}”" for t in terms)
    return (
        f"(No text in the library mentions {named}; the quotes below may not answer the question.) "
    )
