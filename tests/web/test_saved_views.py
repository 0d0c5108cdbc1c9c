"""The queue through the app: saved views, bulk actions, the customer panel, merging, landing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from portal import accounts
from portal.models import Event, ServiceRequest
from tests.support.forms import PASSWORD, csrf_token
from tests.support.service_requests import submit_release_testing
from tests.support.session import post_form
from web.core.components import Components


def _id_of(components: Components, number: str) -> int:
    with components.sessions() as session:
        return session.scalars(
            select(ServiceRequest.id).where(ServiceRequest.tracking_number == number)
        ).one()


def test_a_saved_view_appears_in_the_sidebar_with_its_count_and_opens_its_filters(
    staff: TestClient,
    company: TestClient,
    components: Components,
) -> None:
    number = submit_release_testing(company, title="视图测试：细胞库检定")
    company_id = _company_id(components, number)
    response = post_form(
        staff,
        "/staff/queue",
        "/staff/views",
        name="这家企业",
        shared="",
        query=f"company={company_id}&sort=newest&junk=1",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/queue?company={company_id}&sort=newest"
    page = staff.get("/staff/queue?lang=zh").text
    link = r'<a href="(/staff/queue\?[^"]+)" >这家企业</a>'
    match = re.search(link + r'\s*<span class="view-count"[^>]*>(\d+)</span>', page)
    assert match and match.group(2) == "1", page[page.find('id="views"') :][:1500]
    opened = staff.get(match.group(1).replace("&amp;", "&")).text
    assert number in opened and 'aria-current="page">这家企业' in opened


def _company_id(components: Components, number: str) -> int:
    with components.sessions() as session:
        return session.scalars(
            select(ServiceRequest.company_id).where(ServiceRequest.tracking_number == number)
        ).one()


def test_a_view_without_a_name_comes_back_with_the_message(staff: TestClient) -> None:
    response = post_form(staff, "/staff/queue", "/staff/views", name="  ", query="sort=oldest")
    assert response.status_code == 422
    assert "此项为必填项" in response.text or "This field is required" in response.text


def test_bulk_assignment_assigns_every_ticked_request(
    staff: TestClient,
    company: TestClient,
    components: Components,
) -> None:
    numbers = [submit_release_testing(company, title=f"批量分派 {n}") for n in range(2)]
    ids = [_id_of(components, n) for n in numbers]
    token = csrf_token(staff.get("/staff/queue").text)
    response = staff.post(
        "/staff/queue/bulk",
        data={
            "csrf_token": token,
            "query": "sort=newest",
            "selected": [str(i) for i in ids],
            "action": "assign",
            "assign_to": "me",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/queue?sort=newest&done=2"
    assert "已更新 2 个请求" in staff.get(response.headers["location"] + "&lang=zh").text
    with components.sessions() as session:
        rows = session.scalars(select(ServiceRequest).where(ServiceRequest.id.in_(ids))).all()
        assert len({r.assignee_id for r in rows}) == 1 and rows[0].assignee_id is not None
        events = session.scalars(
            select(Event).where(Event.request_id.in_(ids), Event.kind == "assigned")
        ).all()
        assert len(events) == 2


def test_an_illegal_bulk_status_change_changes_nothing_and_unticks_the_refused_rows(
    staff: TestClient,
    company: TestClient,
    components: Components,
) -> None:
    numbers = [submit_release_testing(company, title=f"批量状态 {n}") for n in range(2)]
    ids = [_id_of(components, n) for n in numbers]
    post_form(
        staff,
        f"/staff/requests/{numbers[1]}",
        f"/staff/requests/{numbers[1]}/status",
        target="in_progress",
    )
    token = csrf_token(staff.get("/staff/queue").text)
    response = staff.post(
        "/staff/queue/bulk?lang=en",
        data={
            "csrf_token": token,
            "query": "sort=newest",
            "selected": [str(i) for i in ids],
            "action": "status",
            "status_to": "resolved",
        },
        follow_redirects=False,
    )
    assert response.status_code == 422
    assert "cannot take this change, so nothing was changed" in response.text
    assert f"{numbers[0]}</span> – it is “Submitted” and cannot go straight to “Resolved”" in (
        response.text
    )
    assert f'value="{ids[1]}" class="row-select" aria-label="Select {numbers[1]}" checked' in (
        response.text
    )
    assert f'value="{ids[0]}" class="row-select" aria-label="Select {numbers[0]}" >' in (
        response.text
    )
    with components.sessions() as session:
        statuses = session.scalars(
            select(ServiceRequest.status).where(ServiceRequest.id.in_(ids))
        ).all()
        assert sorted(s.value for s in statuses) == ["in_progress", "submitted"]


def test_nothing_ticked_is_explained(staff: TestClient) -> None:
    token = csrf_token(staff.get("/staff/queue").text)
    response = staff.post(
        "/staff/queue/bulk?lang=en",
        data={"csrf_token": token, "action": "priority", "priority_to": "high"},
    )
    assert response.status_code == 422 and "Tick at least one request first." in response.text


def test_the_request_page_shows_the_customer_panel_and_links_all_its_requests(
    staff: TestClient,
    company: TestClient,
    components: Components,
) -> None:
    first = submit_release_testing(company, title="客户面板 一")
    second = submit_release_testing(company, title="客户面板 二")
    page = staff.get(f"/staff/requests/{second}?lang=en").text
    panel = page[page.index('id="customer"') :]
    panel = panel[: panel.index("</section>")]
    assert "深圳流程测试生物有限公司" in panel and "王芳" in panel and "87654321" in panel
    assert "Members (1)" in panel and first in panel and "Submitted" in panel
    company_id = _company_id(components, second)
    link = f'/staff/queue?company={company_id}&amp;status=all" id="all-company-requests"'
    assert link in panel
    listing = staff.get(f"/staff/queue?company={company_id}&status=all").text
    assert first in listing and second in listing


def test_merging_a_duplicate_from_the_request_page(
    staff: TestClient,
    company: TestClient,
    components: Components,
) -> None:
    kept = submit_release_testing(company, title="合并：保留")
    duplicate = submit_release_testing(company, title="合并：重复")
    response = post_form(
        staff,
        f"/staff/requests/{duplicate}",
        f"/staff/requests/{duplicate}/merge",
        target=kept.lower(),
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/requests/{kept}#timeline"
    page = staff.get(f"/staff/requests/{duplicate}?lang=en").text
    assert "merged into" in page and f'href="/staff/requests/{kept}">{kept}</a>' in page
    again = post_form(
        staff,
        f"/staff/requests/{kept}",
        f"/staff/requests/{kept}/merge",
        target="GBA-CGT-1999-000001",
    )
    assert again.status_code == 422
    assert "没有这个受理编号的请求" in again.text or "No request has" in again.text


def test_staff_land_on_the_queue_and_admins_on_the_dashboard(
    client: TestClient, components: Components
) -> None:
    landing = {}
    for role in ("staff", "admin"):
        email = f"landing-{role}-{id(object())}@gba-cgt.cn"
        with components.sessions() as session:
            accounts.create_user(
                session=session, email=email, password=PASSWORD, name="落地", role=role
            )
        browser = TestClient(client.app)
        token = csrf_token(browser.get("/login").text)
        response = browser.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        landing[role] = response.headers["location"]
        browser.close()
    assert landing == {"staff": "/staff/queue", "admin": "/staff/dashboard"}
