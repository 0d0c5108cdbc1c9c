"""SLA clocks in business hours on a working calendar (weekends, holidays and 调休 days)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal import working_calendar
from portal.models import ServiceRequest
from portal.workflow import Priority, Status

SlaState = Literal["met", "ok", "warning", "breached", "paused"]

FIRST_RESPONSE_HOURS: dict[Priority, float] = {
    Priority.URGENT: 4,
    Priority.HIGH: 8,
    Priority.NORMAL: 16,
    Priority.LOW: 24,
}
RESOLUTION_FACTOR: dict[Priority, float] = {
    Priority.URGENT: 0.5,
    Priority.HIGH: 0.75,
    Priority.NORMAL: 1.0,
    Priority.LOW: 1.0,
}
HOURS_PER_DAY = 9
DEFAULT_TURNAROUND_DAYS = 10
WARNING_SHARE = 0.2
_MAX_DAYS = 3660  # a calendar with no working day in ten years is a configuration error


def as_utc(moment: datetime) -> datetime:
    """Return an aware datetime; naive values (as SQLite returns them) are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def moment_or_now(now: datetime | None) -> datetime:
    """Return the given moment as an aware datetime, or the current time in UTC."""
    return as_utc(now) if now is not None else datetime.now(UTC)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours on working days; holidays are off, 调休 weekend days are worked."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    start: time = time(9)
    end: time = time(18)
    holidays: frozenset[date] = frozenset()
    working_weekend_days: frozenset[date] = frozenset()

    @classmethod
    def from_days(
        cls, *, holidays: Iterable[date] = (), working_weekend_days: Iterable[date] = ()
    ) -> WorkingCalendar:
        """Build a calendar from lists of days."""
        return cls(
            holidays=frozenset(holidays), working_weekend_days=frozenset(working_weekend_days)
        )

    @classmethod
    def load(cls, *, session: Session, today: date | None = None) -> WorkingCalendar:
        """Build China's calendar (the `holidays` package) with the Holiday table's overrides."""
        today = today or datetime.now(ZoneInfo("Asia/Shanghai")).date()
        years = working_calendar.years_around(today)
        days = working_calendar.days_of(session=session, years=years, every_override=True)
        return cls.from_days(
            holidays=[d.day for d in days if not d.working],
            working_weekend_days=[d.day for d in days if d.working],
        )

    def is_working_day(self, day: date) -> bool:
        """Whether the day has working hours."""
        if day in self.holidays:
            return False
        return day in self.working_weekend_days or day.weekday() < 5

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.start, self.tz),
            datetime.combine(day, self.end, self.tz),
        )

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Count the working seconds between two moments (0 if end is not after start)."""
        start, end = as_utc(start).astimezone(self.tz), as_utc(end).astimezone(self.tz)
        if end <= start:
            return 0
        total = 0.0
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                open_, close = self._window(day)
                lo, hi = max(open_, start), min(close, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return int(total)

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """Return the moment when the given working seconds after start have passed."""
        local = as_utc(start).astimezone(self.tz)
        remaining = max(0.0, seconds)
        for _ in range(_MAX_DAYS):
            day = local.date()
            if self.is_working_day(day):
                open_, close = self._window(day)
                lo = max(open_, local)
                if lo < close:
                    available = (close - lo).total_seconds()
                    if remaining <= available:
                        return lo + timedelta(seconds=remaining)
                    remaining -= available
            local = datetime.combine(day + timedelta(days=1), time(0), self.tz)
        raise ValueError("the working calendar has no working time ahead")


@dataclass(frozen=True)
class SlaStatus:
    """Where a request's SLA clocks stand; remaining times are business seconds."""

    first_response_due: datetime
    resolution_due: datetime
    first_response_remaining: int | None  # None once answered
    resolution_remaining: int
    remaining_seconds: int  # of the clock that runs out first
    clock: Literal["first_response", "resolution"]
    state: SlaState
    first_response_breached: bool
    resolution_breached: bool


def first_response_target(priority: Priority) -> int:
    """Return the first-response target in business seconds."""
    return int(FIRST_RESPONSE_HOURS[priority] * 3600)


def resolution_target(priority: Priority, turnaround_days: int | None) -> int:
    """Return the resolution target in business seconds."""
    days = turnaround_days or DEFAULT_TURNAROUND_DAYS
    return int(days * HOURS_PER_DAY * 3600 * RESOLUTION_FACTOR[priority])


def paused_total(*, request: ServiceRequest, now: datetime, calendar: WorkingCalendar) -> int:
    """Return the business seconds spent awaiting the company, including a running pause."""
    paused = request.paused_seconds or 0
    if request.awaiting_since is not None:
        paused += calendar.business_seconds(request.awaiting_since, now)
    return paused


def sla_status(*, request: ServiceRequest, now: datetime, calendar: WorkingCalendar) -> SlaStatus:
    """Return the request's SLA clocks at `now`."""
    now = as_utc(now)
    created = as_utc(request.created_at)
    priority = Priority(request.priority)
    fr_target = first_response_target(priority)
    res_target = resolution_target(
        priority, request.service.turnaround_days if request.service else None
    )
    paused = paused_total(request=request, now=now, calendar=calendar)
    # Paused time pushes the resolution due date; first response is owed regardless.
    fr_due = calendar.add_business_seconds(created, fr_target)
    res_due = calendar.add_business_seconds(created, res_target + paused)

    responded = as_utc(request.first_response_at) if request.first_response_at else None
    finished_at = request.resolved_at or request.closed_at
    status = Status(request.status)
    clock_end = as_utc(finished_at) if finished_at and status not in _OPEN_LIKE else now
    if request.awaiting_since is not None:
        clock_end = min(clock_end, as_utc(request.awaiting_since))
    elapsed = calendar.business_seconds(created, clock_end) - (request.paused_seconds or 0)
    res_remaining = res_target - elapsed
    fr_breached = status not in _NO_OBLIGATION and (responded or now) > fr_due
    fr_remaining = None
    if responded is None and status not in _NO_OBLIGATION:
        fr_remaining = fr_target - calendar.business_seconds(created, now)
    res_breached = res_remaining < 0 and status not in _NO_OBLIGATION

    if fr_remaining is not None and fr_remaining < res_remaining:
        clock, remaining, target = "first_response", fr_remaining, fr_target
    else:
        clock, remaining, target = "resolution", res_remaining, res_target
    state: SlaState
    if status in _NO_OBLIGATION or (status not in _OPEN_LIKE and finished_at):
        state = "breached" if (fr_breached or res_breached) else "met"
    elif request.awaiting_since is not None:
        state = "paused"
    elif remaining < 0 or fr_breached:
        state = "breached"
    elif remaining <= target * WARNING_SHARE:
        state = "warning"
    else:
        state = "ok"
    return SlaStatus(
        first_response_due=fr_due,
        resolution_due=res_due,
        first_response_remaining=fr_remaining,
        resolution_remaining=res_remaining,
        remaining_seconds=remaining,
        clock=clock,  # type: ignore[arg-type]
        state=state,
        first_response_breached=fr_breached,
        resolution_breached=res_breached,
    )


_OPEN_LIKE = frozenset(
    {Status.SUBMITTED, Status.TRIAGED, Status.IN_PROGRESS, Status.AWAITING_COMPANY}
)
_NO_OBLIGATION = frozenset({Status.WITHDRAWN, Status.REJECTED})
