"""Unanswered questions: what the assistant refused or answered weakly, grouped for staff.

Every conversation turn that was refused for lack of a matching passage (reason `no_match`),
or answered with a confidence below `AssistantConfig.low_confidence`, is a sign of a gap in
the knowledge base. `sync` copies new such turns into `rt_gap_questions` and assigns each to
a group of similar questions (greedy clustering on the assistant's embedding model: a
question joins the group whose mean vector is most similar, when that similarity reaches
`GapConfig.threshold`, and so is its first question, else it starts a new group; the second
condition keeps a large group's mean from drifting onto neighbouring topics). Assignments
are stored, so a page view only embeds and assigns the turns asked since the last one (at
most `GapConfig.batch`).

Instruction attempts ("ignore your instructions …") are not listed: they are not questions a
document could answer, and listing them would bury the real gaps. The page shows their count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from knowledge import registry
from retrieval.cited_answer import UNMENTIONED
from retrieval.embeddings import EmbeddingModel
from retrieval.tables import ConversationTurnRow, GapGroupRow, GapQuestionRow

GroupStatus = Literal["open", "answered", "dismissed"]
STATUSES: tuple[GroupStatus, ...] = ("open", "answered", "dismissed")
_CURSOR = "gaps.cursor"  # kb_state: the last conversation turn looked at


@dataclass(frozen=True)
class GapConfig:
    """How unanswered questions are collected and grouped (see docs/retrieval.md)."""

    # Cosine similarity to a group's mean vector (and to its first question) at which a
    # question joins it. Measured on 37 zh/en phrasings of 12 questions: 0.60 made no mixed
    # group in 20 random orders (docs/retrieval.md).
    threshold: float = 0.60
    low_confidence: float = 0.55  # the assistant's AssistantConfig.low_confidence
    batch: int = 200  # turns embedded and assigned per sync (bounds one page view)
    examples: int = 5  # distinct example questions shown per group


@dataclass(frozen=True)
class GapGroup:
    """One group of similar unanswered questions, for the staff page."""

    id: int
    representative: str
    size: int
    languages: list[str]
    first_asked: datetime
    last_asked: datetime
    status: str
    curated_id: int | None
    status_by: str | None
    examples: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class GapPage:
    """One page of groups, with the counts the page shows."""

    groups: list[GapGroup]
    total: int
    counts: dict[str, int]
    instruction_attempts: int
    pending: int  # turns not yet grouped (more than one batch arrived since the last view)


@dataclass(frozen=True)
class SyncReport:
    """What one sync did."""

    added: int
    new_groups: int
    pending: int


def _is_gap(config: GapConfig) -> ColumnElement[bool]:
    turn = ConversationTurnRow
    # A regulation asked about that the library does not hold is a gap too: staff may add it.
    refused = turn.refused.is_(True) & turn.reason.in_(("no_match", "missing_regulation"))
    weak = turn.refused.is_(False) & (turn.confidence < config.low_confidence)
    # Answered, though no text mentions a term the question names: staff may add one.
    unmentioned = turn.refused.is_(False) & (turn.reason == UNMENTIONED)
    # A staff answer ("curated") is never a gap, whatever its similarity.
    return refused | unmentioned | (weak & ((turn.reason.is_(None)) | (turn.reason != "curated")))


def _gap_reason(refused: bool, reason: str | None) -> str:
    """Why a turn is listed: refused, answered without a text on a term it names, or weak."""
    if refused:
        return "no_match"
    return UNMENTIONED if reason == UNMENTIONED else "low_confidence"


def sync(*, session: Session, embeddings: EmbeddingModel, config: GapConfig) -> SyncReport:
    """Group the refused and low-confidence turns asked since the last sync (one batch)."""
    cursor = int(registry.get_state(session=session, key=_CURSOR) or 0)
    turns = session.execute(
        select(
            ConversationTurnRow.id,
            ConversationTurnRow.question,
            ConversationTurnRow.language,
            ConversationTurnRow.refused,
            ConversationTurnRow.reason,
            ConversationTurnRow.confidence,
            ConversationTurnRow.created_at,
        )
        .where(ConversationTurnRow.id > cursor, _is_gap(config))
        .order_by(ConversationTurnRow.id)
        .limit(config.batch)
    ).all()
    if not turns:
        return SyncReport(0, 0, 0)
    vectors = _normalise(embeddings.embed_array([t.question for t in turns]))
    groups = session.scalars(
        select(GapGroupRow).where(GapGroupRow.model_id == embeddings.model_id)
    ).all()
    sums = [np.frombuffer(g.vector_sum, dtype=np.float32).copy() for g in groups]
    leaders = [np.frombuffer(g.leader, dtype=np.float32) for g in groups]
    centroids = _normalise(np.array(sums)) if sums else np.zeros((0, vectors.shape[1]))
    new_groups = 0
    for turn, vector in zip(turns, vectors, strict=True):
        asked = _aware(turn.created_at)
        best = int(np.argmax(centroids @ vector)) if len(groups) else -1
        if (
            best >= 0
            and float(centroids[best] @ vector) >= config.threshold
            and float(leaders[best] @ vector) >= config.threshold
        ):
            group = groups[best]
            sums[best] = sums[best] + vector
            centroids[best] = sums[best] / np.linalg.norm(sums[best])
            group.size += 1
            group.first_asked = min(_aware(group.first_asked), asked)
            group.last_asked = max(_aware(group.last_asked), asked)
            group.languages = ",".join(sorted({*group.languages.split(","), turn.language} - {""}))
        else:
            group = GapGroupRow(
                representative=turn.question,
                model_id=embeddings.model_id,
                size=1,
                languages=turn.language,
                vector_sum=vector.astype(np.float32).tobytes(),
                leader=vector.astype(np.float32).tobytes(),
                first_asked=asked,
                last_asked=asked,
                status="open",
            )
            session.add(group)
            session.flush()
            groups = [*groups, group]
            sums.append(vector.astype(np.float32).copy())
            leaders.append(vector.astype(np.float32).copy())
            centroids = np.vstack([centroids, vector[None, :]])
            new_groups += 1
        session.add(
            GapQuestionRow(
                turn_id=turn.id,
                group_id=group.id,
                question=turn.question,
                language=turn.language,
                reason=_gap_reason(turn.refused, turn.reason),
                confidence=turn.confidence,
                asked_at=asked,
            )
        )
    for group, total in zip(groups, sums, strict=True):
        group.vector_sum = np.asarray(total, dtype=np.float32).tobytes()
    registry.set_state(session=session, key=_CURSOR, value=str(turns[-1].id))
    try:
        session.commit()
    except IntegrityError:  # another worker grouped the same turns first: theirs stand
        session.rollback()
        return SyncReport(0, 0, pending_count(session=session, config=config))
    return SyncReport(len(turns), new_groups, pending_count(session=session, config=config))


def pending_count(*, session: Session, config: GapConfig) -> int:
    """How many refused or low-confidence turns are not grouped yet."""
    cursor = int(registry.get_state(session=session, key=_CURSOR) or 0)
    return int(
        session.scalar(
            select(func.count())
            .select_from(ConversationTurnRow)
            .where(ConversationTurnRow.id > cursor, _is_gap(config))
        )
        or 0
    )


def list_groups(
    *,
    session: Session,
    config: GapConfig,
    status: GroupStatus = "open",
    sort: Literal["count", "recent"] = "count",
    page: int = 1,
    per_page: int = 30,
) -> GapPage:
    """One page of groups in a status: most asked (or most recent) first, with examples."""
    order = (
        (GapGroupRow.size.desc(), GapGroupRow.last_asked.desc())
        if sort == "count"
        else (GapGroupRow.last_asked.desc(),)
    )
    rows = session.scalars(
        select(GapGroupRow)
        .where(GapGroupRow.status == status)
        .order_by(*order, GapGroupRow.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for name, n in session.execute(
        select(GapGroupRow.status, func.count()).group_by(GapGroupRow.status)
    ):
        counts[name] = n
    examples, reasons = _examples(session, [r.id for r in rows], config.examples)
    instruction_attempts = session.scalar(
        select(func.count())
        .select_from(ConversationTurnRow)
        .where(ConversationTurnRow.reason == "instructions")
    )
    groups = [
        GapGroup(
            id=r.id,
            representative=r.representative,
            size=r.size,
            languages=[x for x in r.languages.split(",") if x],
            first_asked=_aware(r.first_asked),
            last_asked=_aware(r.last_asked),
            status=r.status,
            curated_id=r.curated_id,
            status_by=r.status_by,
            examples=examples.get(r.id, []),
            reasons=reasons.get(r.id, {}),
        )
        for r in rows
    ]
    return GapPage(
        groups,
        counts[status],
        counts,
        int(instruction_attempts or 0),
        pending_count(session=session, config=config),
    )


def _examples(
    session: Session, group_ids: list[int], limit: int
) -> tuple[dict[int, list[str]], dict[int, dict[str, int]]]:
    """Up to `limit` distinct recent questions of each group, and its reasons' counts."""
    if not group_ids:
        return {}, {}
    rank = (
        func.row_number()
        .over(partition_by=GapQuestionRow.group_id, order_by=GapQuestionRow.id.desc())
        .label("rank")
    )
    recent = (
        select(GapQuestionRow.group_id, GapQuestionRow.question, rank)
        .where(GapQuestionRow.group_id.in_(group_ids))
        .subquery()
    )
    examples: dict[int, list[str]] = defaultdict(list)
    for group_id, question, _ in session.execute(
        select(recent).where(recent.c.rank <= limit * 6).order_by(recent.c.rank)
    ):
        if question not in examples[group_id] and len(examples[group_id]) < limit:
            examples[group_id].append(question)
    reasons: dict[int, dict[str, int]] = defaultdict(dict)
    for group_id, reason, n in session.execute(
        select(GapQuestionRow.group_id, GapQuestionRow.reason, func.count())
        .where(GapQuestionRow.group_id.in_(group_ids))
        .group_by(GapQuestionRow.group_id, GapQuestionRow.reason)
    ):
        reasons[group_id][reason] = n
    return dict(examples), dict(reasons)


def get_group(*, session: Session, group_id: int, config: GapConfig) -> GapGroup | None:
    """One group with its example questions (None when there is none)."""
    row = session.get(GapGroupRow, group_id)
    if row is None:
        return None
    examples, reasons = _examples(session, [row.id], config.examples)
    return GapGroup(
        id=row.id,
        representative=row.representative,
        size=row.size,
        languages=[x for x in row.languages.split(",") if x],
        first_asked=_aware(row.first_asked),
        last_asked=_aware(row.last_asked),
        status=row.status,
        curated_id=row.curated_id,
        status_by=row.status_by,
        examples=examples.get(row.id, []),
        reasons=reasons.get(row.id, {}),
    )


def set_status(
    *,
    session: Session,
    group_id: int,
    status: GroupStatus,
    actor: str,
    curated_id: int | None = None,
    commit: bool = True,
) -> bool:
    """Dismiss, reopen or mark a group answered (False when there is no such group)."""
    row = session.get(GapGroupRow, group_id)
    if row is None:
        return False
    row.status = status
    row.status_by = actor
    row.status_at = datetime.now(UTC)
    row.curated_id = curated_id if status == "answered" else None
    if commit:
        session.commit()
    return True


def reopen_answered_by(*, session: Session, curated_id: int, actor: str) -> None:
    """Reopen the groups a curated answer answered (it was deactivated); no commit."""
    for row in session.scalars(select(GapGroupRow).where(GapGroupRow.curated_id == curated_id)):
        row.status, row.curated_id = "open", None
        row.status_by, row.status_at = actor, datetime.now(UTC)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
