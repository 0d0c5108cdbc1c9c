"""Staff pages for unanswered questions and curated answers, through the app."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from knowledge import registry
from retrieval import curated
from tests.support.forms import csrf_token
from tests.support.session import company_browser
from web.core.components import Components

# The knowledge base has nothing on pets: these are refused or answered with low confidence.
PETS = ["Can I bring my pet dog to the center's office?", "可以带宠物狗来中心办公室吗？"]
PARAPHRASE = "Are dogs allowed in the center's office?"
ANSWER = "Pets are not allowed in the center's offices, except assistance dogs [1]."


@pytest.fixture
def staff_name() -> str:
    """The staff member's name, which the pages show."""
    return "孙工"


def _quote(components: Components) -> tuple[str, str]:
    with components.sessions() as session:
        chunk = registry.chunks_of(session=session, document_id="gba-cgt-center-en")[1]
    return "gba-cgt-center-en", chunk.text.split("\n")[-1][:60]


def _unanswered(staff: TestClient, query: str = "") -> str:
    for _ in range(20):  # the shared app may hold more than one batch of earlier refusals
        page = staff.get(f"/staff/unanswered?lang=en{query}")
        assert page.status_code == 200
        if "more new questions will be grouped" not in page.text:
            return page.text
    raise AssertionError("the unanswered questions were never all grouped")


def _group_of(page: str, question: str) -> int:
    pattern = (
        r'id="group-(\d+)">\s*<div class="gap-head">\s*<strong class="representative">'
        r"([^<]*)</strong>(?:(?!gap-group).)*?" + re.escape(str(escape(question)))
    )
    match = re.search(pattern, page, re.DOTALL)
    assert match, f"no group lists {question!r}"
    return int(match.group(1))


def test_companies_are_refused_and_visitors_are_sent_to_sign_in(
    components: Components, client: TestClient
) -> None:
    company = company_browser(components, client, "深圳缺口测试生物有限公司")
    visitor = TestClient(client.app)
    for url in (
        "/staff/unanswered",
        "/staff/curated",
        "/staff/curated/new",
        "/staff/curated/passages?q=GMP",
    ):
        assert company.get(url).status_code == 403
        response = visitor.get(url, follow_redirects=False)
        assert response.status_code == 303 and "/login" in response.headers["location"]
    token = csrf_token(company.get("/requests").text)
    response = company.post("/staff/curated", data={"csrf_token": token, "answer": "x"})
    assert response.status_code == 403


def test_staff_answer_a_group_of_refused_questions_and_the_assistant_uses_it(
    components: Components, client: TestClient, staff: TestClient
) -> None:
    for question in PETS:
        answer = client.post("/api/v1/chat", json={"question": question}).json()
        assert answer["source"] == "assistant"

    page = _unanswered(staff)
    group = _group_of(page, PETS[0])
    assert group == _group_of(page, PETS[1])  # one group for the en and zh phrasings
    assert f'href="/staff/curated/new?group={group}"' in page

    form = staff.get(f"/staff/curated/new?group={group}&lang=en").text
    for question in PETS:
        assert str(escape(question)) in form
    document_id, quote = _quote(components)
    data = {
        "csrf_token": csrf_token(form),
        "group_id": str(group),
        "questions": "\n".join(PETS),
        "language": "en",
        "answer": ANSWER,
        "cite_document": [document_id, ""],
        "cite_quote": [quote, ""],
    }
    try:
        created = staff.post("/staff/curated?lang=en", data=data, follow_redirects=False)
        assert created.status_code == 303
        components.assistant.refresh()  # what every worker does when the generation changes

        answered = client.post("/api/v1/chat", json={"question": PARAPHRASE}).json()
        assert answered["source"] == "staff" and answered["answer"] == ANSWER
        assert answered["citations"][0]["document_id"] == document_id
        assert answered["citations"][0]["quote"] == quote
        chat = client.get(f"/chat?c={answered['conversation_id']}&lang=zh").text
        assert "中心工作人员答复" in chat
        assert str(escape(ANSWER.removesuffix(" [1]."))) in chat

        assert f'id="group-{group}"' not in _unanswered(staff)
        answered_tab = _unanswered(staff, "&status=answered")
        assert f'id="group-{group}"' in answered_tab
    finally:
        with components.sessions() as session:
            for row in curated.list_(session=session):
                if row.answer == ANSWER and row.active:
                    curated.set_active(
                        session=session, curated_id=row.id, active=False, author="test"
                    )
        components.assistant.refresh()
    after = client.post("/api/v1/chat", json={"question": PARAPHRASE}).json()
    assert after["source"] == "assistant"
    assert f'id="group-{group}"' in _unanswered(staff)  # deactivated: the group is open again


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": "  "}, "Enter the answer."),
        ({"questions": ""}, "Enter at least one question this answers."),
        (
            {"cite_quote": "This sentence is not in the document."},
            "This quote is not in the document",
        ),
        ({"cite_document": "no-such-document"}, "No document in the knowledge base has this id."),
    ],
)
def test_bad_input_re_renders_the_form_with_the_reason_and_keeps_what_was_typed(
    components: Components, staff: TestClient, change: dict[str, str], message: str
) -> None:
    form = staff.get("/staff/curated/new?lang=en").text
    document_id, quote = _quote(components)
    data = {
        "csrf_token": csrf_token(form),
        "questions": "\n".join(PETS),
        "answer": ANSWER,
        "cite_document": document_id,
        "cite_quote": quote,
        **change,
    }
    with components.sessions() as session:
        before = len(curated.list_(session=session))

    response = staff.post("/staff/curated?lang=en", data=data)

    assert response.status_code == 422
    assert str(escape(message)) in response.text
    for kept in (data["answer"].strip(), data["questions"].split("\n")[0], data["cite_quote"]):
        if kept:
            assert str(escape(kept)) in response.text
    with components.sessions() as session:
        assert len(curated.list_(session=session)) == before


def test_a_group_can_be_dismissed_and_reopened(client: TestClient, staff: TestClient) -> None:
    question = "What is the price of a cup of coffee in the center's cafeteria?"
    assert client.post("/api/v1/chat", json={"question": question}).json()["refused"]
    page = _unanswered(staff)
    group = _group_of(page, question)

    response = staff.post(
        f"/staff/unanswered/{group}/dismiss",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert f'id="group-{group}"' not in _unanswered(staff)
    dismissed = _unanswered(staff, "&status=dismissed")
    assert f'id="group-{group}"' in dismissed and "孙工" in dismissed

    staff.post(f"/staff/unanswered/{group}/reopen", data={"csrf_token": csrf_token(page)})
    assert f'id="group-{group}"' in _unanswered(staff)
    missing = staff.post("/staff/unanswered/999999/dismiss", data={"csrf_token": csrf_token(page)})
    assert missing.status_code == 404


def test_the_passage_picker_offers_verbatim_sentences(
    components: Components, staff: TestClient
) -> None:
    fragment = staff.get(
        "/staff/curated/passages?q=GMP cell therapy appendix", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    picks = re.findall(r'data-document="([^"]+)" data-quote="([^"]+)"', fragment.text)
    assert picks
    with components.sessions() as session:
        for document_id, quote in picks[:5]:
            row = registry.get(session=session, document_id=document_id)
            assert row is not None and _unescape(quote) in row.text
    full = staff.get("/staff/curated/passages?q=GMP")
    assert "<html" in full.text and 'name="cite_quote"' in full.text


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_the_pages_are_in_chinese_and_english_with_no_untranslated_key(staff: TestClient) -> None:
    for url, zh, en in [
        ("/staff/unanswered", "未解答的问题", "Unanswered questions"),
        ("/staff/unanswered?status=dismissed", "已忽略", "Dismissed"),
        ("/staff/curated", "人工答复", "Staff answers"),
        ("/staff/curated/new", "适用的问题", "Questions it answers"),
    ]:
        for language, title in (("zh", zh), ("en", en)):
            page = staff.get(url + ("&" if "?" in url else "?") + f"lang={language}").text
            assert title in page
            assert not re.search(r">\s*(?:gaps|curated|nav|chat)\.[a-z_.]+\s*<", page), url


def test_staff_edit_and_deactivate_a_curated_answer(
    components: Components, staff: TestClient
) -> None:
    document_id, quote = _quote(components)
    with components.sessions() as session:
        row = curated.create(
            session=session,
            draft=curated.CuratedDraft(
                ["Does the center lend microscopes to visitors?"],
                "No, it does not [1].",
                [curated.CitationDraft(document_id, quote)],
            ),
            author="孙工",
            author_id=None,
        )
    edit = staff.get(f"/staff/curated/{row.id}/edit?lang=en").text
    assert str(escape(quote)) in edit and "Does the center lend microscopes" in edit
    data = {
        "csrf_token": csrf_token(edit),
        "questions": "Can visitors borrow a microscope?",
        "answer": "No [1].",
        "cite_document": document_id,
        "cite_quote": quote,
    }

    bad = staff.post(f"/staff/curated/{row.id}?lang=en", data={**data, "cite_quote": "nope"})
    assert bad.status_code == 422 and "This quote is not in the document" in bad.text
    saved = staff.post(f"/staff/curated/{row.id}", data=data, follow_redirects=False)
    assert saved.status_code == 303
    off = staff.post(
        f"/staff/curated/{row.id}/deactivate",
        data={"csrf_token": csrf_token(edit)},
        follow_redirects=False,
    )
    assert off.status_code == 303

    with components.sessions() as session:
        stored = curated.get(session=session, curated_id=row.id)
        assert stored.questions == ["Can visitors borrow a microscope?"]
        assert stored.answer == "No [1]." and not stored.active
    listing = staff.get("/staff/curated?lang=en").text
    assert "Deactivated" in listing and "Can visitors borrow a microscope?" in listing
    assert staff.get("/staff/curated/999999/edit").status_code == 404
