"""The two interface languages: which one a visitor gets, and how each counts things."""

from __future__ import annotations

from typing import Literal

UiLanguage = Literal["zh", "en"]
LANGUAGES: tuple[UiLanguage, ...] = ("zh", "en")
PluralForm = Literal["one", "other"]
PLURAL_FORMS: tuple[PluralForm, ...] = ("one", "other")


def plural_form(language: UiLanguage, count: int) -> PluralForm:
    """The plural form of `count` things (CLDR: English "one" for 1; Chinese has no plural)."""
    return "one" if language == "en" and count == 1 else "other"


def negotiate(accept_language: str | None) -> UiLanguage:
    """Pick zh or en from an Accept-Language header (Chinese unless English ranks higher)."""
    best: tuple[float, UiLanguage] | None = None
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and (best is None or quality > best[0]):
            best = (quality, primary)
    return best[1] if best else "zh"
