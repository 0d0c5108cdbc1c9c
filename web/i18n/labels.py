"""The display labels (portal.labels) as the pages use them: `label(kind, code)` in templates.

The labels themselves live in `portal.labels`, so the portal's notification texts use the
same words as the pages. Older message keys (`rstatus.*`, `priority.*`, `status.*` …) are
kept as aliases generated from it, so there is still one table to edit.
"""

from __future__ import annotations

from collections.abc import Callable

from portal.labels import LABELS, Language, label

# old message-key prefix -> label kind
_ALIASES = {
    "rstatus": "status",
    "priority": "priority",
    "sla": "sla_state",
    "status": "doc_status",
    "category": "category",
    "jurisdiction": "jurisdiction",
    "language": "language",
    "account.role": "role",
}


def _alias_messages() -> dict[str, dict[str, str]]:
    messages = {
        f"{prefix}.{code}": {"zh": zh, "en": en}
        for prefix, kind in _ALIASES.items()
        for code, (zh, en) in LABELS[kind].items()
    }
    for code, (zh, en) in LABELS["sla_clock"].items():
        messages[f"sla.{code}"] = {"zh": zh, "en": en}
    for code, (zh, en) in LABELS["visibility"].items():
        messages[f"detail.{code}"] = {"zh": zh, "en": en}
    return messages


LABEL_MESSAGES = _alias_messages()


def labeller(language: Language) -> Callable[[str, object], str]:
    """Return `label(kind, code)` bound to the page's language (a template global)."""
    return lambda kind, code: label(kind, code, language)
