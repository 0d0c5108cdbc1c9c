"""Every main page fits a phone and a desktop, in Chinese and English (real Chromium).

Each page is opened at 390x844 and 1280x900 in zh and en and fails when the document is wider
than the viewport (sideways scrolling), when a badge wraps onto two lines, or, on the phone,
when the navigation is not a menu. Screenshots land in tests/e2e/artifacts/layout-*.png to be
looked at.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal import accounts, service_requests
from portal.models import Company
from portal.uscc import check_character
from tests.support.browser import ARTIFACTS, E2E, sign_in_page
from web.core.components import Components

pytestmark = E2E

PASSWORD = "correct horse battery"
TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
NARROWEST = {"width": 360, "height": 740}

expect.set_options(timeout=TIMEOUT_MS)

# What the page measures: sideways overflow, the widest offender, and wrapped badges.
_MEASURE = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
      const name = `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80);
      wide.push(`${name} (${Math.round(box.right)}px)`);
    }
  }
  const wrapped = [];
  for (const badge of document.querySelectorAll('.badge')) {
    const box = badge.getBoundingClientRect();
    const size = parseFloat(getComputedStyle(badge).fontSize);
    if (box.height > size * 2.2) wrapped.push(badge.textContent.trim());
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5), wrapped};
}"""


@dataclass(frozen=True)
class People:
    """Who signs in, and the request they can all see."""

    company: str
    staff: str
    admin: str
    number: str


def _sign_in(context: BrowserContext, email: str) -> None:
    page = context.new_page()
    sign_in_page(page, email)
    page.close()


@pytest.fixture(scope="module")
def people(components: Components) -> People:
    """A company member with one request, a staff member and an admin."""
    stamp = time.time_ns()
    body = f"91440101MA{stamp % 10**7:07d}"
    with components.sessions() as session:
        company = Company(
            name="广州版式测试生物科技有限公司",
            credit_code=body + check_character(body),
            contact_name="林晓",
            phone="020-66668888",
            email=f"l{stamp}@example.cn",
        )
        session.add(company)
        session.commit()
        member = accounts.create_user(
            session=session,
            email=f"layout-co{stamp}@example.cn",
            password=PASSWORD,
            name="林晓",
            role="company",
            company_id=company.id,
        )
        staff = accounts.create_user(
            session=session,
            email=f"layout-st{stamp}@gba-cgt.cn",
            password=PASSWORD,
            name="何敏",
            role="staff",
        )
        admin = accounts.create_user(
            session=session,
            email=f"layout-ad{stamp}@gba-cgt.cn",
            password=PASSWORD,
            name="王管理",
            role="admin",
        )
        request = service_requests.submit(
            session=session,
            user=member,
            service_code="general_consultation",
            title="关于南沙细胞治疗企业所得税优惠政策适用条件的咨询（一个很长的标题）",
            description="我们想了解南沙对细胞与基因治疗企业的所得税优惠适用条件。",
            fields={"topic": "企业所得税优惠", "nda_required": False},
            idempotency_key=f"layout-{stamp}",
        )
        return People(member.email, staff.email, admin.email, request.tracking_number)


@pytest.fixture(scope="module")
def document_url(browser: Browser, base_url: str) -> str:
    """The first document of the library."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/documents")
    href = page.locator(".doc-list a").first.get_attribute("href")
    context.close()
    assert href
    return href


ROLES = ("visitor", "company", "staff", "admin")


def _pages(role: str, people: People, document_url: str) -> list[str]:
    public = ["/chat", "/documents", document_url]
    if role == "visitor":
        return [*public, "/login", "/register"]
    if role == "company":
        return [
            *public,
            "/requests",
            "/requests/new",
            "/requests/new?service=general_consultation",
            f"/requests/{people.number}",
            "/notifications",
            "/account",
        ]
    staff = [
        "/staff/queue",
        f"/staff/requests/{people.number}",
        "/staff/dashboard",
        "/staff/knowledge",
        "/staff/knowledge/new",
        "/staff/feedback",
        "/staff/unanswered",
        "/staff/curated",
        "/staff/canned",
        "/notifications",
        "/account",
    ]
    if role == "staff":
        return staff
    return ["/admin/staff", "/admin/teams", "/admin/services", "/staff/queue"]


@pytest.fixture
def contexts(
    browser: Browser, base_url: str, people: People
) -> Iterator[dict[tuple[str, str], BrowserContext]]:
    """One signed-in browser context per role and viewport size."""
    made: dict[tuple[str, str], BrowserContext] = {}
    for role in ROLES:
        for size_name, size in (("phone", PHONE), ("desktop", DESKTOP)):
            context = browser.new_context(
                base_url=base_url, viewport=size, locale="zh-CN", device_scale_factor=1
            )
            context.set_default_timeout(TIMEOUT_MS)
            email = {"company": people.company, "staff": people.staff, "admin": people.admin}.get(
                role
            )
            if email:
                _sign_in(context, email)
            made[(role, size_name)] = context
    yield made
    for context in made.values():
        context.close()


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-")[:60] or "home"


def _check(page: Page, where: str) -> list[str]:
    found = page.evaluate(_MEASURE)
    problems = []
    if found["scroll"] > found["width"]:
        problems.append(
            f"{where}: {found['scroll']}px wide in a {found['width']}px viewport; "
            f"widest: {found['wide']}"
        )
    if found["wrapped"]:
        problems.append(f"{where}: badges wrap: {found['wrapped']}")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_no_main_page_is_wider_than_a_phone_or_a_desktop_in_either_language(
    role: str,
    contexts: dict[tuple[str, str], BrowserContext],
    people: People,
    document_url: str,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    for size_name in ("phone", "desktop"):
        page = contexts[(role, size_name)].new_page()
        for path in _pages(role, people, document_url):
            for lang in ("zh", "en"):
                url = f"{path}{'&' if '?' in path else '?'}lang={lang}"
                response = page.goto(url)
                assert response is not None and response.status == 200, f"{url}: {response}"
                page.wait_for_load_state("networkidle")
                problems += _check(page, f"{role} {size_name} {url}")
                shot = ARTIFACTS / f"layout-{role}-{size_name}-{lang}-{_slug(path)}.png"
                page.screenshot(path=str(shot), full_page=True)
        page.close()
    assert problems == [], "\n".join(problems)


def test_the_narrowest_phone_scrolls_no_page_sideways(
    browser: Browser, base_url: str, people: People, document_url: str
) -> None:
    problems: list[str] = []
    for role, email in (("company", people.company), ("staff", people.staff)):
        context = browser.new_context(base_url=base_url, viewport=NARROWEST)
        _sign_in(context, email)
        page = context.new_page()
        for path in _pages(role, people, document_url):
            page.goto(f"{path}{'&' if '?' in path else '?'}lang=en")
            problems += _check(page, f"{role} 360 {path}")
        context.close()
    assert problems == [], "\n".join(problems)


def test_on_a_phone_the_navigation_is_a_menu_that_opens_with_and_without_javascript(
    browser: Browser, base_url: str, people: People
) -> None:
    for javascript in (True, False):
        context = browser.new_context(
            base_url=base_url, viewport=PHONE, java_script_enabled=javascript
        )
        _sign_in(context, people.staff)
        page = context.new_page()
        page.goto("/staff/queue?lang=en")
        nav = page.locator("#site-nav")
        expect(nav).to_be_hidden()
        expect(page.locator("a.lang-switch")).to_be_visible()  # one tap away, never in the menu
        page.locator("label.nav-toggle-label").click()
        expect(nav).to_be_visible()
        expect(nav.get_by_role("button", name="Sign out")).to_be_in_viewport()
        if javascript:
            expect(page.locator("#nav-toggle")).to_have_attribute("aria-expanded", "true")
            page.keyboard.press("Escape")
            expect(nav).to_be_hidden()
        page.goto("/staff/queue?lang=en")
        # The queue's rows are cards: no table header row on a phone.
        expect(page.locator("table.queue-table thead")).not_to_be_in_viewport()
        context.close()


def test_on_a_desktop_the_navigation_is_a_bar(
    browser: Browser, base_url: str, people: People
) -> None:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP)
    _sign_in(context, people.company)
    page = context.new_page()
    page.goto("/requests?lang=zh")

    expect(page.locator("#site-nav")).to_be_visible()
    expect(page.locator("label.nav-toggle-label")).to_be_hidden()
    expect(page.locator("#site-nav a[href='/requests']")).to_be_in_viewport()
    context.close()
