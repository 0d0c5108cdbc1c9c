"""From the public service guide through the checklist to a submitted request, on a phone."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.support.browser import E2E, new_context, register_page, screenshot
from web.core.components import Components

pytestmark = E2E

__all__ = ["pytestmark"]  # the same marks: e2e, skipped only without Chromium outside CI
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _main_fits(page: Page) -> None:
    """The page's own content never scrolls sideways."""
    wide = page.evaluate(
        "() => [...document.querySelectorAll('main *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
    )
    assert wide == [], wide


def test_a_company_goes_from_the_guide_through_the_checklist_to_a_request_on_a_phone(
    browser: Browser, base_url: str, components: Components, tmp_path: Path
) -> None:
    sample = tmp_path / "样品信息表.pdf"
    sample.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    context = new_context(browser, base_url, "zh-CN", PHONE)
    page = context.new_page()

    # A visitor finds the service in the public catalog and reads its guide.
    page.goto("/services?lang=zh")
    page.fill("#service-q", "支原体")
    page.press("#service-q", "Enter")
    expect(page.locator(".service-card")).to_have_count(2)  # release testing and cell banks
    page.click(".service-card h2 a[href='/services/release_lot_testing']")
    page.wait_for_url(re.compile(r"/services/release_lot_testing"))
    expect(page.locator("#materials")).to_contain_text("样品信息表或检验委托单")
    expect(page.locator("#fee-time")).to_contain_text("待定（中心尚未公布）")
    expect(page.locator("#questions a").first).to_have_attribute("href", re.compile(r"^/chat\?q="))
    _main_fits(page)

    # It registers, comes back to the guide and applies.
    register_page(page, "广州指南到申请细胞科技有限公司")
    page.goto("/services/release_lot_testing")
    page.click(".guide-actions a.button")
    page.wait_for_url(re.compile(r"/requests/new\?service=release_lot_testing"))
    checklist = page.locator("#checklist")
    expect(checklist.locator("li[data-name=title]")).to_have_class(re.compile(r"\btodo\b"))
    expect(page.locator("#checklist-progress")).to_contain_text("已完成 0/")
    _main_fits(page)

    # Sent half-filled (the browser does not stop it): one list of everything missing.
    page.fill("#f-title", "CAR-T 成品放行检测")
    expect(checklist.locator("li[data-name=title]")).to_have_class(re.compile(r"\bdone\b"))
    page.click("#request-form button[type=submit]")
    summary = page.locator("#missing-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("样品信息表或检验委托单")
    expect(summary).to_contain_text("产品类型")
    assert page.input_value("#f-title") == "CAR-T 成品放行检测"  # nothing typed is lost

    # Everything filled in: the checklist ticks live, then the request goes through.
    page.fill("#f-description", "CAR-T 成品需要无菌和支原体检测。")
    page.select_option("#f-product_type", "car_t")
    page.select_option("#f-development_stage", "clinical")
    page.fill("#f-sample_type", "CAR-T 细胞成品")
    page.fill("#f-sample_quantity", "3")
    page.select_option("#f-cold_chain", "liquid_nitrogen")
    page.check("input[name=tests_requested][value=sterility]")
    page.select_option("#f-report_language", "zh")
    expect(checklist.locator("li[data-name=material_sample_info]")).to_have_class(
        re.compile(r"\btodo\b")
    )
    page.set_input_files("#f-material_sample_info", str(sample))
    expect(checklist.locator("li[data-name=material_sample_info]")).to_have_class(
        re.compile(r"\bdone\b")
    )
    expect(page.locator("#checklist-progress")).to_contain_text("必需内容已齐全")
    page.click("#request-form button[type=submit]")
    page.wait_for_url(re.compile(r"/requests/GBA-CGT-\d{4}-\d{6}\?created=1"))
    expect(page.locator("#timeline")).to_contain_text("样品信息表.pdf")
    context.close()


def test_screenshots_of_the_guide_and_the_checklist_in_both_languages_and_sizes(
    browser: Browser, base_url: str
) -> None:
    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        for name, viewport in (("390", PHONE), ("1280", DESKTOP)):
            context = new_context(browser, base_url, locale, viewport)
            page = context.new_page()
            page.goto(f"/services?lang={lang}")
            screenshot(page, f"services-{lang}-{name}.png")
            page.goto(f"/services/release_lot_testing?lang={lang}")
            _main_fits(page)
            screenshot(page, f"guide-{lang}-{name}.png")
            register_page(page, f"截图{lang}{name}细胞科技有限公司")
            page.goto(f"/requests/new?service=release_lot_testing&lang={lang}")
            page.fill("#f-title", "CAR-T")
            page.select_option("#f-product_type", "car_t")
            page.click("#request-form button[type=submit]")
            expect(page.locator("#missing-summary")).to_be_visible()
            _main_fits(page)
            screenshot(page, f"checklist-{lang}-{name}.png")
            context.close()
