"""Staff views over many requests: the triage queue and the dashboard numbers."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.models import Company, Deflection, ServiceRequest, User
from portal.sla import SlaStatus, WorkingCalendar, as_utc, sla_status
from portal.tracking import ensure_staff
from portal.workflow import OPEN, Priority, Status

QueueSort = Literal["sla", "newest", "oldest", "priority", "updated"]
_SLA_RANK = {"breached": 0, "warning": 1, "ok": 2, "paused": 3, "met": 4}
_PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


@dataclass(frozen=True)
class QueueFilters:
    """The staff queue's filters; assignee takes a user id, "me" or "unassigned"."""

    status: tuple[Status, ...] = ()  # empty: every open status
    service: str | None = None
    priority: Priority | None = None
    assignee: int | Literal["me", "unassigned"] | None = None
    team: str | None = None
    sla_state: str | None = None
    company_id: int | None = None
    text: str | None = None
    sort: QueueSort = "sla"
    limit: int = 100
    offset: int = 0


@dataclass(frozen=True)
class QueueRow:
    """A request in the queue with its SLA clocks."""

    request: ServiceRequest
    sla: SlaStatus


@dataclass(frozen=True)
class QueueResult:
    """One page of the queue, the total after filters, and counts per status."""

    rows: list[QueueRow]
    total: int
    counts: dict[str, int] = field(default_factory=dict)


def queue(
    *,
    session: Session,
    user: User,
    filters: QueueFilters,
    now: datetime,
    calendar: WorkingCalendar,
) -> QueueResult:
    """Return the filtered, sorted queue; by default breached and about-to-breach come first."""
    ensure_staff(user=user)
    stmt = select(ServiceRequest)
    if filters.service:
        stmt = stmt.where(ServiceRequest.service_code == filters.service)
    if filters.priority:
        stmt = stmt.where(ServiceRequest.priority == Priority(filters.priority))
    if filters.assignee == "me":
        stmt = stmt.where(ServiceRequest.assignee_id == user.id)
    elif filters.assignee == "unassigned":
        stmt = stmt.where(ServiceRequest.assignee_id.is_(None))
    elif isinstance(filters.assignee, int):
        stmt = stmt.where(ServiceRequest.assignee_id == filters.assignee)
    if filters.team:
        stmt = stmt.where(ServiceRequest.team_code == filters.team)
    if filters.company_id:
        stmt = stmt.where(ServiceRequest.company_id == filters.company_id)
    if filters.text and filters.text.strip():
        escaped = filters.text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        stmt = stmt.join(Company, Company.id == ServiceRequest.company_id).where(
            or_(
                ServiceRequest.tracking_number.ilike(like, escape="\\"),
                ServiceRequest.title.ilike(like, escape="\\"),
                ServiceRequest.description.ilike(like, escape="\\"),
                Company.name.ilike(like, escape="\\"),
            )
        )
    # Counts per status under every other filter, so the status tabs show what they hold.
    counts = dict.fromkeys((s.value for s in Status), 0)
    for status, n in session.execute(
        stmt.with_only_columns(ServiceRequest.status, func.count()).group_by(ServiceRequest.status)
    ):
        counts[Status(status).value] = n
    statuses = filters.status or tuple(OPEN)
    stmt = stmt.where(ServiceRequest.status.in_(statuses))
    rows = [
        QueueRow(r, sla_status(request=r, now=now, calendar=calendar))
        for r in session.scalars(stmt).unique()
    ]
    if filters.sla_state:
        rows = [row for row in rows if row.sla.state == filters.sla_state]
    key = {
        "sla": lambda r: (_SLA_RANK[r.sla.state], r.sla.remaining_seconds, r.request.id),
        "newest": lambda r: (-r.request.id,),
        "oldest": lambda r: (r.request.id,),
        "priority": lambda r: (_PRIORITY_RANK[Priority(r.request.priority)], r.request.id),
        "updated": lambda r: (-as_utc(r.request.updated_at).timestamp(), r.request.id),
    }[filters.sort]
    rows.sort(key=key)
    page = rows[filters.offset : filters.offset + max(filters.limit, 0)]
    return QueueResult(rows=page, total=len(rows), counts=counts)


@dataclass(frozen=True)
class DashboardStats:
    """The numbers behind the dashboard's charts; times are business hours."""

    open_by_status: dict[str, int]
    open_by_service: dict[str, int]
    total_requests: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    sla_breach_rate: float | None
    rating_average: float | None
    rating_distribution: dict[int, int]
    deflection_rate: float | None
    deflections: int
    submitted_per_day: dict[str, int]  # the last 30 days, oldest first
    deflected: int = 0  # deflections no request followed
    weekly: list[WeekTrend] = field(default_factory=list)  # the last WEEKS weeks, oldest first


WEEKS = 12


@dataclass(frozen=True)
class WeekTrend:
    """One week's service levels: requests created that week, and those resolved in it."""

    week_start: str  # the Monday, ISO date (local time)
    created: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None  # of the requests resolved this week
    breach_rate: float | None  # of the requests created this week (withdrawn/rejected not judged)


def stats(*, session: Session, now: datetime, calendar: WorkingCalendar) -> DashboardStats:
    """Compute the dashboard's numbers over all requests."""
    requests = list(session.scalars(select(ServiceRequest)).unique())
    open_ = [r for r in requests if Status(r.status) in OPEN]
    first, resolution, breached, judged = [], [], 0, 0
    today = as_utc(now).astimezone(calendar.tz).date()
    this_monday = today - timedelta(days=today.weekday())
    weeks = [(this_monday - timedelta(weeks=i)).isoformat() for i in range(WEEKS - 1, -1, -1)]
    by_week: dict[str, _Week] = {w: _Week() for w in weeks}

    def week_of(moment: datetime) -> _Week | None:
        day = as_utc(moment).astimezone(calendar.tz).date()
        return by_week.get((day - timedelta(days=day.weekday())).isoformat())

    for r in requests:
        created = as_utc(r.created_at)
        week = week_of(created)
        if week is not None:
            week.created += 1
        if r.first_response_at is not None:
            hours = calendar.business_seconds(created, r.first_response_at) / 3600
            first.append(hours)
            if week is not None:
                week.first.append(hours)
        if r.resolved_at is not None:
            worked = calendar.business_seconds(created, r.resolved_at) - (r.paused_seconds or 0)
            resolution.append(max(worked, 0) / 3600)
            if (resolved_week := week_of(r.resolved_at)) is not None:
                resolved_week.resolution.append(max(worked, 0) / 3600)
        if Status(r.status) in (Status.WITHDRAWN, Status.REJECTED):
            continue
        judged += 1
        sla = sla_status(request=r, now=now, calendar=calendar)
        late = sla.first_response_breached or sla.resolution_breached
        breached += late
        if week is not None:
            week.judged += 1
            week.breached += late
    ratings = [r.rating for r in requests if r.rating is not None]
    deflections = list(session.scalars(select(Deflection)))
    deflected = sum(d.request_id is None for d in deflections)
    days = {(today - timedelta(days=i)).isoformat(): 0 for i in range(29, -1, -1)}
    for r in requests:
        day = as_utc(r.created_at).astimezone(calendar.tz).date().isoformat()
        if day in days:
            days[day] += 1
    return DashboardStats(
        open_by_status=dict(Counter(Status(r.status).value for r in open_)),
        open_by_service=dict(Counter(r.service_code for r in open_)),
        total_requests=len(requests),
        median_first_response_hours=round(statistics.median(first), 2) if first else None,
        median_resolution_hours=round(statistics.median(resolution), 2) if resolution else None,
        sla_breach_rate=round(breached / judged, 4) if judged else None,
        rating_average=round(sum(ratings) / len(ratings), 2) if ratings else None,
        rating_distribution={n: ratings.count(n) for n in range(1, 6)},
        deflection_rate=round(deflected / len(deflections), 4) if deflections else None,
        deflections=len(deflections),
        submitted_per_day=days,
        deflected=deflected,
        weekly=[by_week[w].trend(w) for w in weeks],
    )


@dataclass
class _Week:
    created: int = 0
    judged: int = 0
    breached: int = 0
    first: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)

    def trend(self, week_start: str) -> WeekTrend:
        return WeekTrend(
            week_start=week_start,
            created=self.created,
            median_first_response_hours=_median(self.first),
            median_resolution_hours=_median(self.resolution),
            breach_rate=round(self.breached / self.judged, 4) if self.judged else None,
        )


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None
