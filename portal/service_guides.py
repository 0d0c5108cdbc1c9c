"""Service guides (办事指南): what a company reads before it applies for one service.

A guide is built from two places and invents nothing: the knowledge base's service
description (what the service is, who may apply, what the center needs, fee and time) and
the catalog (the form's fields and named materials). A fee or a target time is shown only
when the description's front matter gives one; until then the guide says "to be confirmed".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from portal.attachments import EXTENSIONS
from portal.catalog import FieldSpec
from portal.service_specs import SPECS, AttachmentSpec, ServiceSpec

GuideLanguage = Literal["zh", "en"]

# The description's sections, by their heading in either language.
_SECTIONS: dict[str, str] = {
    "服务内容": "covers",
    "What it covers": "covers",
    "适用对象": "eligibility",
    "Who may request it": "eligibility",
    "所需材料": "materials",
    "Required materials": "materials",
    "办理时限": "time",
    "Turnaround": "time",
    "收费": "fee",
    "Fees": "fee",
}
_HEADING = re.compile(r"^##\s+(.+?)\s*$")
FORMATS: tuple[str, ...] = tuple(sorted({ext.lstrip(".").upper() for ext in EXTENSIONS} - {"JPEG"}))


class GuideDocument(Protocol):
    """What a guide needs of a knowledge-base service description (DocumentRow fits)."""

    id: str
    title: str
    language: str
    status: str
    verified: bool
    text: str
    extra: dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One step of applying, in both languages."""

    title_zh: str
    title_en: str
    text_zh: str
    text_en: str


# The portal's own way of handling a request (its workflow), not a claim about the center.
STEPS: tuple[Step, ...] = (
    Step(
        "阅读指南，准备材料",
        "Read the guide and prepare",
        "对照本指南准备所需信息和材料；有疑问可先在“政策问答”中提问。",
        "Gather the information and materials this guide lists; ask the assistant first if "
        "anything is unclear.",
    ),
    Step(
        "登录并在线提交",
        "Sign in and submit online",
        "在申请表中填写信息、逐项上传材料；提交前表单会一次性列出所有缺项。",
        "Fill in the form and upload each material in its own slot; before sending, the form "
        "lists everything still missing in one place.",
    ),
    Step(
        "受理与分派",
        "Accepted and assigned",
        "中心收到申请后分派给负责团队；如需补充材料，会一次性告知并说明理由。",
        "The center assigns the request to a team; if more is needed it asks once, and says "
        "why for anything this guide does not list.",
    ),
    Step(
        "办理",
        "Handled",
        "办理进展、中心的答复和文件都显示在申请页面上，并通过通知提醒。",
        "Progress, the center's replies and files appear on the request's page and in your "
        "notifications.",
    ),
    Step(
        "办结与评价",
        "Resolved and rated",
        "办结后可查看结果并为服务评分。",
        "When the request is resolved you see the outcome and can rate the service.",
    ),
)


@dataclass(frozen=True)
class Material:
    """One material of the guide: a named upload slot of the request form."""

    spec: AttachmentSpec
    formats: tuple[str, ...]

    @property
    def key(self) -> str:
        """The slot's key (the form control is named material_<key>)."""
        return self.spec.key

    @property
    def anchor(self) -> str:
        """The guide's clause for this material (an id on the guide page)."""
        return f"material-{self.spec.key}"


@dataclass(frozen=True)
class ServiceGuide:
    """One service's guide in one language."""

    code: str
    language: GuideLanguage
    name: str
    document_id: str | None
    status: str | None  # the description's status (proposed until the center publishes it)
    verified: bool
    summary: tuple[str, ...]
    covers: tuple[str, ...]
    eligibility: tuple[str, ...]
    needs: tuple[str, ...]  # what the description says the center needs
    time_note: tuple[str, ...]
    fee_note: tuple[str, ...]
    fee: str | None  # None: to be confirmed
    turnaround_days: int | None  # None: no target time published
    fields: tuple[FieldSpec, ...]
    materials: tuple[Material, ...]
    questions: tuple[str, ...]
    steps: tuple[Step, ...] = STEPS

    @property
    def required_fields(self) -> tuple[FieldSpec, ...]:
        """The form's fields a company must fill in (yes/no boxes always have a value)."""
        return tuple(f for f in self.fields if f.required and f.kind != "boolean")


def parse_sections(text: str) -> dict[str, tuple[str, ...]]:
    """Split a service description into its summary and known sections, paragraph by paragraph."""
    sections: dict[str, list[str]] = {"summary": []}
    current: str | None = "summary"
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            current = _SECTIONS.get(heading.group(1))
            if current is not None:
                sections.setdefault(current, [])
            continue
        if current is not None and line.strip():
            sections[current].append(line.strip())
    return {name: tuple(paragraphs) for name, paragraphs in sections.items()}


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def build(
    *, spec: ServiceSpec, document: GuideDocument | None, language: GuideLanguage
) -> ServiceGuide:
    """Return a service's guide from its catalog spec and its description in one language."""
    sections = parse_sections(document.text) if document is not None else {}
    extra = (document.extra or {}) if document is not None else {}
    fee = extra.get("fee")
    questions = extra.get("questions")
    return ServiceGuide(
        code=spec.code,
        language=language,
        name=document.title if document is not None else getattr(spec, f"name_{language}"),
        document_id=document.id if document is not None else None,
        status=document.status if document is not None else None,
        verified=bool(document.verified) if document is not None else False,
        summary=sections.get("summary", ()),
        covers=sections.get("covers", ()),
        eligibility=sections.get("eligibility", ()),
        needs=sections.get("materials", ()),
        time_note=sections.get("time", ()),
        fee_note=sections.get("fee", ()),
        fee=str(fee) if isinstance(fee, str | int | float) and str(fee).strip() else None,
        turnaround_days=_int_or_none(extra.get("turnaround_days")),
        fields=spec.fields,
        materials=tuple(Material(a, FORMATS) for a in spec.attachments),
        questions=tuple(str(q) for q in questions if str(q).strip())
        if isinstance(questions, list)
        else (),
    )


def descriptions_by_code(
    documents: Iterable[GuideDocument], *, language: GuideLanguage
) -> dict[str, GuideDocument]:
    """The service descriptions by service code, in the language asked (else the other one)."""
    found: dict[str, dict[str, GuideDocument]] = {}
    for doc in documents:
        code = (doc.extra or {}).get("service_code")
        if isinstance(code, str) and code in SPECS:
            found.setdefault(code, {})[doc.language] = doc
    other = "en" if language == "zh" else "zh"
    return {
        code: docs.get(language) or docs[other]
        for code, docs in found.items()
        if docs.get(language) or docs.get(other)
    }


def build_all(
    *, codes: Iterable[str], documents: Iterable[GuideDocument], language: GuideLanguage
) -> list[ServiceGuide]:
    """Return the guides of the given services (catalog order kept)."""
    described = descriptions_by_code(documents, language=language)
    return [
        build(spec=SPECS[code], document=described.get(code), language=language)
        for code in codes
        if code in SPECS
    ]


def search(guides: Iterable[ServiceGuide], query: str) -> list[ServiceGuide]:
    """Return the guides whose name, text, materials or questions contain every query word."""
    words = [w.casefold() for w in re.split(r"[\s,，、;；]+", query or "") if w]
    if not words:
        return list(guides)
    found = []
    for guide in guides:
        haystack = " ".join(
            (
                guide.name,
                *guide.summary,
                *guide.covers,
                *guide.eligibility,
                *guide.needs,
                *guide.questions,
                *(m.spec.label_zh + " " + m.spec.label_en for m in guide.materials),
                guide.code.replace("_", " "),
            )
        ).casefold()
        if all(word in haystack for word in words):
            found.append(guide)
    return found
