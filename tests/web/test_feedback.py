"""Feedback on answers, the staff feedback list, and answers attached to requests, via the app."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from portal.models import Event, RequestAnswer
from tests.support.forms import PDF, csrf_token
from tests.support.service_requests import RELEASE_FIELDS
from tests.support.session import company_browser
from web.core.components import Components

HTMX = {"HX-Request": "true"}
QUESTION = "南沙的企业所得税优惠税率是多少？"


def _answer_ids(page: str) -> list[str]:
    return re.findall(r'class="answer-actions" id="a-([0-9a-f]{32})"', page)


@pytest.fixture
def rival(components: Components, client: TestClient) -> Iterator[TestClient]:
    """A user of another company."""
    browser = company_browser(components, client, "东莞另一家生物有限公司")
    yield browser
    browser.close()


def _ask_in_chat(browser: TestClient, question: str = QUESTION) -> tuple[str, str]:
    """Ask on the chat page without JS; return the answer id and the conversation page."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]*)"', browser.get("/chat").text)
    token = found.group(1) if found else ""  # visitors without a session have none
    response = browser.post(
        "/chat", data={"question": question, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    page = browser.get(response.headers["location"].split("#")[0]).text
    ids = _answer_ids(page)
    assert ids, "the answer has no action bar"
    return ids[-1], page


def _submit(company: TestClient, answer_id: str | None = None) -> str:
    url = "/requests/new?service=release_lot_testing" + (
        f"&answer={answer_id}" if answer_id else ""
    )
    page = company.get(url).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    data = {
        "csrf_token": csrf_token(page),
        "idempotency_key": key.group(1),
        "service_code": "release_lot_testing",
        "title": "放行检测咨询",
        "description": "按助手答复的税率安排预算。",
        **RELEASE_FIELDS,
    }
    if answer_id:
        assert f'name="answer_id" value="{answer_id}"' in page
        data["answer_id"] = answer_id
    response = company.post(
        "/requests",
        data=data,
        follow_redirects=False,
        files=[("material_sample_info", ("coa.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


# --- the JSON API -----------------------------------------------------------------------------


def test_the_api_gives_every_answer_an_id_that_takes_feedback(fresh_client: TestClient) -> None:
    first = fresh_client.post("/api/v1/chat", json={"question": QUESTION}).json()
    second = fresh_client.post("/api/v1/chat", json={"question": QUESTION}).json()
    assert re.fullmatch(r"[0-9a-f]{32}", first["answer_id"])
    assert first["answer_id"] != second["answer_id"]

    response = fresh_client.post(
        f"/api/v1/answers/{first['answer_id']}/feedback",
        json={"helpful": False, "reason": "outdated", "comment": "税率已调整"},
    )
    assert response.status_code == 201, response.text
    stored = response.json()
    assert stored["answer_id"] == first["answer_id"]
    assert (stored["helpful"], stored["reason"], stored["comment"]) == (
        False,
        "outdated",
        "税率已调整",
    )

    helpful = fresh_client.post(
        f"/api/v1/answers/{second['answer_id']}/feedback", json={"helpful": True, "reason": None}
    )
    assert helpful.status_code == 201 and helpful.json()["reason"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"helpful": False, "reason": "boring"}, "reason"),
        ({"helpful": True, "reason": "wrong"}, "reason"),
        ({"helpful": False, "comment": "x" * 1001}, "comment"),
        ({"reason": "wrong"}, "helpful"),
        ({"helpful": False, "extra": 1}, "extra"),
    ],
)
def test_bad_feedback_is_refused_with_the_field(
    fresh_client: TestClient,
    ask_api,
    body: dict,
    field: str,  # type: ignore[no-untyped-def]
) -> None:
    answer_id = ask_api(QUESTION)["answer_id"]
    response = fresh_client.post(f"/api/v1/answers/{answer_id}/feedback", json=body)
    assert response.status_code == 422, response.text
    assert any(field in problem["field"] for problem in response.json()["detail"])


def test_feedback_on_an_unknown_answer_is_404(fresh_client: TestClient) -> None:
    for answer_id in ("0" * 32, "not-an-answer", "x" * 200):
        response = fresh_client.post(
            f"/api/v1/answers/{answer_id}/feedback", json={"helpful": True}
        )
        assert response.status_code == 404, answer_id


# --- the chat page ----------------------------------------------------------------------------


def test_marking_an_answer_wrong_without_javascript(
    fresh_client: TestClient, staff: TestClient
) -> None:
    answer_id, page = _ask_in_chat(fresh_client)
    assert f'action="/chat/answers/{answer_id}/feedback"' in page
    assert 'value="wrong"' in page and "new-with-answer" not in page  # visitors cannot attach

    response = fresh_client.post(
        f"/chat/answers/{answer_id}/feedback",
        data={"helpful": "no", "reason": "wrong", "comment": "税率不对"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    thanks = fresh_client.get(response.headers["location"].split("#")[0] + "&lang=en").text
    assert f'id="feedback-{answer_id}" class="feedback-done"' in thanks

    listed = staff.get("/staff/feedback?verdict=unhelpful&reason=wrong&lang=en").text
    entry = listed[listed.index(f'data-answer-id="{answer_id}"') :]
    entry = entry[: entry.find("</article>")]
    assert QUESTION in entry and "税率不对" in entry and "Wrong" in entry
    assert "Visitor (not signed in)" in entry
    assert '<ol class="citations provenance">' in entry and "version 1" in entry


def test_htmx_feedback_returns_the_thanks_or_the_form_with_a_message(
    fresh_client: TestClient,
) -> None:
    answer_id, _ = _ask_in_chat(fresh_client)
    bad = fresh_client.post(
        f"/chat/answers/{answer_id}/feedback",
        headers=HTMX,
        data={"helpful": "no", "reason": "boring"},
    )
    assert bad.status_code == 422
    assert "<html" not in bad.text and f'id="feedback-{answer_id}" class="feedback"' in bad.text
    assert 'role="alert"' in bad.text

    good = fresh_client.post(
        f"/chat/answers/{answer_id}/feedback",
        headers=HTMX,
        data={"helpful": "yes", "reason": "wrong"},
    )
    assert good.status_code == 200 and "feedback-done" in good.text and "<html" not in good.text


def test_a_bad_verdict_without_javascript_re_renders_the_conversation(
    fresh_client: TestClient,
) -> None:
    answer_id, _ = _ask_in_chat(fresh_client)
    response = fresh_client.post(
        f"/chat/answers/{answer_id}/feedback?lang=en", data={"helpful": "maybe"}
    )
    assert response.status_code == 422
    assert QUESTION in response.text and "Choose Helpful or Not helpful." in response.text


def test_the_feedback_list_is_for_staff_only(fresh_client: TestClient, company: TestClient) -> None:
    assert company.get("/staff/feedback").status_code == 403
    visitor = fresh_client.get("/staff/feedback", follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")


def test_the_feedback_list_rejects_unknown_filters(staff: TestClient) -> None:
    assert staff.get("/staff/feedback?reason=boring").status_code == 422
    assert staff.get("/staff/feedback?page=0").status_code == 422
    assert staff.get("/staff/feedback?verdict=helpful&page=9999").status_code == 200


def test_a_signed_in_post_needs_the_csrf_token(company: TestClient) -> None:
    answer_id, _ = _ask_in_chat(company)
    response = company.post(f"/chat/answers/{answer_id}/feedback", data={"helpful": "yes"})
    assert response.status_code == 403


def test_a_companys_answer_is_invisible_to_others(
    company: TestClient, rival: TestClient, fresh_client: TestClient
) -> None:
    answer_id, page = _ask_in_chat(company)
    conversation = re.search(r'name="conversation_id" value="([0-9a-f]+)"', page)
    assert conversation
    # A conversation is its owner's only (issue 14): another company's link is a 404.
    shared_link = rival.get(f"/chat?c={conversation.group(1)}")
    assert shared_link.status_code == 404
    assert QUESTION not in shared_link.text and answer_id not in shared_link.text
    for outsider in (rival, fresh_client):
        response = outsider.post(f"/api/v1/answers/{answer_id}/feedback", json={"helpful": True})
        assert response.status_code == 404
    own = company.post(f"/api/v1/answers/{answer_id}/feedback", json={"helpful": True})
    assert own.status_code == 201


# --- attaching answers to requests ------------------------------------------------------------


def test_a_company_attaches_an_answer_and_staff_see_what_was_said(
    components: Components, company: TestClient, rival: TestClient, staff: TestClient
) -> None:
    number = _submit(company)
    answer_id, page = _ask_in_chat(company)
    assert f'<option value="{number}">' in page and "new-with-answer" in page

    token = csrf_token(company.get("/chat").text)
    attach = company.post(
        f"/chat/answers/{answer_id}/attach",
        data={"tracking_number": number, "csrf_token": token},
        follow_redirects=False,
    )
    assert attach.status_code == 303 and attach.headers["location"].endswith("#answers")
    again = company.post(
        f"/chat/answers/{answer_id}/attach",
        data={"tracking_number": number, "csrf_token": token},
        follow_redirects=False,
    )
    assert again.status_code == 303  # attaching twice keeps one copy

    mine = company.get(f"/requests/{number}?lang=en").text
    assert 'id="answers"' in mine and QUESTION in mine and "version 1" in mine
    theirs = staff.get(f"/staff/requests/{number}?lang=en").text
    assert QUESTION in theirs and "Assistant answer attached" in theirs
    with components.sessions() as session:
        rows = session.scalars(
            select(RequestAnswer).where(RequestAnswer.answer_id == answer_id)
        ).all()
        events = session.scalars(
            select(Event).where(
                Event.request_id == rows[0].request_id, Event.kind == "answer_attached"
            )
        ).all()
    assert len(rows) == 1 and len(events) == 1
    assert rows[0].citations and all(c["version"] >= 1 and c["quote"] for c in rows[0].citations)

    # Another company can neither attach this answer nor attach anything to this request.
    rival_number = _submit(rival)
    rival_token = csrf_token(rival.get("/chat").text)
    stolen = rival.post(
        f"/chat/answers/{answer_id}/attach",
        data={"tracking_number": rival_number, "csrf_token": rival_token},
    )
    assert stolen.status_code == 404
    rival_answer, _ = _ask_in_chat(rival)
    into_theirs = rival.post(
        f"/chat/answers/{rival_answer}/attach",
        data={"tracking_number": number, "csrf_token": rival_token},
    )
    assert into_theirs.status_code == 404
    assert rival.get(f"/requests/new?answer={answer_id}").status_code == 404


def test_a_new_request_with_this_answer_attaches_it_on_submit(
    components: Components, company: TestClient
) -> None:
    answer_id, _ = _ask_in_chat(company)
    catalog = company.get(f"/requests/new?answer={answer_id}&lang=en").text
    assert f"answer={answer_id}" in catalog and QUESTION in catalog

    number = _submit(company, answer_id)

    page = company.get(f"/requests/{number}?lang=en").text
    assert "Assistant answers attached" in page and QUESTION in page
