"""Business-hour clocks on a calendar with weekends, holidays and 调休 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal import request_assignment, request_messages, request_transitions
from portal.models import Holiday
from portal.sla import WorkingCalendar, sla_status
from portal.workflow import Priority, Status

CST = ZoneInfo("Asia/Shanghai")
FRIDAY_4PM = datetime(2026, 3, 6, 16, 0, tzinfo=CST)
HOLIDAY_MONDAY = date(2026, 3, 9)
CAL = WorkingCalendar.from_days(holidays=[HOLIDAY_MONDAY])


def test_business_seconds_skip_nights_weekends_and_holidays() -> None:
    tuesday_10 = datetime(2026, 3, 10, 10, 0, tzinfo=CST)
    assert CAL.business_seconds(FRIDAY_4PM, tuesday_10) == 3 * 3600
    assert CAL.business_seconds(tuesday_10, FRIDAY_4PM) == 0
    assert WorkingCalendar().business_seconds(FRIDAY_4PM, tuesday_10) == 12 * 3600


def test_add_business_seconds_over_weekend_and_holiday() -> None:
    due = CAL.add_business_seconds(FRIDAY_4PM, 16 * 3600)
    assert due == datetime(2026, 3, 11, 14, 0, tzinfo=CST)
    night = datetime(2026, 3, 5, 22, 0, tzinfo=CST)  # Thursday night starts Friday 9:00
    assert CAL.add_business_seconds(night, 3600) == datetime(2026, 3, 6, 10, 0, tzinfo=CST)


def test_working_weekend_day_counts() -> None:
    cal = WorkingCalendar.from_days(
        holidays=[HOLIDAY_MONDAY], working_weekend_days=[date(2026, 3, 7)]
    )
    assert cal.add_business_seconds(FRIDAY_4PM, 16 * 3600) == datetime(
        2026, 3, 10, 14, 0, tzinfo=CST
    )


def test_calendar_loads_from_holiday_table(session: Session) -> None:
    session.add_all(
        [
            Holiday(day=HOLIDAY_MONDAY, name="假日"),
            Holiday(day=date(2026, 3, 7), name="调休", working=True),
        ]
    )
    session.commit()
    cal = WorkingCalendar.load(session=session)
    assert not cal.is_working_day(HOLIDAY_MONDAY) and cal.is_working_day(date(2026, 3, 7))


def test_sla_states_pause_and_breach(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    request = submit_one(people["a"], now=FRIDAY_4PM.astimezone(UTC))
    status = sla_status(request=request, now=FRIDAY_4PM, calendar=CAL)
    assert status.first_response_due == datetime(2026, 3, 11, 14, 0, tzinfo=CST)
    # release testing: 15 days × 9 h, normal priority
    assert status.resolution_remaining == 15 * 9 * 3600
    assert (status.state, status.clock) == ("ok", "first_response")

    wed_1pm = datetime(2026, 3, 11, 13, 0, tzinfo=CST)  # 1 h of 16 left: warning
    assert sla_status(request=request, now=wed_1pm, calendar=CAL).state == "warning"
    wed_3pm = datetime(2026, 3, 11, 15, 0, tzinfo=CST)
    assert sla_status(request=request, now=wed_3pm, calendar=CAL).state == "breached"

    tuesday_10 = datetime(2026, 3, 10, 10, 0, tzinfo=CST)
    request_transitions.transition(
        session=session,
        actor=people["staff"],
        request=request,
        target=Status.AWAITING_COMPANY,
        now=tuesday_10,
        calendar=CAL,
    )
    paused = sla_status(request=request, now=tuesday_10 + timedelta(days=1), calendar=CAL)
    assert paused.state == "paused"
    assert paused.resolution_remaining == 15 * 9 * 3600 - 3 * 3600  # frozen at the pause
    request_messages.add_message(
        session=session,
        user=people["a"],
        request=request,
        body="data",
        now=tuesday_10 + timedelta(days=1),
        calendar=CAL,
    )
    assert request.paused_seconds == 9 * 3600
    after = sla_status(request=request, now=tuesday_10 + timedelta(days=1), calendar=CAL)
    assert after.state == "ok" and after.first_response_remaining is None
    assert after.resolution_remaining == 15 * 9 * 3600 - 3 * 3600


def test_priority_scales_targets(session: Session, people: dict[str, Any], submit_one: Any) -> None:
    request = submit_one(people["a"], now=FRIDAY_4PM.astimezone(UTC))
    request_assignment.set_priority(
        session=session, actor=people["staff"], request=request, priority=Priority.URGENT
    )
    status = sla_status(request=request, now=FRIDAY_4PM, calendar=CAL)
    assert status.first_response_due == datetime(2026, 3, 10, 11, 0, tzinfo=CST)  # 4 h
    assert status.resolution_remaining == int(15 * 9 * 3600 * 0.5)


def test_resolved_in_time_is_met(session: Session, people: dict[str, Any], submit_one: Any) -> None:
    request = submit_one(people["a"], now=FRIDAY_4PM.astimezone(UTC))
    request.status = Status.IN_PROGRESS
    session.commit()
    tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=CST)
    request_transitions.transition(
        session=session,
        actor=people["staff"],
        request=request,
        target=Status.RESOLVED,
        now=tuesday,
        calendar=CAL,
    )
    later = tuesday + timedelta(days=60)
    assert sla_status(request=request, now=later, calendar=CAL).state == "met"
