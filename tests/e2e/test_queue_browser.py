"""The staff queue in a real Chromium: bulk assignment, a saved view, the customer panel,
and an SLA clock that skips a holiday; screenshots at desktop and phone size in zh and en."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import delete

from portal import accounts, request_assignment, service_requests
from portal.attachments import AttachmentStore
from portal.models import Holiday, ServiceRequest, User
from portal.uscc import check_character
from tests.support.browser import (
    ARTIFACTS,
    DESKTOP,
    E2E,
    PHONE,
    new_context,
    screenshot,
    sign_in_page,
)
from web.core.components import Components

pytestmark = E2E

PASSWORD = "correct horse battery"
TIMEOUT_MS = 30_000
CST = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIELDS = {
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "CAR-T",
    "sample_quantity": "2",
    "cold_chain": "liquid_nitrogen",
    "tests_requested": ["sterility"],
    "report_language": "zh",
}
_serial = itertools.count(1)

expect.set_options(timeout=TIMEOUT_MS)


def _user(components: Components, role: str, name: str) -> str:
    email = f"e2e-queue-{role}{time.time_ns()}@gba-cgt.cn"
    with components.sessions() as session:
        accounts.create_user(session=session, email=email, password=PASSWORD, name=name, role=role)
    return email


def _company_with_requests(
    components: Components, name: str, titles: list[str], created: datetime | None = None
) -> tuple[int, list[str]]:
    """A company with a second member and requests submitted through the portal."""
    n = next(_serial)
    body = f"914406{time.time_ns() % 10**11:011d}"
    store = AttachmentStore(components.settings.uploads_path)
    numbers = []
    with components.sessions() as session:
        user = accounts.register_company(
            session=session,
            company_name=name,
            credit_code=body + check_character(body),
            contact_name="林晓",
            phone="020-66668888",
            email=f"e2e-queue{n}-{time.time_ns()}@example.cn",
            password=PASSWORD,
        )
        second = User(
            email=f"e2e-queue-m{n}-{time.time_ns()}@example.cn",
            name="陈静",
            password_hash="unused",
            role="company",
            company_id=user.company_id,
        )
        session.add(second)
        session.commit()
        for title in titles:
            request = service_requests.submit(
                session=session,
                user=user,
                service_code="release_lot_testing",
                title=title,
                description="需要无菌和支原体检测。",
                fields=FIELDS,
                idempotency_key=f"e2e-{time.time_ns()}",
                store=store,
                files=[("样品信息表.pdf", PDF)],
                now=created,
            )
            numbers.append(request.tracking_number)
        assert user.company_id is not None
        return user.company_id, numbers


def test_bulk_assignment_and_a_saved_view_in_the_queue(
    browser: Browser, base_url: str, components: Components
) -> None:
    company_id, numbers = _company_with_requests(
        components, "广州视图批量细胞有限公司", ["CAR-T 放行检测 A 批", "CAR-T 放行检测 B 批"]
    )
    context = new_context(browser, base_url, "zh-CN")
    page = context.new_page()
    sign_in_page(page, _user(components, "staff", "周敏"))
    expect(page).to_have_url(re.compile(r"/staff/queue$"))  # staff land on the queue

    # Bulk: tick both of this company's requests, assign them to oneself in one click.
    page.goto(f"/staff/queue?company={company_id}&sort=newest")
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(2)
    page.check("#select-all")
    expect(page.locator("#bulk-selected")).to_have_text("已选 2 个")
    page.select_option("#b-assign", "me")
    page.click("button[name=action][value=assign]")
    expect(page.locator("#bulk-done")).to_contain_text("已更新 2 个请求")
    for number in numbers:
        expect(page.locator("tr", has_text=number)).to_contain_text("周敏")

    # A saved view: the current filters under a name, shared, with its count in the sidebar.
    page.click(".save-view summary")
    page.fill("#f-view-name", "视图批量公司")
    page.check("#save-view input[name=shared]")
    page.click("#save-view button[type=submit]")
    view = page.locator("#views li", has_text="视图批量公司")
    expect(view.locator(".view-count")).to_have_text("2")
    expect(view.locator(".view-shared")).to_have_text("团队")
    page.goto("/staff/queue")
    page.click("#views a:text('视图批量公司')")
    expect(page).to_have_url(re.compile(rf"company={company_id}&sort=newest"))
    expect(page.locator("#views a[aria-current=page]")).to_have_text("视图批量公司")
    expect(page.locator("table.queue-table tbody tr")).to_have_count(2)
    context.close()


def test_an_sla_clock_skips_a_holiday_the_admin_enters(
    browser: Browser, base_url: str, components: Components
) -> None:
    friday = datetime(2035, 3, 2, 16, 0, tzinfo=CST).astimezone(UTC)
    _, (number,) = _company_with_requests(
        components, "广州假日时钟生物有限公司", ["假日 SLA 测试"], created=friday
    )
    holiday = date(2035, 3, 5)
    with components.sessions() as session:
        session.execute(delete(Holiday).where(Holiday.day == holiday))
        session.commit()
    try:
        context = new_context(browser, base_url, "en-US")
        page = context.new_page()
        sign_in_page(page, _user(components, "admin", "Admin Zhao"))
        expect(page).to_have_url(re.compile(r"/staff/dashboard$"))  # admins land on the dashboard
        page.goto(f"/staff/requests/{number}?lang=en")
        # 16 working hours at normal priority: Fri 2 h, Mon 9 h, Tue 5 h.
        expect(page.locator(".sla-clocks")).to_contain_text(
            re.compile(r"2035-03-06\D{0,6}14:00|6 Mar 2035, 14:00")
        )

        page.goto("/admin/holidays?year=2035&lang=en")
        page.fill("#f-day", "2035-03-05")
        page.fill("#f-name", "Park power cut")
        page.check("#new-day input[value=holiday]")
        page.click("#new-day button[type=submit]")
        expect(page.locator("#day-2035-03-05")).to_contain_text("Our override")
        page.goto("/admin/holidays?year=2026&lang=en")
        screenshot(page, "admin-holidays-en-1280.png")

        page.goto(f"/staff/requests/{number}?lang=en")
        expect(page.locator(".sla-clocks")).to_contain_text(
            re.compile(r"2035-03-07\D{0,6}14:00|7 Mar 2035, 14:00")
        )  # Monday skipped
        context.close()
    finally:
        with components.sessions() as session:
            session.execute(delete(Holiday).where(Holiday.day == holiday))
            session.commit()


def test_spring_festival_2026_from_the_package_pushes_the_due_time(
    browser: Browser, base_url: str, components: Components
) -> None:
    before = datetime(2026, 2, 13, 16, 0, tzinfo=CST).astimezone(UTC)
    _, (number,) = _company_with_requests(
        components, "广州春节时钟生物有限公司", ["春节前的请求"], created=before
    )
    context = new_context(browser, base_url, "zh-CN")
    page = context.new_page()
    sign_in_page(page, _user(components, "staff", "春节值班"))
    page.goto(f"/staff/requests/{number}")
    # Fri 2 h, make-up Saturday the 14th 9 h, then nothing until Tuesday the 24th: 5 h.
    expect(page.locator(".sla-clocks")).to_contain_text(
        re.compile(r"2026-02-24\D{0,6}14:00|24 Feb 2026, 14:00")
    )
    context.close()


@pytest.mark.parametrize(
    ("locale", "lang", "viewport", "size"),
    [
        ("zh-CN", "zh", DESKTOP, "1280"),
        ("en-US", "en", DESKTOP, "1280"),
        ("zh-CN", "zh", PHONE, "390"),
        ("en-US", "en", PHONE, "390"),
    ],
)
def test_screenshots_of_the_queue_and_the_request_page(
    browser: Browser,
    base_url: str,
    components: Components,
    locale: str,
    lang: str,
    viewport: dict[str, int],
    size: str,
) -> None:
    company_id, numbers = _company_with_requests(
        components, "广州截图演示生物科技有限公司", ["CAR-T 成品放行检测", "慢病毒载体滴度检测"]
    )
    email = _user(components, "staff", "截图员工")
    with components.sessions() as session:
        staff_id = session.query(User.id).filter(User.email == email).scalar()
        request = session.query(ServiceRequest).filter_by(tracking_number=numbers[0]).one()
        request_assignment.assign(
            session=session,
            actor=session.get(User, staff_id),  # type: ignore[arg-type]
            request=request,
            assignee_id=staff_id,
        )
    context = new_context(browser, base_url, locale, viewport)
    page = context.new_page()
    sign_in_page(page, email)
    page.goto(f"/staff/queue?assignee=me&lang={lang}")
    page.click(".save-view summary")
    page.fill("#f-view-name", "我的" if lang == "zh" else "Mine")
    page.click("#save-view button[type=submit]")
    page.goto(f"/staff/queue?company={company_id}&status=all&lang={lang}")
    page.click(".save-view summary")
    page.fill("#f-view-name", "截图公司" if lang == "zh" else "Screenshot company")
    page.check("#save-view input[name=shared]")
    page.click("#save-view button[type=submit]")
    expect(page.locator("#views .view-count").first).to_be_visible()
    page.check("#select-all")
    screenshot(page, f"queue-views-{lang}-{size}.png")
    page.goto(f"/staff/requests/{numbers[1]}?lang={lang}")
    expect(page.locator("#customer")).to_contain_text("林晓")
    expect(page.locator("#customer")).to_contain_text(numbers[0])
    if size == "390":
        page.locator("#customer").scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#customer").screenshot(path=str(ARTIFACTS / f"customer-panel-{lang}-390.png"))
    screenshot(page, f"request-customer-{lang}-{size}.png")
    context.close()
