"""Auto-triage: suggest service, priority and team with reasons; staff accept or override."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import notifications, texts
from portal.catalog import SHANGHAI, get_service
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.models import ServiceRequest, Team, TriageSuggestion, User
from portal.service_specs import SPECS
from portal.tracking import ensure_staff, ensure_visible, record_event
from portal.workflow import Priority, Status, check_transition

CatalogMatch = Callable[[str], list[tuple[str, float]]]

URGENT_WORDS = ("紧急", "加急", "特急", "临床急需", "急需", "urgent", "asap", "emergency")
HIGH_WORDS = (
    "尽快",
    "优先",
    "截止",
    "期限",
    "as soon as possible",
    "priority",
    "expedite",
    "deadline",
)
SERVICE_WORDS: dict[str, tuple[str, ...]] = {
    "release_lot_testing": (
        "放行",
        "批检",
        "无菌",
        "支原体",
        "内毒素",
        "release",
        "sterility",
        "mycoplasma",
        "endotoxin",
    ),
    "cell_bank_characterisation": ("细胞库", "主细胞库", "工作细胞库", "cell bank", "mcb", "wcb"),
    "vector_plasmid_analytics": (
        "载体",
        "质粒",
        "慢病毒",
        "滴度",
        "vector",
        "plasmid",
        "aav",
        "lentivir",
        "titer",
        "titre",
    ),
    "regulatory_filing_consultation": ("申报", "注册", "ind", "bla", "cde", "filing"),
    "hgr_compliance_support": ("遗传资源", "人遗", "hgr", "genetic resources"),
    "special_items_import_export": (
        "进出口",
        "进口",
        "出口",
        "特殊物品",
        "海关",
        "customs",
        "import",
        "export",
    ),
    "clinical_research_support": ("临床研究", "临床试验", "伦理", "clinical trial", "ethics"),
    "facility_booking": ("洁净", "车间", "预约", "租赁", "clean room", "cleanroom", "booking"),
    "training": ("培训", "课程", "training", "course"),
    "policy_subsidy_consultation": ("补贴", "政策", "资助", "subsidy", "policy", "grant"),
    "ip_tech_transfer": ("专利", "知识产权", "技术转移", "融资", "patent", "licens", "investor"),
    "general_consultation": ("咨询", "consult"),
}
DATE_FIELDS = ("deadline", "start_date", "preferred_date")
URGENT_WITHIN_DAYS = 5
HIGH_WITHIN_DAYS = 14
_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


def tokens(text: str) -> set[str]:
    """Return the words (Latin) and character bigrams (CJK) of a text, for overlap scores."""
    text = text.lower()
    found = set(re.findall(r"[a-z0-9]{2,}", text))
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        found.update(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return found


def _hits(text: str, words: tuple[str, ...]) -> list[str]:
    low = text.lower()
    return [w for w in words if (re.search(rf"\b{re.escape(w)}", low) if w.isascii() else w in low)]


def similar_requests(
    *, session: Session, request: ServiceRequest, limit: int = 3, pool: int = 500
) -> list[tuple[ServiceRequest, float]]:
    """Return up to `limit` earlier requests sharing the most tokens (Jaccard) with this one."""
    mine = tokens(f"{request.title} {request.description}")
    if not mine:
        return []
    others = session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.id != request.id)
        .order_by(ServiceRequest.id.desc())
        .limit(pool)
    )
    scored = []
    for other in others:
        theirs = tokens(f"{other.title} {other.description}")
        score = len(mine & theirs) / len(mine | theirs) if theirs else 0.0
        if score >= 0.1:
            scored.append((other, round(score, 3)))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].id))
    return scored[:limit]


def suggest(
    *,
    session: Session,
    request: ServiceRequest,
    catalog_match: CatalogMatch | None = None,
    today: date | None = None,
) -> TriageSuggestion:
    """Compute and store the triage suggestion for a request, each part with its reasons."""
    text = f"{request.title}\n{request.description}"
    today = today or datetime.now(SHANGHAI).date()
    scores: dict[str, float] = defaultdict(float)
    why: dict[str, list[dict[str, Any]]] = defaultdict(list)

    scores[request.service_code] += 1.0
    why[request.service_code].append({"kind": "form", "detail": request.service_code})
    for code, words in SERVICE_WORDS.items():
        hits = _hits(text, words)
        if hits:
            scores[code] += min(0.4 * len(hits), 1.2)
            why[code].append({"kind": "keyword", "detail": ", ".join(hits)})
    if catalog_match is not None:
        try:
            matches = catalog_match(text)[:3]
        except Exception as exc:  # the assistant being down must not block triage
            matches = []
            why[request.service_code].append({"kind": "catalog_error", "detail": str(exc)})
        for code, score in matches:
            if code in SPECS:
                scores[code] += float(score)
                why[code].append({"kind": "catalog_match", "detail": code, "score": score})
    similar = similar_requests(session=session, request=request)
    for other, score in similar:
        scores[other.service_code] += 0.3 * score
        why[other.service_code].append(
            {"kind": "similar", "detail": other.tracking_number, "score": score}
        )
    service_code = max(scores, key=lambda code: (scores[code], code == request.service_code))

    spec = SPECS[service_code]
    priority = spec.default_priority
    priority_why: list[dict[str, Any]] = [{"kind": "default", "detail": priority.value}]
    for words, level in ((URGENT_WORDS, Priority.URGENT), (HIGH_WORDS, Priority.HIGH)):
        hits = _hits(text, words)
        if hits:
            priority_why.append({"kind": "keyword", "detail": ", ".join(hits), "to": level.value})
            priority = max(priority, level, key=_RANK.__getitem__)
    for name in DATE_FIELDS:
        value = (request.fields or {}).get(name)
        try:
            days = (date.fromisoformat(value) - today).days if isinstance(value, str) else None
        except ValueError:
            days = None
        if days is None or days > HIGH_WITHIN_DAYS:
            continue
        level = Priority.URGENT if days <= URGENT_WITHIN_DAYS else Priority.HIGH
        priority_why.append({"kind": "deadline", "detail": name, "days": days, "to": level.value})
        priority = max(priority, level, key=_RANK.__getitem__)

    service = get_service(session=session, service_code=service_code)
    team_code = service.team_code or spec.team_code
    reasons = {
        "service": why[service_code],
        "priority": priority_why,
        "team": [{"kind": "service_team", "detail": service_code}],
        "similar": [
            {
                "tracking_number": o.tracking_number,
                "title": o.title,
                "score": s,
                "service_code": o.service_code,
            }
            for o, s in similar
        ],
    }
    row = session.get(TriageSuggestion, request.id) or TriageSuggestion(request_id=request.id)
    row.service_code, row.priority, row.team_code = service_code, priority.value, team_code
    row.reasons, row.decision, row.decided_by_id, row.decided_at = reasons, None, None, None
    session.add(row)
    record_event(
        session=session,
        request=request,
        actor=None,
        kind="triage_suggested",
        after={"service_code": service_code, "priority": priority.value, "team": team_code},
    )
    session.commit()
    return row


def get_suggestion(*, session: Session, actor: User, request: ServiceRequest) -> TriageSuggestion:
    """Return the request's triage suggestion (staff only), or raise ValidationFailed if none."""
    ensure_visible(user=actor, request=request)
    ensure_staff(user=actor)
    row = session.get(TriageSuggestion, request.id)
    if row is None:
        raise ValidationFailed({"triage": "no_suggestion"})
    return row


def accept(*, session: Session, actor: User, request: ServiceRequest) -> TriageSuggestion:
    """Apply the suggestion as proposed and record that staff accepted it."""
    row = get_suggestion(session=session, actor=actor, request=request)
    _apply(
        session=session,
        actor=actor,
        request=request,
        service_code=row.service_code,
        priority=Priority(row.priority),
        team_code=row.team_code,
    )
    return _decide(
        session=session, actor=actor, request=request, row=row, decision="accepted", note=None
    )


def override(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    service_code: str | None = None,
    priority: Priority | None = None,
    team_code: str | None = None,
    note: str | None = None,
) -> TriageSuggestion:
    """Apply staff's own choice instead of (parts of) the suggestion and record the override."""
    row = get_suggestion(session=session, actor=actor, request=request)
    if team_code is not None and session.get(Team, team_code) is None:
        raise ValidationFailed({"team_code": "unknown_team"})
    _apply(
        session=session,
        actor=actor,
        request=request,
        service_code=service_code or row.service_code,
        priority=priority or Priority(row.priority),
        team_code=team_code or row.team_code,
    )
    return _decide(
        session=session, actor=actor, request=request, row=row, decision="overridden", note=note
    )


def _apply(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    service_code: str,
    priority: Priority,
    team_code: str | None,
) -> None:
    get_service(session=session, service_code=service_code)
    for kind, attr, value in (
        ("service", "service_code", service_code),
        ("priority", "priority", priority),
        ("team", "team_code", team_code),
    ):
        before = getattr(request, attr)
        if before != value:
            setattr(request, attr, value)
            record_event(
                session=session,
                request=request,
                actor=actor,
                kind=kind,
                before=str(before) if before is not None else None,
                after=str(value) if value is not None else None,
            )
    if request.status == Status.SUBMITTED:
        check_transition(Status.SUBMITTED, Status.TRIAGED)
        request.status = Status.TRIAGED
        record_event(
            session=session,
            request=request,
            actor=actor,
            kind="status",
            before=Status.SUBMITTED.value,
            after=Status.TRIAGED.value,
        )
        triaged = texts.status_changed(number=request.tracking_number, status=Status.TRIAGED)
        notifications.enqueue(
            session=session,
            user_ids=notifications.company_user_ids(session=session, company_id=request.company_id),
            subject=f"[{request.tracking_number}] {triaged.subject}",
            body=triaged.body,
            request_id=request.id,
        )


def _decide(
    *,
    session: Session,
    actor: User,
    request: ServiceRequest,
    row: TriageSuggestion,
    decision: str,
    note: str | None,
) -> TriageSuggestion:
    row.decision, row.decided_by_id, row.decided_at = decision, actor.id, utcnow()
    record_event(
        session=session,
        request=request,
        actor=actor,
        kind=f"triage_{decision}",
        before={"service_code": row.service_code, "priority": row.priority, "team": row.team_code},
        after={
            "service_code": request.service_code,
            "priority": str(request.priority),
            "team": request.team_code,
        },
        note=note,
    )
    session.commit()
    return row
