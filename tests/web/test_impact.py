"""Impact recall through the app: a changed document lists the answers and requests that quoted
its old version, and staff notify the affected companies once, through the outbox."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from knowledge.loaders import load_bytes
from portal.models import Event, OutboxMessage, ServiceRequest
from retrieval import curated
from retrieval.curated import CitationDraft, CuratedDraft
from tests.support.forms import PDF, csrf_token
from tests.support.service_requests import RELEASE_FIELDS
from tests.support.session import sign_in, staff_browser
from tests.support.users import register_company
from web.app import create_app
from web.core.components import Components

QUESTION = "What is the cleanroom subsidy rate?"


def _doc(doc_id: str, title: str, body: str):  # type: ignore[no-untyped-def]
    text = (
        f"---\nid: {doc_id}\ntitle: {title}\nlanguage: en\ncategory: policy\n"
        f"jurisdiction: nansha\nissued: 2024-03-01\n---\n{body}"
    )
    return load_bytes(text.encode(), filename=f"{doc_id}.md")


OLD = _doc(
    "cleanroom-subsidy-2024",
    "Cleanroom Subsidy Measures 2024",
    "Summary of the cleanroom subsidy measures.\n\n## Rates\n"
    "The cleanroom subsidy is 15% of fixed-asset investment, up to RMB 3 million.\n\n"
    "## Scope\nThe subsidy applies to cleanroom workshops larger than 1,000 square metres.\n",
)
NEW = _doc(
    "cleanroom-subsidy-2025",
    "Cleanroom Subsidy Measures 2025",
    "Summary of the revised cleanroom subsidy measures.\n\n## Rates\n"
    "The cleanroom subsidy is 20% of fixed-asset investment, up to RMB 5 million.\n",
)


@pytest.fixture
def app_client(fresh_components: Components) -> Iterator[TestClient]:
    """The app over a small index of its own (these tests change documents)."""
    report = fresh_components.indexer.ingest([OLD, NEW], origin="local", prune=False)
    assert report.changed
    fresh_components.assistant.refresh()
    app = create_app(components=fresh_components)
    with TestClient(app) as client:
        assert app.state.ready.wait(120), app.state.startup_error
        yield client


def _company(parts: Components, client: TestClient, name: str) -> tuple[TestClient, int]:
    company_id, email = register_company(parts, name=name, contact="周敏")
    return sign_in(client, email), company_id


def _ask(browser: TestClient) -> dict:  # type: ignore[type-arg]
    response = browser.post("/api/v1/chat", json={"question": QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["refused"], body
    assert any(c["document_id"] == OLD.id for c in body["citations"]), body["citations"]
    return body


def _submit_with(company: TestClient, answer_id: str) -> str:
    page = company.get(f"/requests/new?service=release_lot_testing&answer={answer_id}").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key
    data = {
        "csrf_token": csrf_token(page),
        "idempotency_key": key.group(1),
        "answer_id": answer_id,
        "service_code": "release_lot_testing",
        "title": "洁净室补贴咨询",
        "description": "按助手答复准备申报材料。",
        **RELEASE_FIELDS,
    }
    response = company.post(
        "/requests",
        data=data,
        follow_redirects=False,
        files=[("material_sample_info", ("coa.pdf", PDF, "application/pdf"))],
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/")[2].split("?")[0]


def test_superseding_a_document_lists_its_answers_and_notifies_once(
    fresh_components: Components, app_client: TestClient
) -> None:
    parts = fresh_components
    company, company_id = _company(parts, app_client, "南沙洁净室生物有限公司")
    other, other_id = _company(parts, app_client, "广州另一家细胞有限公司")
    attached = _ask(company)
    number = _submit_with(company, attached["answer_id"])
    _ask(other)  # asked, attached to nothing: the company still hears of it
    anonymous = _ask(TestClient(app_client.app))
    staff = staff_browser(parts, app_client, name="孙工")
    url = f"/staff/knowledge/{OLD.id}/impact"

    page = staff.get(url + "?lang=en").text
    assert "No answer quoted an old version." in page  # version 1 is still current

    app_client.app.state.knowledge.supersede(
        document_id=OLD.id, superseded_by=NEW.id, changed_by="孙工"
    )
    page = staff.get(url + "?lang=en").text
    assert "The document is superseded" in page
    assert "Past answers that quoted an old version (3)" in page
    assert "Open requests with such an answer attached (1)" in page
    assert number in page and QUESTION in page and "version 1" in page
    assert "南沙洁净室生物有限公司" in page and "Visitor (not signed in)" in page
    assert f'data-answer-id="{anonymous["answer_id"]}"' in page

    notify = staff.post(
        url + "/notify", data={"csrf_token": csrf_token(page)}, follow_redirects=False
    )
    assert notify.status_code == 303
    report = staff.get(notify.headers["location"] + "&lang=en").text
    assert "2 notified (1 requests, 1 companies); 0 had already been told." in report

    with parts.sessions() as session:
        request_id = session.scalar(
            select(ServiceRequest.id).where(ServiceRequest.tracking_number == number)
        )
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.subject.contains("A document you relied on"))
        ).all()
        events = session.scalars(select(Event).where(Event.kind == "impact_notified")).all()
    to_request = [m for m in messages if m.request_id == request_id]
    assert len(to_request) == 1 and number in to_request[0].subject
    assert "Cleanroom Subsidy Measures 2024" in to_request[0].body and number in to_request[0].body
    assert "已被新文件取代" in to_request[0].body and "has been superseded" in to_request[0].body
    assert len([m for m in messages if m.request_id is None]) == 1  # the other company's user
    assert {e.request_id for e in events} == {request_id, None}
    assert any(e.after.get("company_id") == other_id for e in events if e.request_id is None)
    assert company_id != other_id
    audit = staff.get(f"/staff/requests/{number}?lang=en").text
    assert "Document change notified" in audit and "impact_notified" not in audit
    inbox = company.get("/notifications?lang=en").text
    assert "Cleanroom Subsidy Measures 2024" in inbox

    # Once per request or company: a second click sends nothing.
    again = staff.post(
        url + "/notify", data={"csrf_token": csrf_token(page)}, follow_redirects=False
    )
    report = staff.get(again.headers["location"] + "&lang=en").text
    assert "0 notified (0 requests, 0 companies); 2 had already been told." in report
    with parts.sessions() as session:
        assert len(session.scalars(select(Event).where(Event.kind == "impact_notified")).all()) == 2


def test_an_edited_document_lists_only_answers_that_quoted_an_older_version(
    fresh_components: Components, app_client: TestClient
) -> None:
    parts = fresh_components
    company, _ = _company(parts, app_client, "珠海版本测试生物有限公司")
    before = _ask(company)
    app_client.app.state.knowledge.update_metadata(
        document_id=OLD.id, changes={"doc_number": "穗南开管〔2024〕9号"}, changed_by="孙工"
    )
    # Workers pick the new snapshot up within a second; until then answers quote (and record)
    # the version they were actually given.
    parts.assistant.refresh()
    after = _ask(company)
    assert {c["version"] for c in after["citations"] if c["document_id"] == OLD.id} == {2}
    assert any(c["document_id"] == OLD.id for c in after["citations"])
    staff = staff_browser(parts, app_client, name="孙工")

    page = staff.get(f"/staff/knowledge/{OLD.id}/impact?lang=en").text

    assert "The document is now version 2" in page
    assert f'data-answer-id="{before["answer_id"]}"' in page
    assert f'data-answer-id="{after["answer_id"]}"' not in page


def test_impact_pages_are_for_staff_and_known_documents_only(
    fresh_components: Components, app_client: TestClient
) -> None:
    company, _ = _company(fresh_components, app_client, "深圳权限测试生物有限公司")
    staff = staff_browser(fresh_components, app_client, name="孙工")
    url = f"/staff/knowledge/{OLD.id}/impact"
    assert company.get(url).status_code == 403
    token = csrf_token(company.get("/chat").text)
    assert company.post(url + "/notify", data={"csrf_token": token}).status_code == 403
    visitor = TestClient(app_client.app).get(url, follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    assert staff.get("/staff/knowledge/no-such-document/impact").status_code == 404
    assert staff.post(url + "/notify").status_code == 403  # no CSRF token
    with fresh_components.sessions() as session:
        assert not session.scalars(select(Event).where(Event.kind == "impact_notified")).all()


def test_a_staff_answer_citing_a_superseded_document_is_listed_and_stops_being_given(
    fresh_components: Components, app_client: TestClient
) -> None:
    parts = fresh_components
    quote = "The cleanroom subsidy is 15% of fixed-asset investment, up to RMB 3 million."
    with parts.sessions() as session:
        row = curated.create(
            session=session,
            draft=CuratedDraft(
                [QUESTION],
                "The subsidy is 15% of the investment [1].",
                [CitationDraft(OLD.id, quote)],
            ),
            author="孙工",
            author_id=None,
        )
        curated_id = row.id
    parts.assistant.refresh()
    assert parts.assistant.answer(QUESTION).curated_id == curated_id
    staff = staff_browser(parts, app_client, name="孙工")
    url = f"/staff/knowledge/{OLD.id}/impact?lang=en"
    assert "Still given: its quote is in the current text" in staff.get(url).text

    app_client.app.state.knowledge.supersede(
        document_id=OLD.id, superseded_by=NEW.id, changed_by="孙工"
    )
    parts.assistant.refresh()

    page = staff.get(url).text
    assert "Staff answers citing this document (1)" in page
    assert f'data-curated-id="{curated_id}"' in page
    assert "does not give this answer until it is edited" in page and "superseded" in page
    listing = staff.get("/staff/curated?lang=en").text
    assert "does not give this answer until it is edited" in listing
    answer = parts.assistant.answer(QUESTION)
    assert answer.curated_id is None
    assert all(c.document_id != OLD.id or "superseded" in answer.answer for c in answer.citations)
