"""Where a staff reply meets the knowledge base: a cited draft, and a check of its figures.

The portal never imports the assistant; this module turns the assistant's answer into draft
text for the reply box and runs retrieval.claim_check over a reply before it is sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from portal.models import ServiceRequest
from retrieval.assistant import Assistant
from retrieval.cited_answer import Answer
from retrieval.claim_check import SentenceCheck, assistant_finder, check_reply, unsupported

MAX_DRAFT_QUESTION = 500


@dataclass(frozen=True)
class ReplyReview:
    """A reply with the sentences whose figures no passage supports, ready to highlight."""

    segments: list[tuple[str, SentenceCheck | None]]  # the reply in order; flagged parts marked
    flagged: list[SentenceCheck]


def default_question(item: ServiceRequest) -> str:
    """What to ask the knowledge base for a request: its title and the start of its text."""
    description = " ".join(item.description.split())
    question = f"{item.title} {description}".strip()
    return question[:MAX_DRAFT_QUESTION]


def draft_text(answer: Answer, *, sources_label: str) -> str:
    """The assistant's answer as reply text: the cited sentences, then one line per source."""
    lines = [answer.answer.strip(), "", sources_label]
    for c in answer.citations:
        where = f" {c.locator or c.section}" if (c.locator or c.section) else ""
        lines.append(f"[{c.n}] {c.title}{where} {c.url}")
    return "\n".join(lines)


def with_draft(body: str, draft: str) -> str:
    """The reply box after a draft is filled in: what staff wrote stays, the draft follows."""
    return f"{body.rstrip()}\n\n{draft}" if body.strip() else draft


def review(*, assistant: Assistant | None, body: str) -> ReplyReview | None:
    """Check a reply's figures; None when nothing is flagged (or nothing could be checked)."""
    if assistant is None or not body.strip():
        return None
    flagged = unsupported(check_reply(body, find=assistant_finder(assistant)))
    if not flagged:
        return None
    segments: list[tuple[str, SentenceCheck | None]] = []
    cursor = 0
    for check in flagged:
        if check.start > cursor:
            segments.append((body[cursor : check.start], None))
        end = check.start + len(check.sentence)
        segments.append((body[check.start : end], check))
        cursor = max(cursor, end)
    segments.append((body[cursor:], None))
    return ReplyReview(segments=[s for s in segments if s[0]], flagged=flagged)


def fingerprint(body: str) -> str:
    """A short digest of a reply: "send anyway" confirms exactly the text that was reviewed."""
    return hashlib.sha256(body.strip().encode()).hexdigest()[:16]
