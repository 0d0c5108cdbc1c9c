"""The interface in Simplified Chinese and English: the message catalogue and how to look it up.

The catalogue is built here, explicitly, from one table per area (the modules next to this
one); a key defined by two areas stops the import with `DuplicateKey`. Templates call
`t(key, **values)`, `tn(key, count, **values)` for a text with a count, and `tm(message)`
for a fixed English message of the portal (see web/templating.py).

A key missing from the catalogue is a bug that tests/web/test_i18n.py catches before release;
should one reach production anyway, the page still renders: the text falls back to the
other language, or to the key itself, and the first miss of each key is logged as a warning
(and kept in `missing_keys()`), so a broken page shows up in the logs, never as a 500.
"""

from __future__ import annotations

import logging

from web.i18n.accounts import ACCOUNT_MESSAGES
from web.i18n.answers import ANSWER_MESSAGES
from web.i18n.desk import DESK_MESSAGES
from web.i18n.errors import ERROR_MESSAGES
from web.i18n.gaps import GAPS_MESSAGES
from web.i18n.knowledge import KNOWLEDGE_MESSAGES
from web.i18n.labels import LABEL_MESSAGES
from web.i18n.language import LANGUAGES, UiLanguage, negotiate, plural_form
from web.i18n.portal import PORTAL_MESSAGES
from web.i18n.queue import QUEUE_MESSAGES
from web.i18n.services import SERVICE_MESSAGES
from web.i18n.site import SITE_MESSAGES
from web.i18n.tables import DuplicateKey, Messages, merge

__all__ = [
    "AREAS",
    "LANGUAGES",
    "MESSAGES",
    "DuplicateKey",
    "Messages",
    "UiLanguage",
    "has_text",
    "missing_keys",
    "negotiate",
    "translate",
    "translate_message",
    "translate_plural",
]

logger = logging.getLogger(__name__)

# Area -> its table. Each key has exactly one home; `merge` refuses a second.
AREAS: dict[str, Messages] = {
    "site": SITE_MESSAGES,
    "errors": ERROR_MESSAGES,
    "accounts": ACCOUNT_MESSAGES,
    "labels": LABEL_MESSAGES,
    "portal": PORTAL_MESSAGES,
    "gaps": GAPS_MESSAGES,
    "answers": ANSWER_MESSAGES,
    "knowledge": KNOWLEDGE_MESSAGES,
    "desk": DESK_MESSAGES,
    "services": SERVICE_MESSAGES,
    "queue": QUEUE_MESSAGES,
}

MESSAGES: Messages = merge(AREAS)

_missing: set[tuple[str, str]] = set()


def missing_keys() -> frozenset[tuple[str, str]]:
    """The (key, language) pairs looked up since start-up that had no text of their own."""
    return frozenset(_missing)


def has_text(key: str) -> bool:
    """Whether the catalogue has `key` (for a page that falls back to another text on purpose)."""
    return key in MESSAGES


def _text(key: str, language: UiLanguage) -> str:
    """The text of `key` in `language`; on a miss, the other language's, else the key (logged)."""
    texts = MESSAGES.get(key, {})
    if language in texts:
        return texts[language]
    if (key, language) not in _missing:
        _missing.add((key, language))
        logger.warning("no %s text for message key %r", language, key)
    return next(iter(texts.values()), key)


def translate(key: str, language: UiLanguage, **values: object) -> str:
    """The message for a key in a language, its {placeholders} filled from `values`."""
    message = _text(key, language)
    return message.format(**values) if values else message


def translate_plural(key: str, language: UiLanguage, count: int, **values: object) -> str:
    """The form of `key` (`key.one`, `key.other`) that suits `count`, with {count} filled in."""
    return translate(f"{key}.{plural_form(language, count)}", language, count=count, **values)


def translate_message(message: str, language: UiLanguage) -> str:
    """A fixed message of the portal (English) in the interface language, when translated."""
    return MESSAGES.get("msg." + message, {}).get(language, message)
