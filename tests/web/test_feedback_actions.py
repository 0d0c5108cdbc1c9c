"""Acting on feedback: a staff answer from its question, mark it handled, open its documents."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from retrieval import feedback
from tests.support.forms import csrf_token
from web.core.components import Components

QUESTION = "南沙先行启动区的企业所得税优惠税率是多少？"


@pytest.fixture
def staff_name() -> str:
    """The staff member's name, which the pages show."""
    return "反馈处理员"


@pytest.fixture
def feedback_id(components: Components, client: TestClient) -> int:
    """Unhelpful feedback from a visitor on a cited answer."""
    answer = client.post("/api/v1/chat", json={"question": QUESTION}).json()
    response = client.post(
        f"/api/v1/answers/{answer['answer_id']}/feedback",
        json={"helpful": False, "reason": "incomplete", "comment": f"缺少期限 {uuid.uuid4().hex}"},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_each_item_offers_a_staff_answer_the_documents_and_mark_handled(
    staff: TestClient, feedback_id: int
) -> None:
    page = staff.get("/staff/feedback?lang=zh&handled=open").text
    item = page.split(f'id="fb-{feedback_id}"')[1].split("</article>")[0]
    assert f'href="/staff/feedback/{feedback_id}/answer"' in item
    assert re.search(r'href="/staff/knowledge/nansha-cit-15-zh"', item)
    assert f'id="handle-{feedback_id}"' in item and "标记为已处理" in item


def test_the_staff_answer_form_starts_from_the_question_in_its_language(
    staff: TestClient, feedback_id: int
) -> None:
    form = staff.get(f"/staff/feedback/{feedback_id}/answer?lang=en").text
    assert f">{QUESTION}</textarea>" in form
    assert '<option value="zh" selected>' in form
    assert 'action="/staff/curated"' in form


def test_marking_handled_moves_it_out_of_the_open_list_and_back(
    components: Components, staff: TestClient, feedback_id: int
) -> None:
    page = staff.get("/staff/feedback?handled=open").text
    done = staff.post(
        f"/staff/feedback/{feedback_id}/handled",
        data={"csrf_token": csrf_token(page), "handled": "yes", "back": "handled=open"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/feedback?handled=open#fb-{feedback_id}"
    assert f'id="fb-{feedback_id}"' not in staff.get("/staff/feedback?handled=open").text
    handled = staff.get("/staff/feedback?handled=handled&lang=en").text
    assert f'id="fb-{feedback_id}"' in handled and "Handled by 反馈处理员" in handled
    with components.sessions() as session:
        fb, _ = feedback.get_feedback(session=session, feedback_id=feedback_id)
        assert fb.handled_at is not None and fb.handled_by == "反馈处理员"
    staff.post(
        f"/staff/feedback/{feedback_id}/handled",
        data={"csrf_token": csrf_token(handled), "handled": "no"},
        follow_redirects=False,
    )
    assert f'id="fb-{feedback_id}"' in staff.get("/staff/feedback?handled=open").text


def test_unknown_feedback_is_404_and_companies_may_not_act(
    staff: TestClient, client: TestClient
) -> None:
    assert staff.get("/staff/feedback/999999/answer").status_code == 404
    visitor = TestClient(client.app)
    response = visitor.get("/staff/feedback/1/answer", follow_redirects=False)
    assert response.status_code in (303, 401, 403)
