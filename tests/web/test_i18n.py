"""Every text key the pages and the code use exists in Chinese and English, once (web.i18n).

Static keys are collected from the templates (`t('…')`, `tn('…', n)`) and from the string
literals of web/ (keys passed on, such as `message_key="error.not_found"`). Keys built at run
time (`t('rstatus.' ~ status)`, `translate(f"sla.{state}")`) are checked for every value their
enum or source can take; a new dynamic form fails `test_every_dynamic_key_form_is_known` until
this file is told what it may be.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient

import web
from knowledge import documents, uploads
from knowledge.tables import CHANGES, JobStatus
from portal import attached_answers, bulk, invitations, saved_views, sla, triage, working_calendar
from portal.labels import LABELS
from portal.models import ROLES
from portal.workflow import Priority, Status
from retrieval import claim_check, feedback, gaps, knowledge_admin
from web import i18n
from web.i18n.language import PLURAL_FORMS, plural_form
from web.i18n.tables import DuplicateKey, merge

WEB = Path(web.__file__).parent
ROOT = WEB.parent
TEMPLATES = WEB / "templates"

_T_CALL = re.compile(r"""\b(tn?)\(\s*(['"])([^'"]+)\2\s*([,)~])""")
_T_VARIABLE = re.compile(r"""\b(?:tn?|tm)\((?!\s*['"])([^,)]*)""")
_LABEL_KIND = re.compile(r"""\blabel\(\s*'([a-z_]+)'""")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_KEY = re.compile(r"^[a-z][a-z_0-9]*(\.[a-z_0-9]+)+$")
_FILE = re.compile(r"\.(html|csv|xlsx|md|txt|json|py|js|css|pdf|docx)$")


def _source(module: object) -> str:
    return Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]


def _codes(module: object, pattern: str) -> tuple[str, ...]:
    """The codes a module writes in a fixed form (for sources without a constant)."""
    found = re.findall(pattern, _source(module))
    return tuple(sorted({c for f in found for c in ((f,) if isinstance(f, str) else f)}))


def _field_error_codes() -> set[str]:
    """Every validation code the portal and web/ raise (rendered as `field_error.<code>`)."""
    codes: set[str] = set()
    patterns = (
        r"""errors\[[^\]]+\]\s*=\s*"([a-z_]+)\"""",
        r"""ValidationFailed\(\{[^}]*?:\s*"([a-z_]+)\"""",
        r"""_(?:fail|FieldError)\(\s*"([a-z_]+)\"""",
    )
    for folder in ("portal", "web"):
        for path in (ROOT / folder).rglob("*.py"):
            if "i18n" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in patterns:
                codes.update(re.findall(pattern, text))
    return codes - set(NOT_SHOWN_AS_FIELD_ERRORS)


# Codes raised where no form shows them: the central handler answers error.invalid (a page)
# or the API's JSON; a form would show the raw key, so give one a text before showing it.
NOT_SHOWN_AS_FIELD_ERRORS = {
    "invalid": "portal/attached_answers.py: an answer id that is not a number",
    "no_suggestion": "portal/triage.py: accepting a triage suggestion that does not exist",
    "not_a_json_object": "web/routes/api_requests.py: the JSON API's `fields`",
}
# Key-like literals that are not message keys.
NOT_KEYS = {"gaps.cursor": "retrieval/gaps.py: a kb_state row"}

# What a key built in a template from a prefix may be completed with.
DYNAMIC: dict[str, Iterable[str]] = {
    "account.members.state.": _codes(invitations, r'"(owner|member|invited|removed)": \d'),
    "account.role.": (*ROLES, "owner"),
    "admin.role.": ("staff", "admin"),
    "bulk.reason.": _codes(bulk, r'tracking_number: "([a-z_]+)"'),
    "calendar.source.": get_args(working_calendar.Source),
    "category.": get_args(documents.Category),
    "docs.verified.": ("true", "false"),
    "feedback.reason.": feedback.REASONS,
    "field_error.": sorted(_field_error_codes()),
    "gaps.reason.": ("no_match", "low_confidence"),
    "gaps.status.": gaps.STATUSES,
    "impact.state.": get_args(attached_answers.Change),
    "jurisdiction.": get_args(documents.Jurisdiction),
    "kb.change.": CHANGES,
    "kb.index.": tuple(j.value for j in JobStatus),
    "language.": ("zh", "en"),
    "priority.": tuple(p.value for p in Priority),
    "queue.sort.": saved_views.SORTS,
    "reason.": _codes(triage, r'"kind": "([a-z_]+)"'),
    "reply.check.kind.": claim_check.KINDS,
    "rstatus.": tuple(s.value for s in Status),
    "sla.": (*get_args(sla.SlaState), "first_response", "resolution"),
    "staff.triage.": ("accepted", "overridden"),
    "status.": get_args(documents.Status),
    "weekday.": tuple(str(day) for day in range(7)),
}

# Template calls whose key is a variable, and where that key comes from. The keys themselves
# are string literals of web/ or retrieval/, which `_code_keys` collects and checks.
VARIABLE_KEYS = {
    ("answers/_actions.html", "error"): "web/routes/feedback.py: _ERROR_KEYS, error.invalid",
    ("chat.html", "error"): "web/routes/chat.py: error.question_empty / error.question_long",
    ("error.html", "message_key"): "web/errors.py: error.*",
    ("staff/_reply_draft.html", "draft_notice"): "web/routes/staff_reply.py: reply.draft.*",
    ("staff/curated_form.html", "key"): "retrieval/curated.py: curated.error.*",
    ("staff/curated.html", "stale[r.id]"): "retrieval/curated.py: curated.error.document_*",
    ("staff/impact.html", "stale"): "retrieval/curated.py: curated.error.document_*",
    ("staff/_dashboard_charts.html", "label_key ~ name"): "label_key='rstatus.' (dashboard)",
    # tm(): a fixed English message of the portal, shown as itself when not translated
    ("admin/_macros.html", "key"): "a field name, in t('field_error.' ~ key) … (checked above)",
    # tm(): a fixed English message of the portal, shown as itself when not translated
    ("account/_fields.html", "error"): "portal messages (tm)",
    ("account/account.html", "errors.member"): "portal messages (tm)",
}


def _templates() -> Iterable[tuple[str, str]]:
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path.relative_to(TEMPLATES).as_posix(), path.read_text(encoding="utf-8")


def _template_keys() -> tuple[dict[str, set[str]], set[str], set[str]]:
    """(static key -> templates, plural keys, dynamic prefixes) used by the templates."""
    static: dict[str, set[str]] = {}
    plurals: set[str] = set()
    prefixes: set[str] = set()
    for name, text in _templates():
        for function, _, key, after in _T_CALL.findall(text):
            if after == "~":
                prefixes.add(key)
            elif function == "tn":
                plurals.add(key)
            else:
                static.setdefault(key, set()).add(name)
        prefixes.update(re.findall(r"label_key='([^']+)'", text))
    return static, plurals, prefixes


def _plural_calls(tree: ast.AST) -> list[ast.Call]:
    """The translate_plural("stem", …) calls of a module: their keys are plural stems."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "translate_plural"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]


def _code_plural_stems() -> set[str]:
    """The plural stems web/ passes to translate_plural."""
    return {
        call.args[0].value  # type: ignore[attr-defined]
        for path in (ROOT / "web").rglob("*.py")
        if "i18n" not in path.parts
        for call in _plural_calls(ast.parse(path.read_text(encoding="utf-8")))
    }


def _code_keys() -> dict[str, set[str]]:
    """Key-like string literals in web/ and retrieval/ whose namespace the catalogue has."""
    namespaces = {key.split(".")[0] for key in i18n.MESSAGES}
    found: dict[str, set[str]] = {}
    for folder in ("web", "retrieval"):
        for path in (ROOT / folder).rglob("*.py"):
            if "i18n" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            in_fstrings = {
                id(part)
                for node in ast.walk(tree)
                if isinstance(node, ast.JoinedStr)
                for part in node.values
            }
            plural_stems = {id(node.args[0]) for node in _plural_calls(tree)}
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                    continue
                value = node.value
                if id(node) in in_fstrings or id(node) in plural_stems or value in NOT_KEYS:
                    continue
                if _KEY.match(value) and value.split(".")[0] in namespaces:
                    if not _FILE.search(value):
                        found.setdefault(value, set()).add(f"{path.name}:{node.lineno}")
    return found


# What an f-string key in web/ may be filled with (translate(f"sla.{state}", …)).
CODE_DYNAMIC: dict[str, Iterable[str]] = {
    "status.{}": get_args(documents.Status),
    "sla.{}": get_args(sla.SlaState),
    "kb.error.{}": (
        *_codes(uploads, r'UploadRejected\(\s*"\w+",\s*"(\w+)"'),
        *_codes(uploads, r'code = "(\w+)" if .* else "(\w+)"'),
        *_codes(knowledge_admin, r'UploadRejected\(\s*"\w+",\s*"(\w+)"'),
    ),
}


def _code_fstrings() -> set[str]:
    namespaces = {key.split(".")[0] for key in i18n.MESSAGES}
    shapes: set[str] = set()
    for path in WEB.rglob("*.py"):
        if "i18n" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                shape = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                )
                if re.match(r"^[a-z_]+\.", shape) and shape.split(".")[0] in namespaces:
                    shapes.add(shape)
    return shapes


def _missing(keys: Iterable[str]) -> list[str]:
    return sorted(key for key in keys if key not in i18n.MESSAGES)


# --- the catalogue -----------------------------------------------------------------------


def test_the_catalogue_is_the_areas_put_together_with_no_key_in_two() -> None:
    assert len(i18n.MESSAGES) == sum(len(table) for table in i18n.AREAS.values())
    assert len(i18n.AREAS) >= 10


def test_a_key_defined_by_two_areas_is_refused() -> None:
    same = {"docs.title": {"zh": "文档库", "en": "Document library"}}
    with pytest.raises(DuplicateKey, match="docs.title.*site.*other"):
        merge({"site": same, "other": same})


def test_every_key_has_chinese_and_english_with_the_same_placeholders() -> None:
    problems = []
    for key, texts in i18n.MESSAGES.items():
        if set(texts) != set(i18n.LANGUAGES):
            problems.append(f"{key}: languages {sorted(texts)}")
        elif set(_PLACEHOLDER.findall(texts["zh"])) != set(_PLACEHOLDER.findall(texts["en"])):
            problems.append(f"{key}: placeholders differ: {texts}")
        elif bool(texts["zh"].strip()) != bool(texts["en"].strip()):
            problems.append(f"{key}: empty in one language only")
    assert not problems, "\n".join(problems)


def test_a_plural_key_has_every_form_and_a_count() -> None:
    stems = {key.rsplit(".", 1)[0] for key in i18n.MESSAGES if key.endswith(".one")}
    assert stems
    for stem in stems:
        for form in PLURAL_FORMS:
            assert f"{stem}.{form}" in i18n.MESSAGES, stem
            assert all("{count}" in t for t in i18n.MESSAGES[f"{stem}.{form}"].values()), stem
        assert stem not in i18n.MESSAGES, f"{stem} is both a plain and a plural key"


# --- every key used exists ---------------------------------------------------------------


def test_every_key_a_template_names_exists() -> None:
    static, plurals, _ = _template_keys()
    assert len(static) > 500 and plurals
    assert _missing(static) == []
    assert _missing(f"{key}.{form}" for key in plurals for form in PLURAL_FORMS) == []


@pytest.mark.parametrize("prefix", sorted(DYNAMIC))
def test_every_value_of_a_dynamic_key_has_a_text(prefix: str) -> None:
    values = list(DYNAMIC[prefix])
    assert values, f"{prefix}: the test found no values"
    assert _missing(prefix + value for value in values) == []


def test_every_dynamic_key_form_is_known() -> None:
    _, _, prefixes = _template_keys()
    assert prefixes == set(DYNAMIC), "tell DYNAMIC what the new prefix may be completed with"
    variables = {
        (name, expression.strip())
        for name, text in _templates()
        for expression in _T_VARIABLE.findall(text)
    }
    assert variables == set(VARIABLE_KEYS), "tell VARIABLE_KEYS where the new key comes from"


def test_every_key_the_code_passes_on_exists() -> None:
    found = _code_keys()
    assert {"error.not_found", "curated.error.quote_empty", "reply.draft.sources"} <= set(found)
    missing = {key: sorted(found[key]) for key in _missing(found)}
    assert missing == {}


def test_every_plural_key_the_code_passes_on_has_every_form() -> None:
    stems = _code_plural_stems()
    assert {"sla.hours_left", "sla.hours_overdue", "account.login.limited"} <= stems
    assert _missing(f"{stem}.{form}" for stem in stems for form in PLURAL_FORMS) == []


def test_working_hours_and_minutes_read_in_the_singular_for_one() -> None:
    from web.views.progress import working_hours_text

    assert working_hours_text(3600, "en") == "1 working hour left"
    assert working_hours_text(2 * 3600 + 59, "en") == "2 working hours left"
    assert working_hours_text(-3600, "en") == "1 working hour overdue"
    assert working_hours_text(1800, "en") == "less than 1 working hour left"
    assert working_hours_text(3 * 3600, "zh") == "剩余 3 个工作小时"
    assert i18n.translate_plural("account.login.limited", "en", 1).endswith("in 1 minute.")


def test_every_value_of_a_key_built_in_code_has_a_text() -> None:
    assert _code_fstrings() == set(CODE_DYNAMIC), "tell CODE_DYNAMIC what the f-string may be"
    for shape, values in CODE_DYNAMIC.items():
        assert list(values), shape
        assert _missing(shape.format(value) for value in values) == []


def test_every_label_kind_a_template_names_exists() -> None:
    kinds = {kind for _, text in _templates() for kind in _LABEL_KIND.findall(text)}
    assert kinds and kinds <= set(LABELS)


# --- looking texts up --------------------------------------------------------------------


def test_a_text_is_looked_up_and_filled_in() -> None:
    assert i18n.translate("nav.unread", "en", count=3) == "3 unread"
    assert i18n.translate("nav.unread", "zh", count=3) == "3 条未读"


def test_english_counts_one_thing_in_the_singular_and_chinese_is_unchanged() -> None:
    assert i18n.translate_plural("docs.count", "en", 1) == "1 document"
    assert i18n.translate_plural("docs.count", "en", 0) == "0 documents"
    assert i18n.translate_plural("docs.count", "en", 2) == "2 documents"
    assert i18n.translate_plural("docs.count", "zh", 1) == "共 1 份文档"
    assert i18n.translate_plural("docs.count", "zh", 2) == "共 2 份文档"
    assert i18n.translate_plural("dash.rating_avg", "en", 1, avg=4.0) == "Average 4.0 (1 rating)"
    assert [plural_form("en", n) for n in (0, 1, 2)] == ["other", "one", "other"]
    assert {plural_form("zh", n) for n in (0, 1, 2)} == {"other"}


def test_a_missing_key_shows_the_key_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="web.i18n"):
        assert i18n.translate("no.such_key", "en") == "no.such_key"
        assert i18n.translate("no.such_key", "en") == "no.such_key"
    assert [r.getMessage() for r in caplog.records] == ["no en text for message key 'no.such_key'"]
    assert ("no.such_key", "en") in i18n.missing_keys()


def test_a_fixed_portal_message_without_a_translation_is_shown_as_itself() -> None:
    assert i18n.translate_message("Enter a name.", "zh") == "请填写姓名。"
    assert i18n.translate_message("Something new.", "zh") == "Something new."


# --- on the pages ------------------------------------------------------------------------


def test_the_library_counts_one_document_in_the_singular(client: TestClient) -> None:
    documents_ = client.get("/api/v1/documents").json()
    title = documents_[0]["title"]
    ids = [d["id"] for d in client.get("/api/v1/documents", params={"q": title}).json()]
    page = client.get("/documents", params={"q": title, "lang": "en"}).text
    zh = client.get("/documents", params={"q": title, "lang": "zh"}).text
    if len(ids) == 1:
        assert '<p class="count">1 document</p>' in page
    assert f'<p class="count">共 {len(ids)} 份文档</p>' in zh
    everything = client.get("/documents", params={"lang": "en"}).text
    assert f'<p class="count">{len(documents_)} documents</p>' in everything


def test_a_macro_that_counts_gets_tn_as_an_argument() -> None:
    # Macros are imported without the page's context: t, tn and tm reach them as arguments.
    macro = re.compile(r"{%-?\s*macro\s+\w+\(([^)]*)\)\s*-?%}(.*?){%-?\s*endmacro", re.S)
    for name, text in _templates():
        for arguments, body in macro.findall(text):
            if re.search(r"\btn\(", body):
                assert "tn" in re.findall(r"\w+", arguments), name
