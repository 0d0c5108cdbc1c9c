"""The SLA in words: a calendar deadline, working hours left, and the calendar in one line."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.sla import SlaStatus, WorkingCalendar
from web.views.progress import calendar_text, clock_texts, deadline_text, working_hours_text

CALENDAR = WorkingCalendar()
DUE = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai, a Friday


def _sla(**changes: object) -> SlaStatus:
    values: dict[str, object] = {
        "first_response_due": DUE,
        "resolution_due": DUE,
        "first_response_remaining": None,
        "resolution_remaining": 16 * 3600,
        "remaining_seconds": 16 * 3600,
        "clock": "resolution",
        "state": "ok",
        "first_response_breached": False,
        "resolution_breached": False,
    }
    values.update(changes)
    return SlaStatus(**values)  # type: ignore[arg-type]


def test_a_deadline_is_a_date_with_its_weekday_on_the_centers_clock() -> None:
    assert deadline_text(DUE, CALENDAR, "zh") == "2026-12-04（周五）16:00"
    assert deadline_text(DUE, CALENDAR, "en") == "Fri 4 Dec 2026, 16:00"


def test_time_left_is_counted_in_whole_working_hours() -> None:
    assert working_hours_text(16 * 3600, "zh") == "剩余 16 个工作小时"
    assert working_hours_text(16 * 3600 + 59 * 60, "en") == "16 working hours left"
    assert working_hours_text(40 * 60, "en") == "less than 1 working hour left"
    assert working_hours_text(-3 * 3600 - 5, "zh") == "已超时 3 个工作小时"
    assert working_hours_text(-60, "en") == "less than 1 working hour overdue"


def test_the_calendar_is_explained_in_one_line_with_its_hours() -> None:
    zh, en = calendar_text(CALENDAR, "zh"), calendar_text(CALENDAR, "en")
    assert "09:00–18:00" in zh and "法定节假日不计" in zh and "调休上班日计入" in zh
    assert "09:00–18:00 Beijing time" in en and "\n" not in en


def test_an_open_request_shows_each_clock_with_deadline_and_hours_never_hours_and_minutes() -> None:
    clocks = clock_texts(_sla(first_response_remaining=5 * 3600), CALENDAR, "zh")

    assert [c.name for c in clocks] == ["首次响应", "办结"]
    assert clocks[0].summary == "剩余 5 个工作小时" and clocks[0].deadline.startswith("2026-12-04")
    assert clocks[1].summary == "剩余 16 个工作小时"
    assert all("分" not in c.summary for c in clocks)


def test_an_answered_request_says_the_first_response_was_met_without_a_deadline() -> None:
    clocks = clock_texts(_sla(), CALENDAR, "en")

    assert (clocks[0].summary, clocks[0].deadline, clocks[0].state) == ("Met", "", "met")


def test_a_paused_clock_says_so_instead_of_counting() -> None:
    clocks = clock_texts(_sla(state="paused"), CALENDAR, "en")

    assert clocks[1].summary == "Paused (awaiting company)" and clocks[1].deadline == ""


def test_an_overdue_clock_is_marked_breached() -> None:
    clocks = clock_texts(_sla(resolution_remaining=-7200, state="breached"), CALENDAR, "en")

    assert clocks[1].state == "breached" and clocks[1].summary == "2 working hours overdue"
