"""XSS: payloads stored through every free-text input render inert on every page that shows them.

Each payload goes in through the real forms (or the real knowledge base); each page is parsed
and must contain no element, attribute or URL the payload tried to create, while showing the
payload as text (so the check is not vacuous). The JSON API returns the same strings as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

from tests.security.inert_html import assert_inert, shown_as_text


@dataclass
class Stored:
    """What the payloads were stored in, and the ids of the objects holding them."""

    number: str = ""
    conversation: str = ""
    visitor_cookie: str = ""  # the conversation is its asker's only (issue 14)
    canned_id: str = ""
    pages: dict[str, tuple[TestClient, str, tuple[str, ...]]] = field(default_factory=dict)


@pytest.fixture(scope="module")
def stored(world, attack) -> Stored:  # type: ignore[no-untyped-def]
    """Store the payloads through every free-text input of the portal."""
    short = attack.SCRIPT + attack.IMG  # fits the 100-character name fields
    out = Stored()

    # registration: company and contact names, through the page form
    visitor = world.fresh()
    token = world.token_of(visitor.get("/register").text)
    from portal.uscc import check_character

    body = "91440115MA9X00001"
    registered = visitor.post(
        "/register",
        data={
            "company_name": f"XSS公司{short}",
            "credit_code": body + check_character(body),
            "contact_name": short,
            "phone": "020-87654321",
            "email": "xss@example.cn",
            "password": world.PASSWORD,
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert registered.status_code == 303, registered.text[:500]
    company = world.sign_in("xss@example.cn")
    c, csrf = company.client, company.csrf

    # a colleague's name
    assert (
        c.post(
            "/account/members",
            data={
                "name": short,
                "email": "xss2@example.cn",
                "password": world.PASSWORD,
                "csrf_token": csrf,
            },
            follow_redirects=False,
        ).status_code
        == 303
    )
    # a request: title, description and a typed text field
    out.number = world.submit(company, title=attack.PAYLOAD, description=attack.PAYLOAD)
    number = out.number
    # a spreadsheet formula in a title (CSV injection)
    world.submit(company, title='=HYPERLINK("http://evil.example","x")', description="csv")
    # the company's reply
    assert (
        c.post(
            f"/requests/{number}/messages",
            data={"body": attack.PAYLOAD, "csrf_token": csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )

    s, scsrf = world.staff.client, world.staff.csrf
    for data in (
        {"body": attack.PAYLOAD, "visibility": "public"},
        {"body": attack.PAYLOAD + " internal", "visibility": "internal"},
    ):
        reply = s.post(
            f"/staff/requests/{number}/messages",
            data={**data, "csrf_token": scsrf},
            follow_redirects=False,
        )
        assert reply.status_code == 303, reply.text[:500]
    override = s.post(
        f"/staff/requests/{number}/triage/override",
        data={"priority": "high", "note": attack.PAYLOAD, "csrf_token": scsrf},
        follow_redirects=False,
    )
    assert override.status_code == 303
    for target in ("in_progress", "resolved"):
        moved = s.post(
            f"/staff/requests/{number}/status",
            data={"target": target, "note": attack.PAYLOAD, "csrf_token": scsrf},
            follow_redirects=False,
        )
        assert moved.status_code == 303, moved.text[:500]
    rated = c.post(
        f"/requests/{number}/rating",
        data={"rating": "1", "comment": attack.PAYLOAD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert rated.status_code == 303, rated.text[:500]
    # canned replies
    assert (
        s.post(
            "/staff/canned",
            data={"title": short, "body": attack.PAYLOAD, "csrf_token": scsrf},
            follow_redirects=False,
        ).status_code
        == 303
    )
    found = re.findall(r"/staff/canned/(\d+)/edit", s.get("/staff/canned").text)
    out.canned_id = max(found, key=int)
    # admin: a staff member's name and a team's names
    ad, acsrf = world.admin.client, world.admin.csrf
    assert (
        ad.post(
            "/admin/staff",
            data={
                "email": "xss-staff@center.example",
                "name": short,
                "password": world.PASSWORD,
                "role": "staff",
                "csrf_token": acsrf,
            },
            follow_redirects=False,
        ).status_code
        == 303
    )
    team = ad.post(
        "/admin/teams",
        data={
            "code": "xss_team",
            "name_zh": short[:60],
            "name_en": attack.IMG,
            "csrf_token": acsrf,
        },
        follow_redirects=False,
    )
    assert team.status_code == 303, team.text[:500]
    # the chat: a question carrying the payload, and one that retrieves the payload document
    asker = world.fresh()
    asked = asker.post(
        "/chat", data={"question": "Cell therapy " + attack.PAYLOAD}, follow_redirects=False
    )
    assert asked.status_code == 303
    out.conversation = asked.headers["location"].split("c=")[1].split("#")[0]
    out.visitor_cookie = asker.cookies["cgt_visitor"]
    return out


def _pages(world, stored: Stored, attack):  # type: ignore[no-untyped-def]
    """(client, path, markers that must show as text) for every page that shows a payload."""
    company = world.sign_in("xss@example.cn").client
    n = stored.number
    visitor = world.fresh()
    asker = world.fresh()
    asker.cookies.set("cgt_visitor", stored.visitor_cookie)
    all_markers = ("xss-script", "xss-img")
    return {
        "account": (company, "/account", all_markers),
        "request list": (company, "/requests", all_markers),
        "request page": (company, f"/requests/{n}", all_markers + ("xss-attr", "xss-svg")),
        "notifications": (company, "/notifications", ()),
        "new request, ?service=": (company, f"/requests/new?service={attack.SCRIPT}", ()),
        "account, ?added=": (company, f"/account?added={attack.IMG}", ("xss-img",)),
        "suggestions, ?q=": (company, f"/requests/suggestions?q={attack.PAYLOAD}", ()),
        "staff queue": (world.staff.client, "/staff/queue", all_markers),
        "staff queue, ?q=": (world.staff.client, f"/staff/queue?q={attack.IMG}", ("xss-img",)),
        "staff request page": (world.staff.client, f"/staff/requests/{n}", all_markers),
        "staff request, canned": (
            world.staff.client,
            f"/staff/requests/{n}?canned={stored.canned_id}",
            all_markers,
        ),
        "staff dashboard": (world.staff.client, "/staff/dashboard", ()),
        "staff notifications": (world.staff.client, "/notifications", ()),
        "canned list": (world.staff.client, "/staff/canned", all_markers),
        "canned edit": (world.staff.client, f"/staff/canned/{stored.canned_id}/edit", all_markers),
        "admin staff": (world.admin.client, "/admin/staff", all_markers),
        "admin teams": (world.admin.client, "/admin/teams", ("xss-img",)),
        "chat conversation": (asker, f"/chat?c={stored.conversation}", all_markers),
        "chat, ?c=": (visitor, f"/chat?c={attack.SCRIPT}", ()),
        "library": (visitor, "/documents", all_markers),
        "library, ?q=": (visitor, f"/documents?q={attack.IMG}", ("xss-img",)),
        "document": (visitor, "/documents/xss-payload-doc", all_markers + ("xss-svg",)),
        "document, ?hl=": (visitor, "/documents/xss-payload-doc?hl=0-40", all_markers),
        "login, ?next=": (visitor, f"/login?next={attack.JS_URL}", ()),
        "login, ?next= html": (visitor, f"/login?next=/x{attack.IMG}", ()),
        "lang switch": (visitor, f"/documents?q={attack.ATTR}&lang=en", ("xss-attr",)),
    }


PAGE_NAMES = [
    "account",
    "request list",
    "request page",
    "notifications",
    "new request, ?service=",
    "account, ?added=",
    "suggestions, ?q=",
    "staff queue",
    "staff queue, ?q=",
    "staff request page",
    "staff request, canned",
    "staff dashboard",
    "staff notifications",
    "canned list",
    "canned edit",
    "admin staff",
    "admin teams",
    "chat conversation",
    "chat, ?c=",
    "library",
    "library, ?q=",
    "document",
    "document, ?hl=",
    "login, ?next=",
    "login, ?next= html",
    "lang switch",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_stored_and_reflected_payloads_render_inert(world, stored, attack, page: str) -> None:  # type: ignore[no-untyped-def]
    client, path, markers = _pages(world, stored, attack)[page]

    response = client.get(path)

    assert response.status_code in (200, 404, 422), (page, response.status_code)
    assert_inert(response.text, page)
    assert shown_as_text(response.text, *markers), f"{page}: the payload is not shown as text"


def test_htmx_fragments_render_payloads_inert(world, stored, attack) -> None:  # type: ignore[no-untyped-def]
    headers = {"HX-Request": "true"}
    answer = world.fresh().post(
        "/chat", data={"question": "Cell therapy quality control payload test"}, headers=headers
    )
    queue = world.staff.client.get(f"/staff/queue?q={attack.IMG}", headers=headers)

    for response in (answer, queue):
        assert response.status_code == 200
        assert_inert(response.text, response.url.path)
    assert shown_as_text(answer.text, "xss-script")  # the cited payload document's title


def test_a_chat_answer_quoting_a_payload_document_is_inert(world) -> None:  # type: ignore[no-untyped-def]
    client = world.fresh()
    asked = client.post("/chat", data={"question": "Cell therapy quality control payload test"})

    assert asked.status_code == 200
    assert_inert(asked.text, "chat answer")
    assert shown_as_text(asked.text, "xss-script", "xss-img")


def test_forms_sent_back_with_errors_keep_payloads_inert(world, attack) -> None:  # type: ignore[no-untyped-def]
    visitor = world.fresh()
    token = world.token_of(visitor.get("/register").text)
    invalid = visitor.post(
        "/register",
        data={
            "company_name": attack.ATTR,
            "credit_code": attack.IMG[:40],
            "contact_name": attack.SCRIPT,
            "phone": attack.SVG,
            "email": attack.IMG,
            "password": "x",
            "csrf_token": token,
        },
    )
    company = world.a
    again = company.client.post(
        "/requests",
        data={
            "csrf_token": company.csrf,
            "idempotency_key": "xss-again",
            "service_code": "general_consultation",
            "title": "",
            "description": attack.PAYLOAD,
            "topic": attack.ATTR,
        },
    )

    for response in (invalid, again):
        assert response.status_code == 422
        assert_inert(response.text, response.url.path)
        assert shown_as_text(response.text, "xss-attr")


def test_the_csv_export_neutralises_spreadsheet_formulas(world, stored) -> None:  # type: ignore[no-untyped-def]
    csv = world.staff.client.get("/staff/queue.csv").text

    assert "'=HYPERLINK(" in csv and ",=HYPERLINK(" not in csv


def test_the_json_api_returns_payloads_as_json_data(world, stored, attack) -> None:  # type: ignore[no-untyped-def]
    company = world.sign_in("xss@example.cn").client
    detail = company.get(f"/api/v1/requests/{stored.number}")
    document = world.fresh().get("/api/v1/documents/xss-payload-doc")
    chat = world.fresh().post("/api/v1/chat", json={"question": "Cell therapy " + attack.PAYLOAD})

    for response in (detail, document, chat):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert detail.json()["title"] == attack.PAYLOAD
    assert attack.SCRIPT in document.json()["title"]
    assert document.json()["issuer"].startswith("Issuer " + attack.IMG)
