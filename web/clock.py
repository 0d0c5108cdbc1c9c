"""The current moment, a request's SLA clocks at it, and the working calendar's gaps."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from portal import catalog, working_calendar
from portal.models import ServiceRequest
from portal.sla import SlaStatus, WorkingCalendar, sla_status


def now() -> datetime:
    """The current moment (UTC)."""
    return datetime.now(UTC)


def sla_of(item: ServiceRequest, calendar: WorkingCalendar) -> SlaStatus:
    """The request's SLA clocks now."""
    return sla_status(request=item, now=now(), calendar=calendar)


def calendar_missing(session: Session, moment: datetime) -> int | None:
    """Next year, when from December on its working calendar is still missing."""
    return working_calendar.missing_next_year(
        session=session, today=moment.astimezone(catalog.SHANGHAI).date()
    )
