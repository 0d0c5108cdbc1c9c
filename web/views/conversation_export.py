"""A conversation as a Markdown file: each question, the answer as given, its citations quoted.

The answer's [n] markers stay as they were and point to the numbered sources under it; each
source names its document, issuer, number, date, article or section and the version quoted,
with the verbatim quote and a link to the passage on this site (absolute when the portal
knows its public address) and to the original publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from retrieval.answer_log import Turn
from retrieval.cited_answer import Citation
from web.i18n import UiLanguage, translate
from web.views.display import local_time


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def _escape(text: str) -> str:
    """Text safe as a Markdown line: no heading, list or HTML meaning of its own."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _citation(citation: Citation, *, base_url: str, language: UiLanguage) -> list[str]:
    facts = [
        citation.issuer,
        citation.doc_number,
        citation.issued,
        citation.locator or (f"§ {citation.section}" if citation.section else None),
        translate(f"status.{citation.status}", language),
        f"v{citation.version}",
    ]
    head = f"{citation.n}. **{_escape(citation.title)}** — " + ", ".join(
        _escape(str(fact)) for fact in facts if fact
    )
    if not citation.verified:
        head += f" ({translate('chat.unverified', language)})"
    lines = [head, "", _quote_block(_escape(citation.excerpt or citation.quote)), ""]
    link = citation.url if citation.url.startswith("http") else base_url + citation.url
    lines.append(f"   {translate('chat.open_passage', language)}: <{link}>")
    if citation.source_url and citation.source_url.lower().startswith(("http://", "https://")):
        lines.append(f"   {translate('chat.original', language)}: <{citation.source_url}>")
    return [*lines, ""]


def to_markdown(
    turns: Sequence[Turn], *, language: UiLanguage, base_url: str, exported_at: datetime
) -> str:
    """The conversation as Markdown, in the interface language, sources under each answer."""
    title = turns[0].question if turns else ""
    lines = [
        f"# {translate('history.title', language)}: {_escape(title)}",
        "",
        f"*{translate('site.name', language)} · {local_time(exported_at)}*",
        "",
    ]
    for number, turn in enumerate(turns, start=1):
        lines += [
            f"## {number}. {_escape(turn.question)}",
            "",
            f"*{translate('history.asked_at', language, when=local_time(turn.asked_at))}*",
            "",
        ]
        if turn.answer.refused:
            lines += [f"**{translate('history.refused', language)}**", ""]
        for line in turn.answer.answer.split("\n"):
            if line.strip():  # each line of the answer its own paragraph, as the page shows it
                lines += [_escape(line), ""]
        if turn.answer.citations:
            lines += [f"### {translate('chat.sources', language)}", ""]
            for citation in turn.answer.citations:
                lines += _citation(citation, base_url=base_url, language=language)
    lines += ["---", "", translate("chat.disclaimer", language), ""]
    return "\n".join(lines)
