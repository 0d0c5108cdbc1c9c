"""Which days are worked: China's holidays and 调休 days from `holidays`, overridden per day.

The `holidays` package carries the State Council's schedule for every year it knows, with the
make-up working days (调休). Rows in `portal_holidays` override it day by day (an admin page and
`cgt-portal holidays import`), so a year the package does not know yet, or a local closure, can
be entered by hand. For a year whose schedule is not in the package, only the statutory days
count: the package's guessed "observed" days would be inventions.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

import holidays
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.admin import ensure_admin
from portal.errors import ValidationFailed
from portal.models import Holiday, User
from portal.tracking import record_event

Source = Literal["package", "override"]
MAX_NAME = 100
MAX_IMPORT_ROWS = 2000
# Validation keys of an import file, with their texts (web shows them; the CLI prints English).
YEARS_BACK = 3  # requests older than this are long closed; their clocks are not recounted


@dataclass(frozen=True)
class CalendarDay:
    """A day that differs from the Monday-Friday week: a holiday or a worked weekend day."""

    day: date
    name: str
    working: bool
    source: Source


@lru_cache(maxsize=64)
def published(year: int) -> bool:
    """Whether the installed `holidays` package has the State Council's schedule for the year."""
    # Every year since 2001 has had 调休 days; a year without any is one the package only
    # computes from the statutory rules, i.e. its schedule was not published when it shipped.
    return any(d.year == year for d in holidays.China(years=year).weekend_workdays)


@lru_cache(maxsize=64)
def package_days(year: int) -> tuple[CalendarDay, ...]:
    """Return the package's holidays and worked weekend days of a year (Chinese names)."""
    observed = published(year)
    table = holidays.China(years=year, observed=observed, language="zh_CN")
    days = [
        CalendarDay(d, str(name), False, "package") for d, name in table.items() if d.year == year
    ]
    if observed:
        days += [
            CalendarDay(d, "调休上班", True, "package")
            for d in table.weekend_workdays
            if d.year == year
        ]
    return tuple(sorted(days, key=lambda c: c.day))


def days_of(*, session: Session, years: range, every_override: bool = False) -> list[CalendarDay]:
    """Return the effective special days of the years: the package's, overridden by the table.

    With `every_override`, override rows outside the years count too (the SLA calendar: a
    clock may run into a year an admin prepared ahead).
    """
    merged = {c.day: c for year in years for c in package_days(year)}
    stmt = select(Holiday)
    if not every_override:
        stmt = stmt.where(
            Holiday.day >= date(years.start, 1, 1), Holiday.day < date(years.stop, 1, 1)
        )
    for row in session.scalars(stmt):
        merged[row.day] = CalendarDay(row.day, row.name, bool(row.working), "override")
    return sorted(merged.values(), key=lambda c: c.day)


def years_around(today: date) -> range:
    """Return the years a working calendar built today covers."""
    return range(today.year - YEARS_BACK, today.year + 2)


def overrides_in(*, session: Session, year: int) -> int:
    """Return how many override rows fall in the year."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Holiday)
            .where(Holiday.day >= date(year, 1, 1), Holiday.day < date(year + 1, 1, 1))
        )
        or 0
    )


def missing_next_year(*, session: Session, today: date) -> int | None:
    """Return next year when, from December on, neither the package nor overrides cover it."""
    if today.month != 12:
        return None
    year = today.year + 1
    if published(year) or overrides_in(session=session, year=year):
        return None
    return year


# --- overrides -----------------------------------------------------------------------------


def list_overrides(*, session: Session, actor: User) -> list[Holiday]:
    """Return every override row, by day (admins only)."""
    ensure_admin(user=actor)
    return list(session.scalars(select(Holiday).order_by(Holiday.day)))


def _clean(day: date | None, name: str) -> tuple[date, str]:
    errors = {}
    name = (name or "").strip()
    if day is None:
        errors["day"] = "required"
    if not name:
        errors["name"] = "required"
    elif len(name) > MAX_NAME:
        errors["name"] = "too_long"
    if errors:
        raise ValidationFailed(errors)
    return day, name  # type: ignore[return-value]


def _put(*, session: Session, actor: User | None, day: date, name: str, working: bool) -> None:
    row = session.get(Holiday, day)
    before = {"name": row.name, "working": row.working} if row is not None else None
    if row is None:
        row = Holiday(day=day, name=name, working=working)
        session.add(row)
    else:
        row.name, row.working = name, working
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="admin.holiday_set",
        before=before,
        after={"day": day.isoformat(), "name": name, "working": working},
    )


def set_override(
    *, session: Session, actor: User, day: date | None, name: str, working: bool
) -> Holiday:
    """Make a day a holiday (working=False) or a working day (True), whatever the package says."""
    ensure_admin(user=actor)
    day, name = _clean(day, name)
    _put(session=session, actor=actor, day=day, name=name, working=working)
    session.commit()
    return session.get(Holiday, day)  # type: ignore[return-value]


def delete_override(*, session: Session, actor: User, day: date) -> None:
    """Remove an override: the package's answer for that day applies again."""
    ensure_admin(user=actor)
    row = session.get(Holiday, day)
    if row is None:
        return
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="admin.holiday_deleted",
        before={"day": day.isoformat(), "name": row.name, "working": row.working},
    )
    session.delete(row)
    session.commit()


def parse_import(text: str) -> list[tuple[date, str, bool]]:
    """Read `day,name,kind` lines (kind: holiday or workday; a header line is allowed).

    Raises ValidationFailed naming every bad line, so a file is taken whole or not at all.
    """
    rows: list[tuple[date, str, bool]] = []
    errors: dict[str, str] = {}
    for number, cells in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [c.strip() for c in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in ("day", "date", "日期"):
            continue
        if len(cells) != 3:
            errors[f"line {number}"] = "bad_columns"
            continue
        raw_day, name, kind = cells
        try:
            day = date.fromisoformat(raw_day)
        except ValueError:
            errors[f"line {number}"] = "bad_date"
            continue
        if kind.lower() not in ("holiday", "workday", "休", "班"):
            errors[f"line {number}"] = "bad_kind"
            continue
        if not name or len(name) > MAX_NAME:
            errors[f"line {number}"] = "bad_name"
            continue
        rows.append((day, name, kind.lower() in ("workday", "班")))
    if len(rows) > MAX_IMPORT_ROWS:
        errors["file"] = "too_many_rows"
    if errors:
        raise ValidationFailed(errors)
    return rows


def import_overrides(*, session: Session, text: str, actor: User | None = None) -> int:
    """Store every line of an import file as an override, in one transaction; return the count."""
    if actor is not None:
        ensure_admin(user=actor)
    rows = parse_import(text)
    for day, name, working in rows:
        _put(session=session, actor=actor, day=day, name=name, working=working)
    session.commit()
    return len(rows)
