"""The staff console through the app: the whole request flow, queue, CSV, dashboard, canned."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient

from portal import accounts
from tests.support.forms import PASSWORD, csrf_token, unique_email
from tests.support.service_requests import submit_release_testing
from tests.support.session import post_form
from web.core.components import Components


def test_the_whole_flow_from_submission_to_rating(company: TestClient, staff: TestClient) -> None:
    number = submit_release_testing(company)
    staff_page = f"/staff/requests/{number}"

    # The queue shows it, with its triage suggestion on the request page.
    queue = staff.get("/staff/queue?lang=en&sort=newest").text
    assert number in queue
    page = staff.get(staff_page + "?lang=en").text
    assert "Triage suggestion" in page and 'id="accept-triage"' in page
    assert "Keywords" in page  # a reason is shown

    # Accept: the request is triaged, the decision recorded in the audit trail.
    assert post_form(staff, staff_page, f"{staff_page}/triage/accept").status_code == 303
    page = staff.get(staff_page + "?lang=en").text
    assert "Accepted" in page and "Triage accepted" in page
    assert "triage_accepted" not in page and "release_lot_testing" not in page  # words, not codes
    assert post_form(staff, staff_page, f"{staff_page}/claim").status_code == 303

    # Ask for information: awaiting the company, who sees the question.
    post_form(staff, staff_page, f"{staff_page}/status", target="in_progress")
    post_form(
        staff, staff_page, f"{staff_page}/messages", body="请提供批记录。", visibility="public"
    )
    post_form(
        staff, staff_page, f"{staff_page}/messages", body="内部：等待批记录", visibility="internal"
    )
    assert (
        post_form(staff, staff_page, f"{staff_page}/status", target="awaiting_company").status_code
        == 303
    )
    company_page = company.get(f"/requests/{number}?lang=en").text
    assert "请提供批记录。" in company_page
    assert "内部：等待批记录" not in company_page  # internal notes never reach the company
    assert "The center needs more information" in company_page

    # The company replies with a file: back to in progress.
    token = csrf_token(company_page)
    reply = company.post(
        f"/requests/{number}/messages",
        data={"body": "已附批记录。", "csrf_token": token},
        files=[("files", ("batch.csv", b"lot,qty\nA1,2\n", "text/csv"))],
        follow_redirects=False,
    )
    assert reply.status_code == 303
    page = staff.get(staff_page + "?lang=en").text
    assert "batch.csv" in page and "In progress" in page

    # Resolve; the company rates it.
    post_form(staff, staff_page, f"{staff_page}/status", target="resolved", note="检测完成。")
    rated = post_form(
        company, f"/requests/{number}", f"/requests/{number}/rating", rating="5", comment="很快"
    )
    assert rated.status_code == 303
    assert "Your rating: 5/5" in company.get(f"/requests/{number}?lang=en").text

    # The dashboard counts it; the CSV export lists it.
    dashboard = staff.get("/staff/dashboard?lang=en").text
    total = re.search(r'id="kpi-total">(\d+)<', dashboard)
    assert total and int(total.group(1)) >= 1
    assert re.search(r'id="kpi-rating">[0-9.]+<', dashboard)
    assert "<svg" in dashboard and 'class="bars"' in dashboard
    exported = staff.get("/staff/queue.csv?status=resolved&lang=en")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    row = next(r for r in rows if r["Tracking number"] == number)
    assert row["Status"] == "Resolved" and row["Priority"] in {"Low", "Normal", "High", "Urgent"}
    chinese = staff.get("/staff/queue.csv?status=resolved&lang=zh").text.lstrip("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(chinese)) if r["受理编号"] == number)
    assert row["状态"] == "已解决" and row["时限状态"] in {"已达标", "已超时"}

    # The audit trail reads as words: event names and before/after values, no JSON.
    page = staff.get(staff_page + "?lang=zh").text
    audit = page[page.index('id="audit"') : page.index("</table>", page.index('id="audit"'))]
    assert "状态变更" in audit and "处理中" in audit and "采纳分诊建议" in audit
    assert '{"' not in audit and "in_progress" not in audit


def test_illegal_transition_is_refused_with_a_message(
    company: TestClient, staff: TestClient
) -> None:
    number = submit_release_testing(company, "非法流转测试")
    staff_page = f"/staff/requests/{number}"

    response = post_form(staff, staff_page, f"{staff_page}/status", target="closed")
    api = staff.patch(f"/api/v1/requests/{number}", json={"status": "closed"})

    assert response.status_code == 409
    assert api.status_code == 409
    assert "cannot become closed" in api.json()["detail"]


def test_request_page_offers_only_legal_transitions(company: TestClient, staff: TestClient) -> None:
    number = submit_release_testing(company, "合法流转按钮")

    page = staff.get(f"/staff/requests/{number}").text
    offered = set(re.findall(r'name="target" value="(\w+)"', page))

    assert offered == {"triaged", "in_progress", "awaiting_company", "rejected", "withdrawn"}


def test_api_patch_changes_status_priority_and_assignee(
    company: TestClient, staff: TestClient
) -> None:
    number = submit_release_testing(company, "API 修改")
    me = staff.get("/staff/queue")  # any page: the user id comes from the assignee select
    assert me.status_code == 200

    response = staff.patch(
        f"/api/v1/requests/{number}", json={"status": "in_progress", "priority": "high"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "in_progress"
    assert response.json()["priority"] == "high"
    bad = staff.patch(f"/api/v1/requests/{number}", json={"assignee_id": 999999})
    assert bad.status_code == 422


def test_queue_filters_and_htmx_renders_only_the_results(
    company: TestClient, staff: TestClient
) -> None:
    number = submit_release_testing(company, "筛选测试 XYZZY")

    full = staff.get("/staff/queue?q=XYZZY&lang=en")
    fragment = staff.get("/staff/queue?q=XYZZY", headers={"HX-Request": "true"})
    other = staff.get("/staff/queue?q=XYZZY&service=training")

    assert number in full.text and "<html" in full.text
    assert number in fragment.text and "<html" not in fragment.text
    assert 'id="results"' in fragment.text
    assert number not in other.text
    assert "1 requests" in full.text or "requests" in full.text


def test_breaching_requests_are_highlighted_first(staff: TestClient) -> None:
    page = staff.get("/staff/queue").text

    states = re.findall(r'class="sla-row-(\w+)"', page)
    rank = {"breached": 0, "warning": 1, "ok": 2, "paused": 3, "met": 4}
    assert states == sorted(states, key=rank.__getitem__)


def test_canned_replies_can_be_created_edited_inserted_and_deleted(
    company: TestClient, staff: TestClient
) -> None:
    created = post_form(
        staff, "/staff/canned", "/staff/canned", title="请补充材料", body="您好，请补充样品信息表。"
    )
    assert created.status_code == 303
    page = staff.get("/staff/canned").text
    reply_id = re.search(r"/staff/canned/(\d+)/edit", page)
    assert reply_id and "请补充材料" in page
    rid = reply_id.group(1)

    edited = post_form(
        staff,
        f"/staff/canned/{rid}/edit",
        f"/staff/canned/{rid}",
        title="请补充材料",
        body="您好，请补充样品信息表和批记录。",
    )
    assert edited.status_code == 303

    number = submit_release_testing(company, "常用回复插入")
    inserted = staff.get(f"/staff/requests/{number}?canned={rid}", headers={"HX-Request": "true"})
    assert "请补充样品信息表和批记录。" in inserted.text and "<html" not in inserted.text

    empty = post_form(staff, "/staff/canned", "/staff/canned", title="", body="")
    assert empty.status_code == 422

    deleted = post_form(staff, "/staff/canned", f"/staff/canned/{rid}/delete")
    assert deleted.status_code == 303
    assert f"/staff/canned/{rid}/edit" not in staff.get("/staff/canned").text


def test_mentioned_colleague_is_notified(
    components: Components, company: TestClient, staff: TestClient
) -> None:
    email = unique_email("colleague", "gba-cgt.cn")
    with components.sessions() as session:
        colleague = accounts.create_user(
            session=session, email=email, password=PASSWORD, name="钱工", role="staff"
        )
    number = submit_release_testing(company, "提及同事")
    staff_page = f"/staff/requests/{number}"

    post_form(
        staff,
        staff_page,
        f"{staff_page}/messages",
        body=f"@{email} 请看一下",
        visibility="internal",
    )

    from portal import notifications

    with components.sessions() as session:
        subjects = [m.subject for m in notifications.list_for(session=session, user=colleague)]
    assert any("提到了您" in s for s in subjects)
