"""The staff desk in a real Chromium: a reply drafted from the documents, a figure flagged,
the dashboard's charts and the knowledge-base upload form, screenshot at two sizes and in zh/en.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from portal import accounts, service_requests
from portal.uscc import check_character
from tests.support.browser import DESKTOP, E2E, PHONE, new_context, screenshot, sign_in_page
from web.core.components import Components

pytestmark = E2E

PASSWORD = "correct horse battery"
TIMEOUT_MS = 30_000
FALSE_RATE = "南沙先行启动区符合条件的鼓励类产业企业，企业所得税减按9%的税率征收。"

expect.set_options(timeout=TIMEOUT_MS)


def _staff(components: Components) -> str:
    email = f"e2e-desk-{time.time_ns()}@gba-cgt.cn"
    with components.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="唐静", role="staff"
        )
    return email


def _request(components: Components) -> str:
    """A company's consultation request about the Nansha tax rate (made through the portal)."""
    tag = uuid.uuid4().hex[:8]
    body = f"91440101MA{int(tag, 16) % 10**7:07d}"
    with components.sessions() as session:
        user = accounts.register_company(
            session=session,
            company_name=f"南沙起草测试{tag}有限公司",
            credit_code=body + check_character(body),
            contact_name="周宁",
            phone="020-88886666",
            email=f"desk-{tag}@example.cn",
            password=PASSWORD,
        )
        item = service_requests.submit(
            session=session,
            user=user,
            service_code="general_consultation",
            title="南沙企业所得税优惠税率是多少？",
            description="我们在南沙先行启动区设立了细胞治疗公司，想了解企业所得税优惠税率。",
            fields={"topic": "税收优惠"},
            idempotency_key=f"desk-{tag}",
        )
        return item.tracking_number


def test_a_reply_drafted_from_the_documents_and_an_unsupported_figure_flagged(
    browser: Browser, base_url: str, components: Components
) -> None:
    number = _request(components)
    context = new_context(browser, base_url, viewport=DESKTOP)
    page = context.new_page()
    sign_in_page(page, _staff(components))
    page.goto(f"/staff/requests/{number}?lang=zh")

    # "Suggest from the knowledge base" fills the reply box (htmx) with cited passages.
    page.fill("#f-body", "您好，")
    page.click("#suggest-draft")
    expect(page.locator("#draft-notice")).to_contain_text("已填入知识库的引用段落")
    draft = page.input_value("#f-body")
    assert draft.startswith("您好，") and "15%" in draft and "出处：" in draft
    screenshot(page, "desk-reply-draft-zh.png")

    # Staff edit the figure into one no document states: the reply is held and highlighted.
    page.fill("#f-body", f"您好！{FALSE_RATE}如有疑问请随时联系。")
    page.click("#send-reply")
    review = page.locator("#reply-review")
    expect(review).to_be_visible()
    expect(review.locator("mark.unsupported")).to_contain_text("9%")
    expect(review.locator(".unsupported-figures")).to_contain_text("9%")
    expect(page.locator("#timeline")).not_to_contain_text("9%")
    review.scroll_into_view_if_needed()
    screenshot(page, "desk-reply-flagged-zh.png")

    # "Edit": back to the box; a corrected reply goes out without a warning.
    page.click("#edit-reply")
    page.fill("#f-body", f"您好！{FALSE_RATE.replace('9%', '15%')}")
    page.click("#send-reply")
    page.wait_for_url(re.compile(rf"/staff/requests/{number}"))
    expect(page.locator("#timeline")).to_contain_text("减按15%的税率征收")
    expect(page.locator("#reply-review")).to_have_count(0)

    # Staff may also decide to send a flagged reply as it is.
    page.fill("#f-body", f"补充说明：{FALSE_RATE}")
    page.click("#send-reply")
    expect(page.locator("#reply-review")).to_be_visible()
    page.click("#send-anyway")
    page.wait_for_url(re.compile(rf"/staff/requests/{number}"))
    expect(page.locator("#timeline")).to_contain_text("减按9%的税率征收")
    context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_dashboard_and_upload_form_screens(
    browser: Browser, base_url: str, components: Components, size: str, tmp_path: Path
) -> None:
    context = new_context(browser, base_url, viewport=PHONE if size == "phone" else DESKTOP)
    page = context.new_page()
    sign_in_page(page, _staff(components))
    for lang in ("zh", "en"):
        page.goto(f"/staff/dashboard?lang={lang}")
        expect(page.locator("#per-day-chart .x-label").first).to_be_visible()
        expect(page.locator("#kpi-deflection .kpi-explain")).to_be_visible()
        screenshot(page, f"desk-dashboard-{lang}-{size}.png")

        page.goto(f"/staff/knowledge/new?lang={lang}")
        notice = tmp_path / f"notice-{lang}.md"
        notice.write_text(
            "# 关于支持南沙细胞治疗中试平台建设的通知\n\n穗南开管〔2025〕7号\n\n"
            "2025年3月18日\n\n为支持细胞治疗中试平台建设，对符合条件的平台给予一次性补助。"
            "本通知自2025年4月1日起施行。\n",
            encoding="utf-8",
        )
        page.set_input_files("#f-file", str(notice))
        # htmx reads the file and fills the details; the chosen file stays chosen.
        expect(page.locator("#prefill-notice")).to_be_visible()
        assert page.input_value("#f-title") == "关于支持南沙细胞治疗中试平台建设的通知"
        assert page.input_value("#f-issued") == "2025-03-18"
        assert page.input_value("#f-effective") == "2025-04-01"
        assert page.locator("#f-issued").get_attribute("type") == "date"
        assert page.eval_on_selector("#f-file", "el => el.files.length") == 1
        screenshot(page, f"desk-upload-{lang}-{size}.png")
    context.close()
