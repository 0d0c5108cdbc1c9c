"""Service requests submitted through the page form, as a company's browser does."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.forms import PDF, csrf_token

RELEASE_FIELDS = {
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "CAR-T",
    "sample_quantity": "2",
    "cold_chain": "liquid_nitrogen",
    "tests_requested": ["sterility"],
    "report_language": "zh",
}
TESTING_FIELDS = {
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "CAR-T 细胞成品",
    "sample_quantity": "3",
    "cold_chain": "liquid_nitrogen",
    "tests_requested": ["sterility", "mycoplasma"],
    "report_language": "bilingual",
}


def submit_release_testing(company: TestClient, title: str = "CAR-T 放行检测（紧急）") -> str:
    """Submit a release-testing request with its sample sheet; return the tracking number."""
    page = company.get("/requests/new?service=release_lot_testing").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    data = {
        "csrf_token": csrf_token(page),
        "idempotency_key": key.group(1),
        "service_code": "release_lot_testing",
        "title": title,
        "description": "临床急需，需要无菌检查。",
        **RELEASE_FIELDS,
    }
    sheet = [("material_sample_info", ("coa.pdf", PDF, "application/pdf"))]
    response = company.post("/requests", data=data, follow_redirects=False, files=sheet)
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


def new_form(browser: TestClient, service: str = "release_lot_testing") -> dict[str, str]:
    """The hidden fields of a freshly rendered request form (CSRF and idempotency key)."""
    page = browser.get(f"/requests/new?service={service}").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    token = csrf_token(page)
    return {"csrf_token": token, "idempotency_key": key.group(1), "service_code": service}


def submit(browser: TestClient, hidden: dict[str, str], **changes: object) -> object:
    """POST the testing form with a PDF attached; return the response (not followed)."""
    data = {
        **hidden,
        "title": "CAR-T 放行检测",
        "description": "需要无菌和支原体检测。",
        **TESTING_FIELDS,
        **changes,
    }
    files = [("material_sample_info", ("sample-info.pdf", PDF, "application/pdf"))]
    return browser.post("/requests", data=data, files=files, follow_redirects=False)
