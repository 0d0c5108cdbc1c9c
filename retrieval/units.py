"""The quotable units of a passage: an article's paragraphs (款) and items (项), else sentences.

An answer quotes whole units. A paragraph of an article is true on its own; an item is quoted
with the lead-in of its paragraph ("…广告不得含有下列内容：" … "（三）…"), so that what is
quoted never loses the condition that makes it true.
"""

from __future__ import annotations

import re

from knowledge import legal
from knowledge.legal import Unit
from knowledge.numerals import NUMERAL_CHARS
from knowledge.text import split_sentences

# Bump when the units of a passage change: stored unit vectors are then computed again.
UNITS_VERSION = 2

_LABEL = re.compile(rf"^\s*第[{NUMERAL_CHARS}\d]+条(?:之[{NUMERAL_CHARS}]+)?[\s\u3000]*")


def article_label_length(text: str) -> int:
    """Length of the "第十九条 " label a passage text starts with (0 when none)."""
    match = _LABEL.match(text)
    return match.end() if match else 0


def legal_units(text: str, paragraph_start: int = 1) -> list[Unit]:
    """An article passage's paragraphs and items (knowledge.legal), without the article label.

    The label ("第十九条 ") is not part of the first unit: citations name the article.
    """
    out: list[Unit] = []
    label = article_label_length(text)
    for unit in legal.units(text, paragraph_start):
        start, body = unit.start, unit.text
        if start < label:  # the article's first line: its text after the label
            body, start = body[label - start :], label
            if not body.strip():
                continue
        lead = unit.lead_in
        if lead is not None and lead[0] < label:
            lead = (label, lead[1])
        out.append(Unit(body, start, unit.paragraph, unit.item, lead_in=lead))
    return out


def sentence_units(text: str) -> list[Unit]:
    """A passage's sentences (documents without articles)."""
    units: list[Unit] = []
    position = 0
    for sentence in split_sentences(text):
        at = text.find(sentence, position)
        if at < 0:
            at = text.find(sentence)
        units.append(Unit(sentence, max(at, 0)))
        if at >= 0:
            position = at + len(sentence)
    return units


def passage_units(text: str, *, article_key: str | None, paragraph_start: int | None) -> list[Unit]:
    """The units of a passage: legal units for an article, else sentences."""
    if article_key:
        return legal_units(text, paragraph_start or 1)
    return sentence_units(text)


def unit_spans(units: list[Unit]) -> list[list[tuple[int, int]]]:
    """What to embed for each unit, as spans of the passage: an item's lead-in, then the item.

    An item carries its paragraph's lead-in as context ("…不得含有下列内容：" + "（三）…").
    """
    return [
        ([unit.lead_in] if unit.lead_in is not None else []) + [(unit.start, unit.end)]
        for unit in units
    ]
