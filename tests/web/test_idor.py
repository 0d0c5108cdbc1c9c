"""Company B can neither reach nor learn of company A's request, by any URL or API call."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.support.forms import csrf_token
from tests.support.session import company_browser
from web.core.components import Components

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MISSING = "GBA-CGT-2026-999999"


@dataclass
class Victim:
    """Company A's request: its tracking number and its attachment's download path."""

    number: str
    attachment: str


@pytest.fixture(scope="module")
def pair(components: Components, client: TestClient) -> Iterator[tuple[Victim, TestClient]]:
    """Company A's request with an attachment, and company B's signed-in browser."""
    a = company_browser(components, client, "越权测试公司A")
    b = company_browser(components, client, "越权测试公司B")
    page = a.get("/requests/new?service=release_lot_testing").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    data = {
        "csrf_token": csrf_token(page),
        "idempotency_key": key.group(1),
        "service_code": "release_lot_testing",
        "title": "A 的机密请求",
        "description": "仅 A 可见。",
        "product_type": "msc",
        "development_stage": "ind",
        "sample_type": "MSC",
        "sample_quantity": "1",
        "cold_chain": "minus_80c",
        "tests_requested": "sterility",
        "report_language": "zh",
    }
    sheet = [("material_sample_info", ("secret.pdf", PDF, "application/pdf"))]
    created = a.post("/requests", data=data, follow_redirects=False, files=sheet)
    assert created.status_code == 303, created.text
    number = created.headers["location"].split("/")[2].split("?")[0]
    link = re.search(rf"/requests/{number}/attachments/\d+", a.get(f"/requests/{number}").text)
    assert link
    yield Victim(number, link.group(0)), b
    a.close()
    b.close()


def _b_post(b: TestClient, path: str, **data: str) -> int:
    token = csrf_token(b.get("/requests").text)
    return b.post(path, data={"csrf_token": token, **data}, follow_redirects=False).status_code


def test_pages_of_another_companys_request_answer_404(pair: tuple[Victim, TestClient]) -> None:
    victim, b = pair
    for path in (f"/requests/{victim.number}", victim.attachment):
        response = b.get(path)
        assert response.status_code == 404, path
        assert "A 的机密请求" not in response.text and "secret.pdf" not in response.text


def test_missing_and_foreign_requests_look_the_same(pair: tuple[Victim, TestClient]) -> None:
    victim, b = pair
    foreign = b.get(f"/api/v1/requests/{victim.number}")
    missing = b.get(f"/api/v1/requests/{MISSING}")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


@pytest.mark.parametrize(
    ("action", "data"),
    [("messages", {"body": "越权留言"}), ("rating", {"rating": "1"}), ("withdraw", {})],
)
def test_forms_on_another_companys_request_answer_404(
    pair: tuple[Victim, TestClient], action: str, data: dict[str, str]
) -> None:
    victim, b = pair
    assert _b_post(b, f"/requests/{victim.number}/{action}", **data) == 404


def test_attachment_of_another_request_id_is_404_under_ones_own_number(
    components: Components, client: TestClient, pair: tuple[Victim, TestClient]
) -> None:
    victim, b = pair
    attachment_id = victim.attachment.rsplit("/", 1)[1]
    own = b.post(
        "/api/v1/requests",
        json={"service_code": "general_consultation", "title": "B", "description": "B"},
    )
    number = own.json()["tracking_number"]

    assert b.get(f"/requests/{number}/attachments/{attachment_id}").status_code == 404


def test_api_calls_on_another_companys_request_answer_404(
    pair: tuple[Victim, TestClient],
) -> None:
    victim, b = pair
    base = f"/api/v1/requests/{victim.number}"

    assert b.get(base).status_code == 404
    assert b.post(f"{base}/messages", json={"body": "越权"}).status_code == 404
    assert b.patch(base, json={"status": "withdrawn"}).status_code == 404
    assert victim.number not in b.get("/api/v1/requests").text
    assert victim.number not in b.get("/requests").text


@pytest.mark.parametrize(
    "path",
    [
        "/staff/queue",
        "/staff/queue.csv",
        "/staff/dashboard",
        "/staff/canned",
        "/staff/requests/{number}",
    ],
)
def test_staff_pages_answer_403_to_companies(pair: tuple[Victim, TestClient], path: str) -> None:
    victim, b = pair
    assert b.get(path.format(number=victim.number)).status_code == 403


@pytest.mark.parametrize("action", ["claim", "triage/accept", "status", "messages", "priority"])
def test_staff_actions_answer_403_to_companies(
    pair: tuple[Victim, TestClient], action: str
) -> None:
    victim, b = pair
    path = f"/staff/requests/{victim.number}/{action}"
    assert _b_post(b, path, target="resolved", body="x", priority="urgent") == 403


def test_canned_replies_cannot_be_written_by_companies(pair: tuple[Victim, TestClient]) -> None:
    _, b = pair
    assert _b_post(b, "/staff/canned", title="x", body="y") == 403
