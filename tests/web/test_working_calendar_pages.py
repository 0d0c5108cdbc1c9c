"""The working calendar through the app: the admin page, the import, /readyz and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from typer.testing import CliRunner

from portal import working_calendar
from portal.models import Holiday
from tests.support.session import post_form
from web.core.components import Components
from web.routes import health

YEAR = 2035  # far from every other test's SLA clocks: the app's database is shared


@pytest.fixture(autouse=True)
def _clean_year(components: Components) -> None:
    with components.sessions() as session:
        session.execute(delete(Holiday).where(Holiday.day >= date(YEAR, 1, 1)))
        session.commit()


def test_the_admin_page_shows_the_package_days_with_their_source(boss: TestClient) -> None:
    page = boss.get("/admin/holidays?year=2026&lang=en")
    assert page.status_code == 200
    assert 'id="day-2026-02-17"' in page.text and "State Council (package)" in page.text
    assert 'id="day-2026-02-14"' in page.text and "Working day (调休)" in page.text


def test_an_admin_overrides_a_day_and_removes_the_override(
    boss: TestClient,
    components: Components,
) -> None:
    url = f"/admin/holidays?year={YEAR}"
    data = {"day": f"{YEAR}-03-05", "name": "园区停电", "kind": "holiday"}
    response = post_form(boss, url, "/admin/holidays", **data)
    assert response.status_code == 303
    page = boss.get(f"{url}&lang=en").text
    assert "园区停电" in page and "Our override" in page
    with components.sessions() as session:
        assert session.get(Holiday, date(YEAR, 3, 5)) is not None
    response = post_form(boss, url, f"/admin/holidays/{YEAR}-03-05/delete")
    assert response.status_code == 303
    with components.sessions() as session:
        assert session.get(Holiday, date(YEAR, 3, 5)) is None


def test_a_bad_day_comes_back_with_its_message_and_what_was_typed(boss: TestClient) -> None:
    response = post_form(boss, "/admin/holidays?lang=zh", "/admin/holidays", day="", name="半天假")
    assert response.status_code == 422
    assert "此项为必填项" in response.text and 'value="半天假"' in response.text


def test_an_import_with_a_bad_line_stores_nothing_and_says_which_line(
    boss: TestClient,
    components: Components,
) -> None:
    token_page = boss.get("/admin/holidays?lang=en").text
    token = token_page.split('name="csrf_token" value="')[1].split('"')[0]
    csv_text = f"day,name,kind\n{YEAR}-02-01,春节,holiday\n{YEAR}-02-31,春节,holiday\n"
    response = boss.post(
        "/admin/holidays/import",
        data={"csrf_token": token},
        files={"file": ("days.csv", csv_text.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "Line 3" in response.text and "YYYY-MM-DD" in response.text
    with components.sessions() as session:
        assert session.get(Holiday, date(YEAR, 2, 1)) is None
    good = f"{YEAR}-02-01,春节,holiday\n{YEAR}-02-03,调休,workday\n".encode()
    response = boss.post(
        "/admin/holidays/import",
        data={"csrf_token": token},
        files={"file": ("days.csv", good, "text/csv")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    with components.sessions() as session:
        assert session.get(Holiday, date(YEAR, 2, 3)).working  # type: ignore[union-attr]


def test_staff_cannot_open_the_calendar_page(staff: TestClient) -> None:
    assert staff.get("/admin/holidays").status_code == 403


def test_readyz_stays_200_and_warns_in_december_without_next_years_calendar(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "today", lambda: date(YEAR - 1, 12, 2))
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["warnings"] == [
        f"calendar: no holidays for {YEAR} yet (not in the holidays package, no overrides)"
    ]
    monkeypatch.setattr(health, "today", lambda: date(YEAR - 1, 11, 30))
    assert "warnings" not in client.get("/readyz").json()


def test_the_cli_imports_and_lists_overrides(
    components: Components, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web import cli

    monkeypatch.setattr(cli, "Settings", lambda: components.settings)
    days = tmp_path / "days.csv"
    days.write_text(f"{YEAR}-05-06,补休,holiday\n", encoding="utf-8")
    runner = CliRunner()
    imported = runner.invoke(cli.app, ["holidays", "import", str(days)])
    assert imported.exit_code == 0, imported.output
    listed = runner.invoke(cli.app, ["holidays", "list", "--year", str(YEAR)])
    assert f"{YEAR}-05-06  holiday  override  补休" in listed.output
    days.write_text("tomorrow,补休,holiday\n", encoding="utf-8")
    refused = runner.invoke(cli.app, ["holidays", "import", str(days)])
    assert refused.exit_code == 2 and "line 1: The day must be YYYY-MM-DD" in refused.output
    assert working_calendar.published(2026)


def test_the_dashboard_and_the_queue_warn_in_december_without_next_years_calendar(
    staff: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from web.routes import staff as staff_routes
    from web.routes import staff_queue

    december = datetime(YEAR - 1, 12, 2, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(staff_routes, "now", lambda: december)
    monkeypatch.setattr(staff_queue, "now", lambda: december)
    warning = f"No calendar for {YEAR} yet"
    assert warning in staff.get("/staff/dashboard?lang=en").text
    assert warning in staff.get("/staff/queue?lang=en").text
    november = datetime(YEAR - 1, 11, 30, 3, 0, tzinfo=UTC)
    monkeypatch.setattr(staff_routes, "now", lambda: november)
    assert warning not in staff.get("/staff/dashboard?lang=en").text
