"""Staff exports: the filtered queue as CSV or XLSX, the dashboard's tables as XLSX.

Every row the filters match is exported (the queue page shows one page of them); the CSV is
streamed in chunks so a long queue starts downloading at once.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response, StreamingResponse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal import catalog, dashboard
from portal.labels import label
from portal.workflow import Status
from web.clock import now
from web.deps import CalendarDep, CurrentStaff, FiltersDep, LanguageDep, SessionDep
from web.i18n import UiLanguage, translate
from web.views.audit import Names
from web.views.display import local_time, pick
from web.views.request_detail import code_names

router = APIRouter(prefix="/staff", tags=["staff"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUEUE_COLUMNS = (
    "tracking_number",
    "title",
    "service",
    "company",
    "status",
    "priority",
    "assignee",
    "team",
    "sla_state",
    "sla_remaining_hours",
    "created_at",
    "updated_at",
)
CSV_CHUNK = 200  # rows per streamed piece
_FORMULA = re.compile(r"(?:^|[;,|])\s*[=+\-@\t\r]")


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas in user text (CSV injection).

    A trigger counts at the cell's start and after ';', ',' or '|': spreadsheets in locales
    whose list separator is ';' split `x;=1+1` into cells when they import the file.
    """
    return "'" + text if _FORMULA.search(text) else text


def _all_rows(
    session: Any, user: Any, filters: dashboard.QueueFilters, calendar: Any
) -> list[dashboard.QueueRow]:
    """Every request the filters match, in the queue's order (no page limit)."""
    unlimited = replace(filters, limit=10**9, offset=0)
    result = dashboard.queue(
        session=session, user=user, filters=unlimited, now=now(), calendar=calendar
    )
    return result.rows


def queue_row(row: dashboard.QueueRow, *, names: Names, language: UiLanguage) -> list[Any]:
    """One request as export cells in words, user text defused against spreadsheet formulas."""
    r = row.request
    return [
        r.tracking_number,
        _cell(r.title),
        names.services.get(r.service_code, r.service_code),
        _cell(r.company.name),
        label("status", r.status, language),
        label("priority", r.priority, language),
        _cell(r.assignee.name if r.assignee else ""),
        names.teams.get(r.team_code or "", r.team_code or ""),
        label("sla_state", row.sla.state, language),
        round(row.sla.remaining_seconds / 3600, 1),
        local_time(r.created_at),
        local_time(r.updated_at),
    ]


@router.get("/queue.csv")
def queue_csv(
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    calendar: CalendarDep,
    filters: FiltersDep,
) -> StreamingResponse:
    """Export every request the queue's filters match as CSV (UTF-8 with BOM, for spreadsheets)."""
    rows = _all_rows(session, user, filters, calendar)
    names = code_names(session=session, language=language)
    header = [label("column", c, language) for c in QUEUE_COLUMNS]

    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)  # every text cell quoted
        writer.writerow(header)
        yield "\ufeff" + buffer.getvalue()
        for start in range(0, len(rows), CSV_CHUNK):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(
                queue_row(row, names=names, language=language)
                for row in rows[start : start + CSV_CHUNK]
            )
            yield buffer.getvalue()

    return StreamingResponse(
        chunks(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="queue.csv"'},
    )


def _workbook(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """An XLSX file with one sheet per (title, header, rows), the header row frozen."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])  # Excel's limit on sheet names
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for i, name in enumerate(header, 1):
            sheet.column_dimensions[get_column_letter(i)].width = max(12, min(len(name) + 4, 40))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/queue.xlsx")
def queue_xlsx(
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    calendar: CalendarDep,
    filters: FiltersDep,
) -> Response:
    """Export every request the queue's filters match as an XLSX workbook."""
    names = code_names(session=session, language=language)
    rows = [
        queue_row(row, names=names, language=language)
        for row in _all_rows(session, user, filters, calendar)
    ]
    header = [label("column", c, language) for c in QUEUE_COLUMNS]
    return _xlsx(_workbook([("queue", header, rows)]), "queue.xlsx")


def dashboard_tables(
    stats: dashboard.DashboardStats, *, names: dict[str, str], language: UiLanguage
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The dashboard's numbers as (sheet, header, rows) tables, in the user's language."""

    def t(key: str, **values: Any) -> str:
        return translate(key, language, **values)

    def pct(rate: float | None) -> float | None:
        return round(100 * rate, 1) if rate is not None else None

    summary: list[list[Any]] = [
        [t("dash.total"), stats.total_requests],
        [t("dash.median_first_response") + " (h)", stats.median_first_response_hours],
        [t("dash.median_resolution") + " (h)", stats.median_resolution_hours],
        [t("dash.breach_rate") + " (%)", pct(stats.sla_breach_rate)],
        [t("dash.ratings"), stats.rating_average],
        [t("dash.deflection_rate") + " (%)", pct(stats.deflection_rate)],
        [t("dash.deflections"), stats.deflections],
    ]
    statuses = [
        [t("rstatus." + s.value), stats.open_by_status[s.value]]
        for s in Status
        if s.value in stats.open_by_status
    ]
    services = sorted(stats.open_by_service.items(), key=lambda kv: -kv[1])
    weekly = [
        [
            w.week_start,
            w.created,
            w.median_first_response_hours,
            w.median_resolution_hours,
            pct(w.breach_rate),
        ]
        for w in stats.weekly
    ]
    count = t("dash.count")
    return [
        (t("dash.sheet.summary"), [t("dash.measure"), t("dash.value")], summary),
        (t("dash.open_by_status"), [t("col.status"), count], statuses),
        (
            t("dash.open_by_service"),
            [t("col.service"), count],
            [[names.get(code, code), n] for code, n in services],
        ),
        (
            t("dash.ratings"),
            [t("dash.stars"), count],
            [[n, stats.rating_distribution.get(n, 0)] for n in range(5, 0, -1)],
        ),
        (
            t("dash.per_day"),
            [t("dash.day"), count],
            [[day, n] for day, n in stats.submitted_per_day.items()],
        ),
        (
            t("dash.weekly"),
            [
                t("dash.week_of"),
                t("dash.created"),
                t("dash.median_first_response") + " (h)",
                t("dash.median_resolution") + " (h)",
                t("dash.breach_rate") + " (%)",
            ],
            weekly,
        ),
    ]


@router.get("/dashboard.xlsx")
def dashboard_xlsx(
    session: SessionDep, user: CurrentStaff, language: LanguageDep, calendar: CalendarDep
) -> Response:
    """Export the dashboard's tables (summary, open requests, ratings, days, weeks) as XLSX."""
    stats = dashboard.stats(session=session, now=now(), calendar=calendar)
    names = {s.code: pick(s, language) for s in catalog.list_services(session=session)}
    tables = dashboard_tables(stats, names=names, language=language)
    return _xlsx(_workbook(tables), "dashboard.xlsx")
