"""Traditional → Simplified Chinese, so Hong Kong and Macao questions meet the mainland texts.

The conversion uses OpenCC's own dictionaries, which ship inside the ``opencc`` wheel (nothing
is downloaded). The configuration is ``hk2s``: Hong Kong and Macao write the Hong Kong standard
forms (衞生, 綫, 裏), which plain ``t2s`` leaves unchanged (衞 stays 衞), while ``hk2s`` first
maps them to OpenCC's Traditional forms and then to Simplified. Taiwan's common forms (裡, 為,
臺) convert as well. ``tw2s`` was not chosen: it maps 著 to 着, which breaks 著作权 and 显著.
Conversion is character by character with OpenCC's phrase tables for ambiguous characters
(乾隆 stays, 乾燥 → 干燥); it does not replace regional vocabulary (資訊 → 资讯, not 信息), so
the converted text says what the question said, only in the other script.

Two corrections keep Simplified text intact (found by converting all 3,483 mainland texts of
the shared corpus, see the tests): OpenCC reads 坏 before 土 as the old variant of 坯 (破坏土地 →
破坯土地), and maps a few characters to rare extension-plane forms that fonts and our texts do
not use (二噁英 → 二𫫇英); in both cases the original character is kept.

One converter is shared by every thread: OpenCC's ``Converter::Convert`` is ``const`` over
dictionaries that are read-only after loading, and the tests convert from many threads at once.
"""

from __future__ import annotations

import re
import threading

import opencc

_CONFIG = "hk2s"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()
_converter: opencc.OpenCC | None = None


def _get_converter() -> opencc.OpenCC:
    """Load OpenCC's dictionaries once (about 30 ms), on first use rather than at import."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                _converter = opencc.OpenCC(_CONFIG)
    return _converter


# Simplified characters that OpenCC may still map in some contexts (坏土 → 坯土).
_KEEP = frozenset("坏")


def to_simplified(text: str) -> str:
    """Return the text in Simplified characters; Simplified and other text comes back unchanged."""
    if not _CJK.search(text):
        return text
    converted = _get_converter().convert(text)
    if converted == text or len(converted) != len(text):
        return converted
    return "".join(
        old if old != new and (old in _KEEP or ord(new) > 0xFFFF) else new
        for old, new in zip(text, converted, strict=True)
    )


def changed_characters(text: str) -> int:
    """Count the Chinese characters that Traditional → Simplified conversion changes."""
    converted = to_simplified(text)
    if converted == text:
        return 0
    if len(converted) != len(text):  # OpenCC maps character to character; be safe if not
        return sum(1 for ch in text if _CJK.match(ch) and to_simplified(ch) != ch)
    return sum(1 for old, new in zip(text, converted, strict=True) if old != new)


def is_traditional(text: str) -> bool:
    """Tell whether the text is written in Traditional characters.

    True when conversion changes at least one Chinese character in twenty (and at least one):
    a Simplified text may hold the odd character OpenCC would still map (祇, 乾 outside its
    phrases), which must not make a long mainland text count as Traditional, while a short
    question such as 藥品 (one changed character in two) counts.
    """
    cjk = len(_CJK.findall(text))
    if not cjk:
        return False
    changed = changed_characters(text)
    return changed >= 1 and changed * 20 >= cjk
