"""The company's side of service requests through the app: form, submit, page, reply, API."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.forms import PDF, csrf_token
from tests.support.service_requests import TESTING_FIELDS, new_form, submit

# --- the form -------------------------------------------------------------------------------


def test_new_request_without_a_service_shows_the_catalog(company: TestClient) -> None:
    page = company.get("/requests/new?lang=en")

    assert page.status_code == 200
    assert "/requests/new?service=release_lot_testing" in page.text
    assert "/requests/new?service=general_consultation" in page.text


def test_service_form_has_typed_fields_and_a_fresh_idempotency_key(company: TestClient) -> None:
    first, second = new_form(company), new_form(company)
    page = company.get("/requests/new?service=release_lot_testing&lang=en").text

    assert first["idempotency_key"] != second["idempotency_key"]
    assert 'name="sample_quantity"' in page and 'type="number"' in page
    assert 'type="checkbox" name="tests_requested"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'hx-trigger="keyup changed delay:800ms"' in page
    assert 'hx-post="/requests/suggestions"' in page  # recording what was shown is a POST


def test_submit_redirects_to_the_confirmation_with_the_tracking_number(
    company: TestClient,
) -> None:
    response = submit(company, new_form(company))

    assert response.status_code == 303
    location = response.headers["location"]
    assert re.fullmatch(r"/requests/GBA-CGT-\d{4}-\d{6}\?created=1", location)
    page = company.get(location + "&lang=en")
    number = location.split("/")[2].split("?")[0]
    assert f"Tracking number: {number}" in page.text
    assert "sample-info.pdf" in page.text
    assert "Request submitted" in page.text


def test_double_submit_creates_one_request(company: TestClient) -> None:
    hidden = new_form(company)
    first = submit(company, hidden)
    again = submit(company, hidden)

    assert first.headers["location"] == again.headers["location"]
    listing = company.get("/requests").text
    number = first.headers["location"].split("/")[2].split("?")[0]
    assert listing.count(number) == 2  # the link text and its href, in one row


def test_form_errors_come_back_next_to_fields_with_kept_values(company: TestClient) -> None:
    hidden = new_form(company)
    data = {
        **hidden,
        "title": "保留的标题",
        "description": "",
        "sample_type": "PBMC",
        "sample_quantity": "zero",
        "tests_requested": ["sterility"],
        "lang": "en",
    }
    response = company.post("/requests?lang=en", data=data, follow_redirects=False)

    assert response.status_code == 422
    page = response.text
    assert "Please correct the marked fields" in page
    assert 'value="保留的标题"' in page
    assert 'value="PBMC"' in page
    assert 'value="sterility" checked' in page
    assert re.search(r'id="e-sample_quantity"[^>]*>Enter a whole number<', page)
    assert re.search(r'id="e-description"[^>]*>This field is required<', page)
    assert re.search(r'id="e-product_type"[^>]*>This field is required<', page)
    assert re.search(r'id="e-material_sample_info"[^>]*>This field is required<', page)
    assert f'value="{hidden["idempotency_key"]}"' in page  # a retry stays one request


def test_a_file_whose_content_lies_about_its_type_is_refused(company: TestClient) -> None:
    hidden = new_form(company)
    data = {**hidden, "title": "t", "description": "d", **TESTING_FIELDS}
    files = [("material_sample_info", ("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))]
    response = company.post("/requests?lang=en", data=data, files=files, follow_redirects=False)

    assert response.status_code == 422
    assert "content does not match" in response.text


def test_visitors_are_sent_to_sign_in(fresh_client: TestClient) -> None:
    response = fresh_client.get("/requests", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/requests")


# --- the request page -----------------------------------------------------------------------


def _created(company: TestClient) -> str:
    return submit(company, new_form(company)).headers["location"].split("/")[2].split("?")[0]


def test_attachment_downloads_as_an_attachment_with_nosniff(company: TestClient) -> None:
    number = _created(company)
    page = company.get(f"/requests/{number}").text
    link = re.search(rf'href="(/requests/{number}/attachments/\d+)"', page)
    assert link

    response = company.get(link.group(1))

    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_company_reply_with_a_file_appears_on_the_timeline(company: TestClient) -> None:
    number = _created(company)
    token = csrf_token(company.get(f"/requests/{number}").text)

    response = company.post(
        f"/requests/{number}/messages",
        data={"body": "补充批记录。", "csrf_token": token},
        files=[("files", ("batch.txt", "批号 A001".encode(), "text/plain"))],
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = company.get(f"/requests/{number}").text
    assert "补充批记录。" in page and "batch.txt" in page


def test_empty_reply_is_refused_with_a_message(company: TestClient) -> None:
    number = _created(company)
    token = csrf_token(company.get(f"/requests/{number}").text)

    response = company.post(
        f"/requests/{number}/messages?lang=en", data={"body": " ", "csrf_token": token}
    )

    assert response.status_code == 422
    assert "This field is required" in response.text


def test_withdraw_ends_the_request_and_hides_the_reply_form(company: TestClient) -> None:
    number = _created(company)
    token = csrf_token(company.get(f"/requests/{number}").text)

    response = company.post(
        f"/requests/{number}/withdraw", data={"csrf_token": token}, follow_redirects=False
    )

    assert response.status_code == 303
    page = company.get(f"/requests/{number}?lang=en").text
    assert "Withdrawn" in page
    assert 'id="reply"' not in page and 'id="withdraw"' not in page


def test_rating_an_open_request_is_refused(company: TestClient) -> None:
    number = _created(company)
    token = csrf_token(company.get(f"/requests/{number}").text)

    response = company.post(f"/requests/{number}/rating", data={"rating": "5", "csrf_token": token})

    assert response.status_code == 403


def test_list_shows_number_service_status_and_sla(company: TestClient) -> None:
    number = _created(company)

    page = company.get("/requests?lang=en").text

    assert number in page
    assert "Release and lot testing" in page or "release" in page.lower()
    assert "Submitted" in page or "Triaged" in page
    assert re.search(r'class="sla sla-(ok|warning|breached)"', page)


def test_suggestions_show_cited_answers_for_a_description(company: TestClient) -> None:
    response = company.post(
        "/requests/suggestions",
        data={
            "description": "南沙的企业所得税优惠税率是多少？",
            "service_code": "general_consultation",
            "csrf_token": csrf_token(company.get("/requests").text),
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "<html" not in response.text  # the fragment only
    assert "deflect-feedback" in response.text
    deflection = re.search(r"/requests/suggestions/(\d+)/feedback", response.text)
    assert deflection
    assert 1 <= response.text.count('class="deflect"') <= 3
    token = csrf_token(company.get("/requests").text)
    answered = company.post(
        f"/requests/suggestions/{deflection.group(1)}/feedback",
        data={"helpful": "yes", "csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert answered.status_code == 200


def test_suggestions_stay_empty_for_a_few_characters(company: TestClient) -> None:
    response = company.get(
        "/requests/suggestions", params={"description": "hi"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "deflect" not in response.text


# --- JSON API -------------------------------------------------------------------------------


def test_api_lists_services_with_their_fields(company: TestClient) -> None:
    services = company.get("/api/v1/services").json()

    testing = next(s for s in services if s["code"] == "release_lot_testing")
    assert {"name": "sample_quantity", "kind": "integer"}.items() <= next(
        f for f in testing["fields"] if f["name"] == "sample_quantity"
    ).items()
    assert testing["required_attachments"] == ["sample_info"]


def test_api_submit_is_idempotent_and_lists_and_reads(company: TestClient) -> None:
    body = {
        "service_code": "general_consultation",
        "title": "政策咨询",
        "description": "想了解南沙的补贴政策。",
        "fields": {"topic": "补贴"},
    }
    first = company.post("/api/v1/requests", json=body, headers={"Idempotency-Key": "k-123"})
    again = company.post("/api/v1/requests", json=body, headers={"Idempotency-Key": "k-123"})

    assert first.status_code == 201, first.text
    number = first.json()["tracking_number"]
    assert again.json()["tracking_number"] == number
    assert [r["tracking_number"] for r in company.get("/api/v1/requests").json()].count(number) == 1
    detail = company.get(f"/api/v1/requests/{number}").json()
    assert detail["status"] in ("submitted", "triaged")
    assert detail["assignee_id"] is None
    assert any(e["kind"] == "submitted" for e in detail["timeline"])
    posted = company.post(f"/api/v1/requests/{number}/messages", json={"body": "补充一点。"})
    assert posted.status_code == 201


def test_api_field_errors_answer_422_with_each_field(company: TestClient) -> None:
    body = {
        "service_code": "release_lot_testing",
        "title": "",
        "description": "x",
        "fields": {"sample_quantity": "many"},
    }
    response = company.post("/api/v1/requests", json=body)

    assert response.status_code == 422
    fields = {p["field"] for p in response.json()["detail"]}
    assert {"title", "sample_quantity", "product_type"} <= fields


def test_api_refuses_a_request_without_the_files_its_service_requires(company: TestClient) -> None:
    body = {
        "service_code": "release_lot_testing",
        "title": "Lot 7",
        "description": "Sterility.",
        "fields": TESTING_FIELDS,
    }
    response = company.post("/api/v1/requests", json=body)

    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "files", "message": "attachment_required"}]
    assert company.get("/api/v1/requests").json() == []  # nothing was created


def test_api_multipart_submit_stores_the_files_and_is_idempotent(company: TestClient) -> None:
    token = csrf_token(company.get("/requests/new?service=release_lot_testing").text)
    form = {
        "service_code": "release_lot_testing",
        "title": "Lot 7",
        "description": "Sterility.",
        "fields": json.dumps(TESTING_FIELDS),
    }
    files = [("files", ("sample-information.pdf", PDF, "application/pdf"))]
    headers = {"Idempotency-Key": "multipart-1", "X-CSRF-Token": token}

    first = company.post("/api/v1/requests/with-files", data=form, files=files, headers=headers)
    again = company.post("/api/v1/requests/with-files", data=form, files=files, headers=headers)

    assert first.status_code == 201, first.text
    number = first.json()["tracking_number"]
    assert again.json()["tracking_number"] == number
    timeline = company.get(f"/api/v1/requests/{number}").json()["timeline"]
    assert any(e["kind"] == "submitted" for e in timeline)
    page = company.get(f"/requests/{number}").text
    assert "sample-information.pdf" in page
    # Without the CSRF header a cookie-authenticated multipart call is refused.
    forged = company.post("/api/v1/requests/with-files", data=form, files=files)
    assert forged.status_code == 403


@pytest.mark.parametrize(
    ("fields", "files", "field"),
    [
        ("not json", [("files", ("a.pdf", PDF, "application/pdf"))], "fields"),
        ("[1, 2]", [("files", ("a.pdf", PDF, "application/pdf"))], "fields"),
        (None, [("files", ("a.html", b"<html><script>x</script>", "text/html"))], "files"),
    ],
)
def test_api_multipart_submit_refuses_bad_input_with_the_field(
    company: TestClient, fields: str | None, files: list[Any], field: str
) -> None:
    token = csrf_token(company.get("/requests/new?service=release_lot_testing").text)
    form = {
        "service_code": "release_lot_testing",
        "title": "Lot 8",
        "description": "Sterility.",
        "fields": fields if fields is not None else json.dumps(TESTING_FIELDS),
    }

    response = company.post(
        "/api/v1/requests/with-files", data=form, files=files, headers={"X-CSRF-Token": token}
    )

    assert response.status_code == 422
    assert field in {p["field"] for p in response.json()["detail"]}
    assert company.get("/api/v1/requests").json() == []


def test_api_company_cannot_patch_its_own_request(company: TestClient) -> None:
    body = {"service_code": "general_consultation", "title": "t", "description": "d"}
    number = company.post("/api/v1/requests", json=body).json()["tracking_number"]

    response = company.patch(f"/api/v1/requests/{number}", json={"status": "resolved"})

    assert response.status_code == 403


def test_api_requires_sign_in(fresh_client: TestClient) -> None:
    assert fresh_client.get("/api/v1/requests").status_code == 401


def test_request_page_shows_the_steps_and_the_sla_as_a_date_and_working_hours(
    company: TestClient,
) -> None:
    number = _created(company)

    zh = company.get(f"/requests/{number}?lang=zh").text
    en = company.get(f"/requests/{number}?lang=en").text

    steps = re.findall(r'<li class="step step-(\w+)"', zh)
    assert steps[0] == "done" and len(steps) == 4
    for word in ("提交", "受理", "办理", "办结"):
        assert f'<span class="step-name">{word}</span>' in zh
    assert re.search(r"截止 \d{4}-\d\d-\d\d（周.）\d\d:\d\d", zh)
    assert "个工作小时" in zh and "法定节假日不计" in zh
    assert re.search(r"due (Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w{3} \d{4}", en)
    assert "working hours left" in en and "Beijing time" in en
    assert "小时 0 分" not in zh  # no more hours-and-minutes next to a wall-clock deadline
