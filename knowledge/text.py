"""Language detection, normalisation and sentence splitting for Chinese and English text."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Language = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_QUOTED = re.compile(
    r"《[^》]*》|「[^」]*」|[\u4e00-\u9fff]{1,12}[〔\[［(（【]\s*\d{4}\s*[〕\]］)）】]\d+号"
)
_ZH_FUNCTION = re.compile(r"[的吗呢了是在有和与或么哪谁几]|什么|多少|如何|怎么|是否|可以|能否|请问")
_EN_FUNCTION = re.compile(
    r"\b(?:the|a|an|is|are|was|were|do|does|did|what|when|which|who|how|can|could|of|to|for"
    r"|in|on|our|we|it|under|with|and|or|has|have|must|should|will)\b",
    re.IGNORECASE,
)

# A sentence ends at 。！？, at . ! ? followed by white space, or at a line break; not at a
# semicolon, so that a hedge after one ("…; not yet confirmed") stays with its claim.
# A Chinese sentence may close with a quote or bracket after its stop.
_SENTENCE_END = re.compile(
    r"(?<=[。！？!?])[”’」』）)]*"
    r"|(?<=[.!?])[\"')\]]*(?=\s+[A-Z0-9(\"“《〔【\u3400-\u9fff])"
    r"|\n+"
)
# Abbreviations after which a full stop does not end an English sentence.
_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "No.",
    "Art.",
    "Arts.",
    "Co.",
    "Ltd.",
    "Dr.",
    "vs.",
    "etc.",
    "approx.",
)

# Document-number brackets come in many shapes; 〔〕 is the official one.
_BRACKET_YEAR = re.compile(r"[\[［(（【〔]\s*((?:19|20)\d{2})\s*[\]］)）】〕]")


def detect_language(text: str) -> Language:
    """Return "zh" or "en": the language the text is written in, not the names it quotes.

    Titles in 《》, document numbers and product names are often Chinese inside an English
    question ("When was 国发〔2022〕13号 issued?") and English inside a Chinese one, so the
    grammar words decide first and character counts only break a tie.
    """
    core = _QUOTED.sub(" ", text)
    zh_words = len(_ZH_FUNCTION.findall(core))
    en_words = len(_EN_FUNCTION.findall(core))
    if zh_words != en_words:
        return "zh" if zh_words > en_words else "en"
    cjk = len(_CJK.findall(core))
    latin = len(_LATIN_WORD.findall(core))
    # One Chinese character carries about as much as one English word.
    return "zh" if cjk and cjk >= latin else "en"


def normalize(text: str) -> str:
    """Fold full-width forms, unify document-number brackets and collapse white space."""
    text = unicodedata.normalize("NFKC", text)
    text = _BRACKET_YEAR.sub(r"〔\1〕", text)
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Split text into sentences, keeping each sentence's own characters verbatim."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        piece = text[start:end]
        if "\n" not in match.group() and piece.rstrip().endswith(_ABBREVIATIONS):
            continue
        if piece.strip():
            sentences.append(piece.strip())
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in (_strip_list_marker(s) for s in sentences) if _has_content(s)]


def _strip_list_marker(sentence: str) -> str:
    return re.sub(r"^(?:[-*+]\s+|#{1,6}\s+)", "", sentence).strip()


def _has_content(sentence: str) -> bool:
    return bool(_CJK.search(sentence) or re.search(r"[A-Za-z0-9]", sentence))
