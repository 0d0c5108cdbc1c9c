"""China's working calendar: the holidays package by default, overrides from the table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import working_calendar
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Event, Holiday
from portal.sla import WorkingCalendar, sla_status

CST = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 12, 2)
BEFORE_SPRING_FESTIVAL = datetime(2026, 2, 13, 16, 0, tzinfo=CST)  # Friday 16:00


def test_spring_festival_2026_is_off_and_its_make_up_saturdays_are_worked(
    session: Session,
) -> None:
    cal = WorkingCalendar.load(session=session, today=TODAY)
    for day in range(16, 24):  # 除夕 Feb 16 to Feb 23, weekend included
        assert not cal.is_working_day(date(2026, 2, day)), day
    assert cal.is_working_day(date(2026, 2, 14))  # Saturday, 调休
    assert cal.is_working_day(date(2026, 2, 28))  # Saturday, 调休
    assert not cal.is_working_day(date(2026, 3, 7))  # an ordinary Saturday
    assert not cal.is_working_day(date(2026, 10, 7)) and cal.is_working_day(date(2026, 10, 10))


def test_first_response_clock_runs_on_the_make_up_saturday_and_skips_the_festival(
    session: Session, people: dict[str, Any], submit_one: Any
) -> None:
    cal = WorkingCalendar.load(session=session, today=TODAY)
    request = submit_one(people["a"], now=BEFORE_SPRING_FESTIVAL.astimezone(UTC))
    status = sla_status(request=request, now=BEFORE_SPRING_FESTIVAL, calendar=cal)
    # 16 h at normal priority: 2 h on Friday, 9 h on Saturday the 14th, 5 h on Tuesday the 24th
    assert status.first_response_due == datetime(2026, 2, 24, 14, 0, tzinfo=CST)
    plain = sla_status(request=request, now=BEFORE_SPRING_FESTIVAL, calendar=WorkingCalendar())
    assert plain.first_response_due == datetime(2026, 2, 17, 14, 0, tzinfo=CST)
    # During the festival no time passes: at New Year's Day itself 5 h are left, as on Sunday.
    festival = datetime(2026, 2, 17, 12, 0, tzinfo=CST)
    assert sla_status(request=request, now=festival, calendar=cal).first_response_remaining == (
        5 * 3600
    )


def test_an_override_beats_the_package_both_ways(session: Session) -> None:
    session.add_all(
        [
            Holiday(day=date(2026, 2, 23), name="照常上班", working=True),
            Holiday(day=date(2026, 3, 9), name="园区停电", working=False),
        ]
    )
    session.commit()
    cal = WorkingCalendar.load(session=session, today=TODAY)
    assert cal.is_working_day(date(2026, 2, 23))
    assert not cal.is_working_day(date(2026, 3, 9))
    days = {d.day: d for d in working_calendar.days_of(session=session, years=range(2026, 2027))}
    assert days[date(2026, 2, 23)].source == "override"
    assert days[date(2026, 2, 17)].source == "package" and "春节" in days[date(2026, 2, 17)].name


def test_an_unpublished_year_counts_only_the_statutory_days() -> None:
    year = next(y for y in range(2027, 2040) if not working_calendar.published(y))
    days = working_calendar.package_days(year)
    assert days and not any(d.working for d in days)  # no guessed 调休 days
    assert date(year, 1, 1) in {d.day for d in days}
    assert not any("补假" in d.name or "推定" in d.name for d in days)


def test_december_warns_until_next_years_calendar_exists(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(working_calendar, "published", lambda year: year <= 2026)
    assert working_calendar.missing_next_year(session=session, today=date(2026, 11, 30)) is None
    assert working_calendar.missing_next_year(session=session, today=TODAY) == 2027
    session.add(Holiday(day=date(2027, 2, 6), name="春节", working=False))
    session.commit()
    assert working_calendar.missing_next_year(session=session, today=TODAY) is None


def test_import_takes_a_file_whole_or_not_at_all(session: Session, people: dict[str, Any]) -> None:
    good = "day,name,kind\n2027-02-05,除夕,holiday\n2027-02-20,调休上班,workday\n"
    assert working_calendar.import_overrides(session=session, text=good) == 2
    rows = {h.day: h.working for h in session.scalars(select(Holiday))}
    assert rows == {date(2027, 2, 5): False, date(2027, 2, 20): True}
    bad = "2027-10-01,国庆节,holiday\n2027-13-01,x,holiday\n2027-10-02,国庆节,maybe\n"
    with pytest.raises(ValidationFailed) as failure:
        working_calendar.import_overrides(session=session, text=bad)
    assert set(failure.value.errors) == {"line 2", "line 3"}
    assert session.get(Holiday, date(2027, 10, 1)) is None


def test_overrides_are_for_admins_and_audited(session: Session, people: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        working_calendar.set_override(
            session=session, actor=people["staff"], day=date(2027, 1, 1), name="x", working=False
        )
    admin = people["admin"]
    working_calendar.set_override(
        session=session, actor=admin, day=date(2027, 1, 1), name="元旦", working=False
    )
    working_calendar.delete_override(session=session, actor=admin, day=date(2027, 1, 1))
    kinds = [e.kind for e in session.scalars(select(Event).order_by(Event.id))]
    assert kinds[-2:] == ["admin.holiday_set", "admin.holiday_deleted"]
    with pytest.raises(ValidationFailed):
        working_calendar.set_override(
            session=session, actor=admin, day=None, name="", working=False
        )


def test_an_override_years_ahead_still_counts_on_the_sla_calendar(session: Session) -> None:
    session.add(Holiday(day=date(2035, 3, 5), name="园区停电", working=False))
    session.commit()
    assert not WorkingCalendar.load(session=session, today=TODAY).is_working_day(date(2035, 3, 5))
