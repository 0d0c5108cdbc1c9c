"""Staff asking for materials through the console; the dashboard counts those beyond the guide."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.service_requests import submit_release_testing
from tests.support.session import post_form


def test_asking_for_an_unlisted_material_without_a_reason_is_sent_back(
    staff: TestClient,
    company: TestClient,
) -> None:
    number = submit_release_testing(company)
    url = f"/staff/requests/{number}?lang=en"
    assert 'id="ask-material"' in staff.get(url).text
    response = post_form(
        staff,
        url,
        f"/staff/requests/{number}/materials",
        material="_other",
        material_name="Stability data",
    )
    assert response.status_code == 422
    assert "Say why: the service guide does not list this material" in response.text
    assert 'value="Stability data"' in response.text  # nothing typed is lost


def test_an_unlisted_material_with_its_reason_reaches_the_company_and_the_dashboard(
    staff: TestClient,
    company: TestClient,
) -> None:
    number = submit_release_testing(company)
    url = f"/staff/requests/{number}?lang=en"
    before = staff.get("/staff/dashboard?lang=en").text
    response = post_form(
        staff,
        url,
        f"/staff/requests/{number}/materials",
        material="_other",
        material_name="运输温度记录",
        reason="样品到达时温度异常，需要核实冷链",
    )
    assert response.status_code == 303
    page = company.get(f"/requests/{number}?lang=en").text
    assert "运输温度记录" in page and "样品到达时温度异常" in page
    after = staff.get("/staff/dashboard?lang=en").text
    assert 'id="extra-materials"' in after

    def count(html: str) -> int:
        chart = re.search(r'<figure class="chart" id="extra-materials">.*?</figure>', html, re.S)
        assert chart
        found = re.search(
            r"Release and lot testing[^<]*</span><span[^>]*><b>(\d+)</b>", chart.group(0)
        )
        return int(found.group(1)) if found else 0

    assert count(after) == count(before) + 1


def test_asking_for_a_listed_material_needs_no_reason(
    staff: TestClient,
    company: TestClient,
) -> None:
    number = submit_release_testing(company)
    url = f"/staff/requests/{number}?lang=en"
    response = post_form(staff, url, f"/staff/requests/{number}/materials", material="methods")
    assert response.status_code == 303
    assert "Specifications or methods" in company.get(f"/requests/{number}?lang=en").text
