"""Drafting a staff reply from the knowledge base, and the check of its figures before sending."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.forms import csrf_token
from tests.support.service_requests import submit_release_testing
from tests.support.session import company_browser, staff_browser
from web.core.components import Components

TRUE_RATE = "南沙先行启动区符合条件的鼓励类产业企业，企业所得税减按15%的税率征收。"
FALSE_RATE = "南沙先行启动区符合条件的鼓励类产业企业，企业所得税减按9%的税率征收。"


@pytest.fixture
def desk(components: Components, client: TestClient) -> Iterator[tuple[TestClient, str]]:
    """A signed-in staff member and a company's request to answer."""
    company = company_browser(components, client, "广州起草测试生物有限公司")
    number = submit_release_testing(company, title="南沙企业所得税优惠税率是多少？")
    company.close()
    staff = staff_browser(components, client, name="起草员")
    yield staff, number
    staff.close()


def _send(staff: TestClient, number: str, body: str, **extra: str) -> object:
    token = csrf_token(staff.get(f"/staff/requests/{number}").text)
    data = {"csrf_token": token, "visibility": "public", "body": body, **extra}
    return staff.post(
        f"/staff/requests/{number}/messages", data=data, files=[], follow_redirects=False
    )


def test_suggest_fills_the_reply_box_with_cited_passages(desk: tuple[TestClient, str]) -> None:
    staff, number = desk
    token = csrf_token(staff.get(f"/staff/requests/{number}").text)
    response = staff.post(
        f"/staff/requests/{number}/reply/suggest?lang=zh",
        data={"csrf_token": token, "body": "您好，", "question": "南沙企业所得税优惠税率是多少？"},
    )
    assert response.status_code == 200
    box = re.search(r'<textarea id="f-body"[^>]*>(.*?)</textarea>', response.text, re.S)
    assert box is not None
    draft = box.group(1)
    assert draft.startswith("您好，") and "15%" in draft
    assert "出处：" in draft and "[1]" in draft
    assert 'id="draft-notice"' in response.text
    # Nothing was sent: the timeline has no staff reply yet.
    assert "15%" not in staff.get(f"/staff/requests/{number}").text.split('id="reply"')[0]


def test_the_draft_box_is_its_own_form_before_the_reply_form(desk: tuple[TestClient, str]) -> None:
    staff, number = desk
    page = staff.get(f"/staff/requests/{number}").text
    draft, reply = (
        page.index('<form class="reply-draft" id="reply-draft"'),
        page.index('id="reply"'),
    )
    assert draft < reply
    # The reply form's first submit button sends; Enter in the question only asks for a draft.
    reply_form = page[reply:].split("</form>")[0]
    assert re.findall(r'<button type="submit"[^>]*id="([\w-]+)"', reply_form)[0] == "send-reply"
    assert 'hx-select-oob="#reply-draft"' in page and 'hx-include="#f-body"' in page


def test_a_refused_question_leaves_the_body_and_says_so(desk: tuple[TestClient, str]) -> None:
    staff, number = desk
    token = csrf_token(staff.get(f"/staff/requests/{number}").text)
    response = staff.post(
        f"/staff/requests/{number}/reply/suggest?lang=en",
        data={"csrf_token": token, "body": "Dear client,", "question": "明天南沙天气怎么样？"},
    )
    assert "The knowledge base has no passage that answers this" in response.text
    assert ">Dear client,</textarea>" in response.text


def test_a_public_reply_with_an_unsupported_figure_is_held_and_highlighted(
    desk: tuple[TestClient, str],
) -> None:
    staff, number = desk
    response = _send(staff, number, f"您好！{FALSE_RATE}如有疑问请联系我们。")
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert 'id="reply-review"' in page
    assert re.search(r'<mark class="unsupported"[^>]*>[^<]*9%', page)
    assert "<code>9%</code>" in page
    # Not sent: the request's timeline does not hold it.
    assert FALSE_RATE not in staff.get(f"/staff/requests/{number}").text


def test_send_anyway_sends_exactly_the_reviewed_text(desk: tuple[TestClient, str]) -> None:
    staff, number = desk
    body = f"您好！{FALSE_RATE}"
    held = _send(staff, number, body)
    confirmed = re.search(r'name="figures_confirmed" value="([0-9a-f]+)"', held.text)  # type: ignore[attr-defined]
    assert confirmed is not None
    # An edited text is checked again rather than sent on the old confirmation.
    edited = _send(staff, number, body + "罚款10万元。", figures_confirmed=confirmed.group(1))
    assert edited.status_code == 422  # type: ignore[attr-defined]
    sent = _send(staff, number, body, figures_confirmed=confirmed.group(1))
    assert sent.status_code == 303  # type: ignore[attr-defined]
    assert FALSE_RATE in staff.get(f"/staff/requests/{number}").text


def test_supported_figures_and_internal_notes_are_sent_without_a_warning(
    desk: tuple[TestClient, str],
) -> None:
    staff, number = desk
    assert _send(staff, number, f"您好！{TRUE_RATE}").status_code == 303  # type: ignore[attr-defined]
    note = _send(staff, number, FALSE_RATE.replace("9%", "8%"), visibility="internal")
    assert note.status_code == 303  # type: ignore[attr-defined]
