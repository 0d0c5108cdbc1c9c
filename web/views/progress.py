"""What the request page says about progress: the steps and the SLA clocks, in words.

The SLA clocks count working time on the center's calendar, but a deadline is a moment on the
wall clock; the page says both, and names the calendar in one line, so "16 working hours left"
and "due Fri 4 Dec 16:00" never look like they contradict each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.sla import SlaStatus, WorkingCalendar, as_utc
from web.i18n import UiLanguage, translate, translate_plural

_WEEKDAYS = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def deadline_text(moment: datetime, calendar: WorkingCalendar, language: UiLanguage) -> str:
    """A deadline as a date and time of the center's clock: 2026-12-04（周五）16:00."""
    local = as_utc(moment).astimezone(calendar.tz)
    day = _WEEKDAYS[language][local.weekday()]
    if language == "zh":
        return f"{local:%Y-%m-%d}（{day}）{local:%H:%M}"
    return f"{day} {local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def working_hours_text(seconds: int, language: UiLanguage) -> str:
    """Working time left (or overdue when negative), in whole working hours."""
    hours = abs(int(seconds)) // 3600
    if hours < 1:
        key = "sla.under_an_hour_left" if seconds >= 0 else "sla.under_an_hour_overdue"
        return translate(key, language)
    if seconds >= 0:
        return translate_plural("sla.hours_left", language, hours)
    return translate_plural("sla.hours_overdue", language, hours)


def calendar_text(calendar: WorkingCalendar, language: UiLanguage) -> str:
    """The working calendar in one line: the hours, and what holidays and 调休 days do."""
    return translate(
        "sla.calendar", language, start=f"{calendar.start:%H:%M}", end=f"{calendar.end:%H:%M}"
    )


@dataclass(frozen=True)
class ClockText:
    """One SLA clock as the page states it."""

    name: str
    state: str  # the SlaState, for the colour
    summary: str  # "met" / "paused" … or the working hours left or overdue
    deadline: str  # "" once the clock has stopped


def clock_texts(sla: SlaStatus, calendar: WorkingCalendar, language: UiLanguage) -> list[ClockText]:
    """The first-response and resolution clocks, each with its deadline and time left."""
    clocks = []
    if sla.first_response_remaining is None:
        state = "breached" if sla.first_response_breached else "met"
        clocks.append(
            ClockText(
                translate("sla.first_response", language),
                state,
                translate(f"sla.{state}", language),
                "",
            )
        )
    else:
        state = "breached" if sla.first_response_remaining < 0 else sla.state
        clocks.append(
            ClockText(
                translate("sla.first_response", language),
                state,
                working_hours_text(sla.first_response_remaining, language),
                deadline_text(sla.first_response_due, calendar, language),
            )
        )
    if sla.state in ("met", "paused"):
        clocks.append(
            ClockText(
                translate("sla.resolution", language),
                sla.state,
                translate(f"sla.{sla.state}", language),
                "",
            )
        )
    else:
        state = "breached" if sla.resolution_remaining < 0 else sla.state
        clocks.append(
            ClockText(
                translate("sla.resolution", language),
                state,
                working_hours_text(sla.resolution_remaining, language),
                deadline_text(sla.resolution_due, calendar, language),
            )
        )
    return clocks
