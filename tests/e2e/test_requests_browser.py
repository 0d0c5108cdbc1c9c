"""A service request from registration to rating, in a real Chromium against the real app."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, expect

from portal import accounts
from tests.support.browser import E2E, new_context, register_page, screenshot, sign_in_page
from web.core.components import Components

pytestmark = E2E

PASSWORD = "correct horse battery"
TIMEOUT_MS = 30_000

expect.set_options(timeout=TIMEOUT_MS)


def _staff_email(components: Components) -> str:
    email = f"e2e-staff{time.time_ns()}@gba-cgt.cn"
    with components.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="何敏", role="staff"
        )
    return email


def test_request_from_submission_to_rating_and_out_of_reach_of_others(
    browser: Browser, base_url: str, components: Components, tmp_path: Path
) -> None:
    sample = tmp_path / "样品信息表.pdf"
    sample.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    batch = tmp_path / "batch-record.txt"
    batch.write_text("批号 A001：合格\n", encoding="utf-8")

    company_ctx = new_context(browser, base_url, "zh-CN")
    company = company_ctx.new_page()
    register_page(company, "广州端到端细胞治疗有限公司")

    # The company picks the service and fills its typed form; answers appear while it types.
    company.goto("/requests/new")
    company.click("a[href='/requests/new?service=release_lot_testing']")
    company.fill("#f-title", "CAR-T 成品放行检测")
    company.select_option("#f-product_type", "car_t")
    company.select_option("#f-development_stage", "clinical")
    company.fill("#f-sample_type", "CAR-T 细胞成品")
    company.fill("#f-sample_quantity", "3")
    company.select_option("#f-cold_chain", "liquid_nitrogen")
    company.check("input[name=tests_requested][value=sterility]")
    company.check("input[name=tests_requested][value=mycoplasma]")
    company.select_option("#f-report_language", "bilingual")
    company.set_input_files("#f-material_sample_info", str(sample))
    company.locator("#f-description").press_sequentially(
        "CAR-T 成品放行检测需要送检多少样品，检测周期多长？", delay=20
    )
    expect(company.locator("#suggestions .deflect").first).to_be_visible()
    assert company.locator("#suggestions .deflect").count() <= 3
    expect(company.locator("#suggestions")).to_contain_text("这解答了您的问题吗？")
    assert company.input_value("#deflection_id"), "the deflection id arrives out of band"
    screenshot(company, "request-form-suggestions-zh.png")
    company.click("#request-form button[type=submit]")
    company.wait_for_url(re.compile(r"/requests/GBA-CGT-\d{4}-\d{6}\?created=1"))
    number = company.locator("h1 .tracking").inner_text().strip()
    expect(company.locator(".notice.success")).to_contain_text(number)
    expect(company.locator("#timeline")).to_contain_text("样品信息表.pdf")
    screenshot(company, "request-confirmation-zh.png")
    attachment_url = company.locator("#timeline a[download]").first.get_attribute("href")
    assert attachment_url

    # Staff see it at the top of the newest-first queue, with a triage suggestion to accept.
    staff_ctx = new_context(browser, base_url, "en-US")
    staff = staff_ctx.new_page()
    sign_in_page(staff, _staff_email(components))
    staff.goto("/staff/queue?sort=newest&lang=en")
    first_row = staff.locator("table.queue-table tbody tr").first
    expect(first_row).to_contain_text(number)
    staff.select_option("select[name=service]", "release_lot_testing")  # htmx: results only
    expect(staff).to_have_url(re.compile(r"service=release_lot_testing"))
    expect(staff.locator("#results")).to_contain_text(number)
    screenshot(staff, "staff-queue-en.png")
    first_row = staff.locator("table.queue-table tbody tr", has_text=number)
    first_row.locator("a.tracking").click()
    expect(staff.locator("#triage")).to_contain_text("Triage suggestion")
    staff.click("#accept-triage")
    expect(staff.locator("#triage")).to_contain_text("Accepted")
    staff.fill("#f-body", "请提供该批次的批记录。")
    staff.click("#reply button[type=submit]")
    expect(staff.locator("#timeline")).to_contain_text("请提供该批次的批记录。")
    staff.click("#transitions button[value=awaiting_company]")
    expect(staff.locator(".meta")).to_contain_text("Awaiting")
    screenshot(staff, "staff-request-en.png")

    # The company sees the question and replies with a file: back in progress.
    company.goto(f"/requests/{number}")
    expect(company.locator(".notice.warn")).to_be_visible()
    expect(company.locator("#timeline")).to_contain_text("请提供该批次的批记录。")
    company.fill("#f-body", "已上传批记录。")
    company.set_input_files("#f-reply-files", str(batch))
    company.click("#reply button[type=submit]")
    expect(company.locator("#timeline")).to_contain_text("batch-record.txt")
    expect(company.locator(".meta")).to_contain_text("处理中")

    # Staff resolve it; the company rates it.
    staff.reload()
    expect(staff.locator("#timeline")).to_contain_text("batch-record.txt")
    staff.fill("#f-note", "检测完成，报告已上传。")
    staff.click("#transitions button[value=resolved]")
    expect(staff.locator(".meta")).to_contain_text("Resolved")
    company.reload()
    company.check("input[name=rating][value='5']")
    company.fill("#f-comment", "响应及时")
    company.click("#rating button[type=submit]")
    expect(company.locator("#rating")).to_contain_text("5/5")
    screenshot(company, "request-rated-zh.png")
    company.goto(f"/requests/{number}?lang=en")
    expect(company.locator("#rating")).to_contain_text("Your rating: 5/5")
    screenshot(company, "request-rated-en.png")

    # The dashboard counts it.
    staff.goto("/staff/dashboard?lang=en")
    assert int(staff.locator("#kpi-total").inner_text()) >= 1
    expect(staff.locator("#kpi-rating")).not_to_have_text("–")
    screenshot(staff, "staff-dashboard-en.png")
    staff.goto("/staff/dashboard?lang=zh")
    screenshot(staff, "staff-dashboard-zh.png")

    # A second company reaches none of it.
    other_ctx = new_context(browser, base_url, "zh-CN")
    other = other_ctx.new_page()
    register_page(other, "深圳另一家基因公司")
    for url in (f"/requests/{number}", attachment_url, f"/api/v1/requests/{number}"):
        response = other.goto(url)
        assert response is not None and response.status == 404, url
    other.goto("/requests")
    expect(other.locator("main")).not_to_contain_text(number)
    response = other.goto("/staff/queue")
    assert response is not None and response.status == 403
    for context in (company_ctx, staff_ctx, other_ctx):
        context.close()
