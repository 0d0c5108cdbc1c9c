"""The public catalog, the service guides, and the request form's checklist and material slots."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.testclient import TestClient

from tests.support.forms import PDF
from tests.support.service_requests import TESTING_FIELDS, new_form


def test_the_catalog_is_public_and_lists_every_service(fresh_client: TestClient) -> None:
    page = fresh_client.get("/services?lang=zh")
    assert page.status_code == 200
    assert page.text.count('class="service-card"') == 12
    assert "/services/release_lot_testing" in page.text
    assert "待定（中心尚未公布）" in page.text
    assert "工作日" not in page.text  # no target time is published for any service


def test_the_catalog_search_keeps_only_matching_services(fresh_client: TestClient) -> None:
    page = fresh_client.get("/services?lang=zh&q=" + quote("支原体")).text
    cards = re.findall(r'<h2><a href="/services/([a-z_]+)"', page)
    assert "release_lot_testing" in cards and "training" not in cards
    nothing = fresh_client.get("/services?lang=en&q=zzzz-no-such-thing").text
    assert "No service matches" in nothing


def test_the_catalog_search_answers_htmx_with_the_results_only(fresh_client: TestClient) -> None:
    response = fresh_client.get("/services?q=HGR&lang=en", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="results"')
    assert "hgr_compliance_support" in response.text


def test_a_guide_shows_what_who_materials_fee_time_steps_and_questions(
    fresh_client: TestClient,
) -> None:
    page = fresh_client.get("/services/release_lot_testing?lang=en").text
    for anchor in ("what", "who", "materials", "fee-time", "apply", "questions"):
        assert f'id="{anchor}"' in page
    assert "Release testing is planned to cover sterility" in page  # from the description
    assert 'id="material-sample_info"' in page and 'id="material-methods"' in page
    assert "Required" in page and "Optional" in page and "PDF" in page
    assert "sample-information-template.csv" in page  # the one template that exists
    assert page.count("To be confirmed (not yet published by the center)") == 2  # fee and time
    assert "This is a service the center proposes and has not yet published" in page
    assert "/chat?q=" + quote("What tests does release testing cover?") in page


def test_a_guide_is_there_in_chinese_too(fresh_client: TestClient) -> None:
    page = fresh_client.get("/services/hgr_compliance_support?lang=zh").text
    assert "人类遗传资源合规支持服务" in page
    assert "研究方案" in page and "必需" in page
    assert "/chat?q=" in page


def test_an_unknown_service_has_no_guide(fresh_client: TestClient) -> None:
    assert fresh_client.get("/services/no_such_service").status_code == 404


def test_a_common_question_opens_the_chat_with_the_question_prefilled(
    fresh_client: TestClient,
) -> None:
    page = fresh_client.get("/chat?q=" + quote("放行检测包括哪些检测项目？")).text
    assert re.search(r'<textarea id="question"[^>]*>放行检测包括哪些检测项目？</textarea>', page)


def test_the_form_shows_a_checklist_and_one_upload_control_per_material(
    company: TestClient,
) -> None:
    page = company.get("/requests/new?service=release_lot_testing&lang=en").text
    assert 'id="checklist"' in page
    assert 'data-name="material_sample_info"' in page and 'data-name="product_type"' in page
    assert 'name="material_sample_info" type="file"' in page
    assert 'name="material_methods" type="file"' in page
    assert 'href="/services/release_lot_testing#material-sample_info"' in page
    assert "Target turnaround" not in page


def test_submitting_nothing_lists_everything_missing_in_one_place(company: TestClient) -> None:
    hidden = new_form(company)
    response = company.post("/requests?lang=en", data=hidden, follow_redirects=False)
    assert response.status_code == 422
    summary = re.search(r'<div class="missing-summary".*?</div>', response.text, re.S)
    assert summary
    links = re.findall(r'href="#f-([a-z_]+)"', summary.group(0))
    assert links[:2] == ["title", "description"]
    assert {"product_type", "tests_requested", "report_language", "material_sample_info"} <= set(
        links
    )
    assert "material_methods" not in links  # optional


def test_a_good_file_is_kept_when_the_form_comes_back_for_something_else(
    company: TestClient,
) -> None:
    hidden = new_form(company)
    data = {**hidden, "title": "放行检测", "description": "", **TESTING_FIELDS}
    files = [("material_sample_info", ("sheet.pdf", PDF, "application/pdf"))]
    first = company.post("/requests?lang=en", data=data, files=files, follow_redirects=False)
    assert first.status_code == 422
    assert "Kept from your last try: sheet.pdf" in first.text
    token = re.search(r'name="kept_material_sample_info" value="([^"]+)"', first.text)
    assert token
    checklist = re.search(r'<details class="checklist".*?</details>', first.text, re.S)
    assert checklist and re.search(
        r'class="done required" data-name="material_sample_info"', checklist.group(0)
    )

    again = {**data, "description": "无菌与支原体。", "kept_material_sample_info": token.group(1)}
    second = company.post("/requests", data=again, follow_redirects=False)
    assert second.status_code == 303, second.text[:500]
    number = second.headers["location"].split("/")[2].split("?")[0]
    assert "sheet.pdf" in company.get(f"/requests/{number}").text


def test_a_kept_file_token_is_bound_to_its_slot(company: TestClient) -> None:
    hidden = new_form(company)
    data = {**hidden, "title": "t", "description": "", **TESTING_FIELDS}
    files = [("material_sample_info", ("sheet.pdf", PDF, "application/pdf"))]
    first = company.post("/requests?lang=en", data=data, files=files, follow_redirects=False)
    token = re.search(r'name="kept_material_sample_info" value="([^"]+)"', first.text)
    assert token
    moved = {**data, "description": "d", "kept_material_methods": token.group(1)}
    response = company.post("/requests?lang=en", data=moved, follow_redirects=False)
    assert response.status_code == 422  # the required slot is still empty
    assert re.search(r'id="e-material_sample_info"[^>]*>This field is required<', response.text)


def test_each_slot_is_validated_on_its_own(company: TestClient) -> None:
    hidden = new_form(company)
    data = {**hidden, "title": "t", "description": "d", **TESTING_FIELDS}
    files = [
        ("material_sample_info", ("sheet.pdf", PDF, "application/pdf")),
        ("material_methods", ("methods.pdf", b"MZ not a pdf", "application/pdf")),
    ]
    response = company.post("/requests?lang=en", data=data, files=files, follow_redirects=False)
    assert response.status_code == 422
    assert re.search(
        r'id="e-material_methods"[^>]*>The file[^<]*content does not match', response.text
    )
    assert re.search(r'id="e-material_sample_info"[^>]*hidden', response.text)
    assert "Kept from your last try: sheet.pdf" in response.text
