"""Every code a user can read has a label in both languages (portal.labels)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from knowledge import documents
from knowledge.tables import JobStatus
from portal import attached_answers, labels, progress, request_messages, service_requests, sla
from portal.models import ROLES
from portal.workflow import Priority, Status

PORTAL = Path(service_requests.__file__).parent

# Every user-visible enum, by label kind.
ENUMS: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in Status),
    "priority": tuple(p.value for p in Priority),
    "step": progress.STEPS,
    "sla_state": get_args(sla.SlaState),
    "sla_clock": ("first_response", "resolution"),
    "role": ROLES,
    "visibility": get_args(request_messages.Visibility),
    "triage_decision": ("accepted", "overridden"),
    "answer_change": get_args(attached_answers.Change),
    "doc_status": get_args(documents.Status),
    "category": get_args(documents.Category),
    "jurisdiction": get_args(documents.Jurisdiction),
    "language": ("zh", "en"),
    "job_status": tuple(j.value for j in JobStatus),
    "boolean": ("true", "false"),
}
# What an f-string event kind may be filled with.
_PLACEHOLDERS = {"visibility": ENUMS["visibility"], "decision": ENUMS["triage_decision"]}
_KIND = re.compile(r"""\bkind=(f?"[^"]+"(?:\s+if\s+\w+\s+else\s+"[^"]+")?)""")


def _event_kinds() -> set[str]:
    """Collect every `kind=` an audit event is recorded with in the portal's source."""
    kinds: set[str] = set()
    for path in PORTAL.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "record_event(" not in text:
            continue
        for match in _KIND.finditer(text):
            for literal in re.findall(r'"([^"]+)"', match.group(1)):
                holes = re.findall(r"\{(\w+)\}", literal)
                if not holes:
                    kinds.add(literal)
                    continue
                assert len(holes) == 1 and holes[0] in _PLACEHOLDERS, (
                    f"{path.name}: tell this test what {literal!r} may be"
                )
                kinds.update(literal.replace(f"{{{holes[0]}}}", v) for v in _PLACEHOLDERS[holes[0]])
    return kinds


def _cases() -> list[tuple[str, str]]:
    cases = [(kind, code) for kind, codes in ENUMS.items() for code in codes]
    cases += [("event", kind) for kind in sorted(_event_kinds())]
    return cases


def test_the_source_scan_finds_the_known_event_kinds() -> None:
    found = _event_kinds()
    assert {"submitted", "status", "message_internal", "triage_overridden"} <= found


@pytest.mark.parametrize(("kind", "code"), _cases())
def test_every_code_has_a_label_in_both_languages(kind: str, code: str) -> None:
    assert labels.has_label(kind, code), f"no label for {kind} {code!r} in portal/labels.py"
    zh, en = labels.label(kind, code, "zh"), labels.label(kind, code, "en")
    assert re.search(r"[\u4e00-\u9fff]", zh), f"{kind} {code}: {zh!r} is not Chinese"
    assert en and en != code and not re.search(r"[\u4e00-\u9fff]", en), (kind, code, en)


def test_an_enum_member_and_its_value_get_the_same_label() -> None:
    assert labels.label("status", Status.IN_PROGRESS, "zh") == "处理中"
    assert labels.label("status", "in_progress", "en") == "In progress"


def test_an_unknown_code_comes_back_as_itself_rather_than_breaking_a_page() -> None:
    assert labels.label("status", "no_such_status", "zh") == "no_such_status"


def test_bilingual_texts_put_chinese_first() -> None:
    assert labels.bilingual("status", "submitted") == "已提交 / Submitted"
