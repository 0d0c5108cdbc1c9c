"""Staff exports: the CSV streams every matching request, XLSX opens with every row, dashboard."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from portal import accounts
from portal.models import ServiceRequest
from portal.uscc import check_character
from tests.support.forms import PASSWORD
from web.core.components import Components

MANY = 523  # past the queue page's 500 that the CSV used to stop at


@pytest.fixture(scope="module")
def crowded_company(components: Components) -> int:
    """A company with MANY open requests (inserted directly: the export is what is tested)."""
    tag = uuid.uuid4().hex[:8]
    body = f"91440400MA{int(tag, 16) % 10**7:07d}"
    with components.sessions() as session:
        user = accounts.register_company(
            session=session,
            company_name=f"导出测试公司{tag}",
            credit_code=body + check_character(body),
            contact_name="李雷",
            phone="020-12345678",
            email=f"export-{tag}@example.cn",
            password=PASSWORD,
        )
        company_id = user.company_id
        assert company_id is not None
        for n in range(MANY):
            session.add(
                ServiceRequest(
                    tracking_number=f"EX{tag}{n:05d}",
                    company_id=company_id,
                    created_by_id=user.id,
                    service_code="release_lot_testing",
                    title=f'=HYPERLINK("x") 批次 {n}' if n == 0 else f"批次 {n} 放行检测",
                    description="导出测试",
                    idempotency_key=f"{tag}-{n}",
                )
            )
        session.commit()
    return company_id


def test_the_csv_streams_every_matching_request_past_500(
    staff: TestClient, crowded_company: int
) -> None:
    with staff.stream("GET", f"/staff/queue.csv?company={crowded_company}&sort=oldest") as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/csv")
        pieces = list(resp.iter_text())
    text = "".join(pieces)
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[:2] in (["受理编号", "标题"], ["Tracking number", "Title"]), "headers in words"
    assert len(rows) == MANY
    assert rows[-1][1] == f"批次 {MANY - 1} 放行检测"
    assert rows[0][1].startswith("'=HYPERLINK")  # formulas stay defused


def test_the_queue_xlsx_opens_and_holds_every_row(staff: TestClient, crowded_company: int) -> None:
    response = staff.get(f"/staff/queue.xlsx?company={crowded_company}&sort=oldest")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="queue.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] in ("受理编号", "Tracking number")
    assert len(values) == MANY + 1
    assert values[-1][1] == f"批次 {MANY - 1} 放行检测"
    assert str(values[1][1]).startswith("'=")


def test_the_queue_page_still_shows_the_total_and_links_both_exports(
    staff: TestClient, crowded_company: int
) -> None:
    page = staff.get(f"/staff/queue?company={crowded_company}&lang=en").text
    assert f"/staff/queue.xlsx?company={crowded_company}" in page
    assert f"/staff/queue.csv?company={crowded_company}" in page


def test_the_dashboard_xlsx_has_its_tables_in_the_chosen_language(
    staff: TestClient, crowded_company: int
) -> None:
    response = staff.get("/staff/dashboard.xlsx?lang=en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "Open requests by status",
        "Open requests by service",
        "Ratings",
        "Requests per day",
        "Weekly trends (last 12 weeks)",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Requests in total"] >= MANY
    stars = list(book["Ratings"].iter_rows(min_row=2, values_only=True))
    assert [s for s, _ in stars] == [5, 4, 3, 2, 1]
    weeks = list(book["Weekly trends (last 12 weeks)"].iter_rows(min_row=2, values_only=True))
    assert len(weeks) == 12 and weeks[-1][1] >= MANY
    zh = load_workbook(io.BytesIO(staff.get("/staff/dashboard.xlsx?lang=zh").content))
    assert zh.sheetnames[0] == "概览"


def test_exports_are_for_staff_only(client: TestClient) -> None:
    visitor = TestClient(client.app)
    for url in ("/staff/queue.xlsx", "/staff/dashboard.xlsx", "/staff/queue.csv"):
        assert visitor.get(url, follow_redirects=False).status_code in (303, 401, 403)


def test_the_dashboard_draws_axes_dates_and_empty_zero_bars(
    staff: TestClient, crowded_company: int
) -> None:
    page = staff.get("/staff/dashboard?lang=zh").text
    per_day = page.split('id="per-day-chart"')[1].split("</figure>")[0]
    assert 'class="y-label"' in per_day and 'class="axis"' in per_day
    labels = [part.split("<")[0] for part in per_day.split('class="x-label"')[1:]]
    assert labels and all(len(label.split(">")[1]) == 5 for label in labels)  # "03-09"
    assert "自助解答率" in page and "未再提交申请的比例" in page
    ratings = page.split('id="rating-chart"')[1].split("</figure>")[0]
    bars = re.findall(
        r'<li class="(\w*)">.*?--w: ([\d.]+)%.*?class="bar-value">(\d+)<', ratings, re.S
    )
    assert len(bars) == 5
    for css, width, count in bars:
        # A zero count is an empty track (no fill), not a filled block.
        assert (css == "zero") == (count == "0")
        assert (float(width) == 0) == (count == "0")
    for trend in ("trend-first-response", "trend-resolution", "trend-breach"):
        assert f'id="{trend}"' in page
    assert page.count('class="time-chart"') == 4
