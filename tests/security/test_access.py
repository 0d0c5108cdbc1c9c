"""Every route refuses visitors, the wrong company, the wrong role and forged forms.

The access table below classifies every (method, path) of `app.routes`; a route missing
from it fails `test_every_route_is_classified`, so a new route cannot ship unclassified.
Access levels:

- public: anyone, signed in or not;
- login_form: public, but a state-changing form that needs the CSRF token even before
  sign-in (login CSRF);
- user: any signed-in user;
- company: a signed-in user, on objects of their own company (the `owned` path parameters);
  another company gets 404, exactly as for a missing object;
- staff: the center's staff and admins (companies get 403);
- admin: admins only (companies and staff get 403).

Visitors get 401 from the JSON API and a 303 to /login from pages. Every state-changing
route with a session cookie refuses a form without the CSRF token or with a wrong one (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

Access = Literal["public", "login_form", "user", "company", "staff", "admin"]
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rule:
    """Who may call a route, and which of its path parameters name company-owned objects."""

    access: Access
    owned: tuple[str, ...] = ()


REQ = ("tracking_number",)

# fmt: off
TABLE: dict[tuple[str, str], Rule] = {
    # FastAPI's own documentation pages and static files
    ("GET", "/openapi.json"): Rule("public"),
    ("GET", "/static"): Rule("public"),
    # the API reference (ReDoc) and its files; /docs leads to /redoc
    ("GET", "/redoc"): Rule("public"),
    ("GET", "/docs"): Rule("public"),
    ("GET", "/api-reference-assets"): Rule("public"),
    # operations
    ("GET", "/healthz"): Rule("public"),
    ("GET", "/readyz"): Rule("public"),
    ("GET", "/metrics"): Rule("public"),  # keep it off the public proxy (docs/security.md)
    # assistant and documents
    ("GET", "/"): Rule("public"),
    ("GET", "/chat"): Rule("public"),
    ("POST", "/chat"): Rule("public"),
    ("POST", "/api/v1/chat"): Rule("public"),
    ("GET", "/documents"): Rule("public"),
    ("GET", "/documents/{document_id}"): Rule("public"),
    ("GET", "/api/v1/documents"): Rule("public"),
    ("GET", "/api/v1/documents/{document_id}"): Rule("public"),
    ("GET", "/api/v1/services"): Rule("public"),
    ("GET", "/services"): Rule("public"),  # the catalog and service guides
    ("GET", "/services/{service_code}"): Rule("public"),
    ("POST", "/api/v1/answers/{answer_id}/feedback"): Rule("public"),
    ("POST", "/chat/answers/{answer_id}/feedback"): Rule("public"),
    ("POST", "/chat/answers/{answer_id}/attach"): Rule("user"),  # the form names the request
    # accounts
    ("GET", "/login"): Rule("public"),
    ("POST", "/login"): Rule("login_form"),
    ("GET", "/register"): Rule("public"),
    ("POST", "/register"): Rule("login_form"),
    ("GET", "/register/sent"): Rule("public"),
    ("GET", "/register/confirm"): Rule("public"),
    ("POST", "/register/confirm"): Rule("login_form"),
    ("POST", "/logout"): Rule("public"),
    ("POST", "/logout-everywhere"): Rule("user"),
    ("GET", "/account"): Rule("user"),
    ("POST", "/account/members"): Rule("user"),  # the owner invites; members get 403
    ("POST", "/account/members/{member_id}/remove"): Rule("company", ("member_id",)),
    ("POST", "/account/members/{member_id}/owner"): Rule("company", ("member_id",)),
    ("POST", "/account/password"): Rule("user"),
    ("GET", "/password/forgot"): Rule("public"),
    ("POST", "/password/forgot"): Rule("login_form"),
    ("GET", "/password/reset"): Rule("public"),
    ("POST", "/password/reset"): Rule("login_form"),
    ("GET", "/invitation"): Rule("public"),
    ("POST", "/invitation"): Rule("login_form"),
    ("GET", "/staff/password-reset"): Rule("staff"),
    ("POST", "/staff/password-reset"): Rule("staff"),
    # a user's past conversations
    ("GET", "/history"): Rule("user"),
    ("GET", "/history/{conversation_id}"): Rule("user", ("conversation_id",)),
    ("GET", "/history/{conversation_id}/export.md"): Rule("user", ("conversation_id",)),
    ("POST", "/api/v1/auth/register"): Rule("public"),
    ("POST", "/api/v1/auth/login"): Rule("public"),
    ("POST", "/api/v1/auth/logout"): Rule("public"),
    ("GET", "/api/v1/auth/me"): Rule("user"),
    ("GET", "/notifications"): Rule("user"),
    ("POST", "/notifications/read"): Rule("user"),
    # a company's requests
    ("GET", "/requests"): Rule("company"),
    ("GET", "/requests/new"): Rule("company"),
    ("POST", "/requests"): Rule("company"),
    ("GET", "/requests/suggestions"): Rule("company"),
    ("POST", "/requests/suggestions"): Rule("company"),
    ("POST", "/requests/suggestions/{deflection_id}/feedback"): Rule("company", ("deflection_id",)),
    ("GET", "/requests/{tracking_number}"): Rule("company", REQ),
    ("POST", "/requests/{tracking_number}/messages"): Rule("company", REQ),
    ("POST", "/requests/{tracking_number}/withdraw"): Rule("company", REQ),
    ("POST", "/requests/{tracking_number}/rating"): Rule("company", REQ),
    ("GET", "/requests/{tracking_number}/attachments/{attachment_id}"):
        Rule("company", ("tracking_number", "attachment_id")),
    ("POST", "/api/v1/requests"): Rule("company"),
    ("POST", "/api/v1/requests/with-files"): Rule("company"),
    ("GET", "/api/v1/requests"): Rule("company"),
    ("GET", "/api/v1/requests/{tracking_number}"): Rule("company", REQ),
    ("POST", "/api/v1/requests/{tracking_number}/messages"): Rule("company", REQ),
    ("PATCH", "/api/v1/requests/{tracking_number}"): Rule("staff", REQ),
    # the staff console
    ("GET", "/staff/queue"): Rule("staff"),
    ("GET", "/staff/queue.csv"): Rule("staff"),
    ("GET", "/staff/queue.xlsx"): Rule("staff"),
    ("GET", "/staff/dashboard.xlsx"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/reply/suggest"): Rule("staff"),
    ("GET", "/staff/requests/{tracking_number}"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/triage/accept"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/triage/override"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/claim"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/assign"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/priority"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/status"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/messages"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/materials"): Rule("staff"),
    ("POST", "/staff/requests/{tracking_number}/merge"): Rule("staff"),
    ("POST", "/staff/queue/bulk"): Rule("staff"),
    ("POST", "/staff/views"): Rule("staff"),
    ("POST", "/staff/views/{view_id}/delete"): Rule("staff"),
    ("GET", "/staff/dashboard"): Rule("staff"),
    ("GET", "/staff/canned"): Rule("staff"),
    ("POST", "/staff/canned"): Rule("staff"),
    ("GET", "/staff/canned/{reply_id}/edit"): Rule("staff"),
    ("POST", "/staff/canned/{reply_id}"): Rule("staff"),
    ("POST", "/staff/canned/{reply_id}/delete"): Rule("staff"),
    # the knowledge base, feedback, unanswered questions and curated answers (staff)
    ("POST", "/api/v1/documents"): Rule("staff"),
    ("POST", "/api/v1/documents/{document_id}/versions"): Rule("staff"),
    ("PATCH", "/api/v1/documents/{document_id}"): Rule("staff"),
    ("POST", "/api/v1/documents/{document_id}/supersede"): Rule("staff"),
    ("DELETE", "/api/v1/documents/{document_id}"): Rule("staff"),
    ("GET", "/staff/knowledge"): Rule("staff"),
    ("POST", "/staff/knowledge"): Rule("staff"),
    ("GET", "/staff/knowledge/new"): Rule("staff"),
    ("POST", "/staff/knowledge/new/prefill"): Rule("staff"),
    ("GET", "/staff/knowledge/{document_id}"): Rule("staff"),
    ("GET", "/staff/knowledge/{document_id}/status"): Rule("staff"),
    ("GET", "/staff/knowledge/{document_id}/versions/{version}"): Rule("staff"),
    ("GET", "/staff/knowledge/{document_id}/impact"): Rule("staff"),
    ("POST", "/staff/knowledge/{document_id}/impact/notify"): Rule("staff"),
    ("POST", "/staff/knowledge/{document_id}/metadata"): Rule("staff"),
    ("POST", "/staff/knowledge/{document_id}/replace"): Rule("staff"),
    ("POST", "/staff/knowledge/{document_id}/supersede"): Rule("staff"),
    ("POST", "/staff/knowledge/{document_id}/withdraw"): Rule("staff"),
    ("GET", "/staff/feedback"): Rule("staff"),
    ("GET", "/staff/feedback/{feedback_id}/answer"): Rule("staff"),
    ("POST", "/staff/feedback/{feedback_id}/handled"): Rule("staff"),
    ("GET", "/staff/unanswered"): Rule("staff"),
    ("POST", "/staff/unanswered/{group_id}/dismiss"): Rule("staff"),
    ("POST", "/staff/unanswered/{group_id}/reopen"): Rule("staff"),
    ("GET", "/staff/curated"): Rule("staff"),
    ("POST", "/staff/curated"): Rule("staff"),
    ("GET", "/staff/curated/new"): Rule("staff"),
    ("GET", "/staff/curated/passages"): Rule("staff"),
    ("GET", "/staff/curated/{curated_id}/edit"): Rule("staff"),
    ("POST", "/staff/curated/{curated_id}"): Rule("staff"),
    ("POST", "/staff/curated/{curated_id}/activate"): Rule("staff"),
    ("POST", "/staff/curated/{curated_id}/deactivate"): Rule("staff"),
    # administration
    ("GET", "/admin"): Rule("admin"),
    ("GET", "/admin/staff"): Rule("admin"),
    ("POST", "/admin/staff"): Rule("admin"),
    ("POST", "/admin/staff/{user_id}"): Rule("admin"),
    ("POST", "/admin/staff/{user_id}/active"): Rule("admin"),
    ("GET", "/admin/teams"): Rule("admin"),
    ("POST", "/admin/teams"): Rule("admin"),
    ("POST", "/admin/teams/{code}"): Rule("admin"),
    ("GET", "/admin/services"): Rule("admin"),
    ("POST", "/admin/services/{service_code}"): Rule("admin"),
    ("GET", "/admin/holidays"): Rule("admin"),
    ("POST", "/admin/holidays"): Rule("admin"),
    ("POST", "/admin/holidays/import"): Rule("admin"),
    ("POST", "/admin/holidays/{day}/delete"): Rule("admin"),
}
# fmt: on


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves (HEAD is GET's twin and not listed)."""
    found: list[tuple[str, str]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            found.append(("GET", route.path))
            continue
        for method in sorted(context.methods or ()):
            if method != "HEAD":
                found.append((method, str(context.path)))
    return found


def fill(path: str, ids: dict[str, str]) -> str:
    """The path with its parameters replaced by the fixture objects' ids."""
    if path == "/static":
        return "/static/app.js"
    if path == "/api-reference-assets":
        return "/api-reference-assets/redoc.standalone.js"
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no fixture value for a parameter of {path}"
    return path


def is_api(path: str) -> bool:
    """Whether the path belongs to the JSON API (401, not a redirect, for visitors)."""
    return path.startswith("/api/")


# --- the tests ------------------------------------------------------------------------------

ROUTES = sorted(TABLE)


def _ids(keys: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {path}" for method, path in keys]


STAFF_ONLY = [k for k in ROUTES if TABLE[k].access in ("staff", "admin")]
ADMIN_ONLY = [k for k in ROUTES if TABLE[k].access == "admin"]
OWNED = [k for k in ROUTES if TABLE[k].owned]
READS = [k for k in ROUTES if k[0] == "GET"]
# Objects the fixture does not create: the rightful user reaches the route and gets 404.
NO_FIXTURE_OBJECT = {
    "/staff/curated/{curated_id}/edit",
    "/register/confirm",
    "/staff/feedback/{feedback_id}/answer",
    "/staff/feedback/{feedback_id}/handled",
    "/password/reset",
    "/invitation",
}
CSRF_MESSAGES = ("CSRF", "页面已过期或来源不明", "did not come from this site")


def _served(world, key: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    if key not in set(app_routes(world.app)):
        pytest.skip(f"{key} is in the table but not served (see test_every_route_is_classified)")


def _call(client: TestClient, method: str, path: str, csrf: str | None = None):  # type: ignore[no-untyped-def]
    """Call a route: GET plainly, the API with a JSON body, pages with a form."""
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if is_api(path):
        return client.request(method, path, json={}, follow_redirects=False)
    data = {"csrf_token": csrf} if csrf else {"x": "1"}
    return client.request(method, path, data=data, follow_redirects=False)


def _is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def _rightful(world, rule: Rule):  # type: ignore[no-untyped-def]
    return {
        "public": world.a,
        "login_form": world.a,
        "user": world.a,
        "company": world.a,
        "staff": world.staff,
        "admin": world.admin,
    }[rule.access]


def test_every_route_is_classified(world) -> None:  # type: ignore[no-untyped-def]
    served = set(app_routes(world.app))
    missing = sorted(served - set(TABLE))
    stale = sorted(set(TABLE) - served)

    assert not missing, f"classify these routes in tests/security/test_access.py: {missing}"
    assert not stale, f"these classified routes are no longer served: {stale}"


@pytest.mark.parametrize("key", ROUTES, ids=_ids(ROUTES))
def test_visitors_are_refused_everything_but_public_routes(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key
    rule = TABLE[key]
    response = _call(world.fresh(), method, fill(path, world.ids))

    if rule.access == "public":
        assert response.status_code < 500
        assert response.status_code not in (401, 403) and not _is_login_redirect(response)
    elif rule.access == "login_form":  # no token: refused even before sign-in
        assert response.status_code == 403
    elif is_api(path):
        assert response.status_code == 401, response.text[:300]
        assert response.headers["content-type"].startswith("application/json")
    else:
        assert _is_login_redirect(response), (response.status_code, response.headers)


@pytest.mark.parametrize("key", STAFF_ONLY, ids=_ids(STAFF_ONLY))
def test_companies_are_refused_staff_and_admin_routes(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key

    response = _call(world.a.client, method, fill(path, world.ids), csrf=world.a.csrf)

    assert response.status_code == 403, response.text[:300]


@pytest.mark.parametrize("key", ADMIN_ONLY, ids=_ids(ADMIN_ONLY))
def test_staff_are_refused_admin_routes(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key

    response = _call(world.staff.client, method, fill(path, world.ids), csrf=world.staff.csrf)

    assert response.status_code == 403, response.text[:300]


@pytest.mark.parametrize("key", OWNED, ids=_ids(OWNED))
def test_another_company_gets_404_for_owned_objects(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key

    response = _call(world.b.client, method, fill(path, world.ids), csrf=world.b.csrf)

    assert response.status_code == 404, response.text[:300]
    assert "A 的机密请求" not in response.text and "plan.pdf" not in response.text


@pytest.mark.parametrize("key", READS, ids=_ids(READS))
def test_the_rightful_user_is_let_in(world, key) -> None:  # type: ignore[no-untyped-def]
    """The control: each refusal above is about who asks, not a route that always fails."""
    _served(world, key)
    rule = TABLE[key]
    client = world.fresh() if rule.access == "public" else _rightful(world, rule).client

    response = _call(client, "GET", fill(key[1], world.ids))

    if key[1] in NO_FIXTURE_OBJECT:  # the route is reached: it looked for the object
        assert response.status_code in (200, 404), (response.status_code, response.text[:300])
    else:
        assert response.status_code < 400, (response.status_code, response.text[:300])
    assert not _is_login_redirect(response)


# --- CSRF -----------------------------------------------------------------------------------

CHANGING = [k for k in ROUTES if k[0] in STATE_CHANGING]


def _refused_as_csrf(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 403 and any(m in response.text for m in CSRF_MESSAGES)


@pytest.mark.parametrize("key", CHANGING, ids=_ids(CHANGING))
def test_forms_with_a_session_cookie_need_the_right_csrf_token(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key
    browser = _rightful(world, TABLE[key])
    other = world.b if browser is not world.b else world.a
    url = fill(path, world.ids)

    missing = browser.client.request(method, url, data={"x": "1"}, follow_redirects=False)
    wrong = browser.client.request(
        method, url, data={"csrf_token": "0" * 64}, follow_redirects=False
    )
    foreign = browser.client.request(
        method, url, data={"csrf_token": other.csrf}, follow_redirects=False
    )
    header = browser.client.request(
        method, url, data={"x": "1"}, headers={"X-CSRF-Token": "f" * 64}, follow_redirects=False
    )
    plain = browser.client.request(
        method, url, content=b"{}", headers={"Content-Type": "text/plain"}, follow_redirects=False
    )

    for response in (missing, wrong, foreign, header, plain):
        assert _refused_as_csrf(response), (response.status_code, response.text[:300])


def test_the_csrf_token_of_a_visitor_stops_working_at_sign_in(world) -> None:  # type: ignore[no-untyped-def]
    browser = world.fresh()
    before = world.token_of(browser.get("/login").text)
    email = world.new_company().email
    signed_in = browser.post(
        "/login",
        data={"email": email, "password": world.PASSWORD, "csrf_token": before},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    form = {"name": "王芳", "email": "late@example.cn", "password": "correct horse battery"}

    stale = browser.post("/account/members", data={**form, "csrf_token": before})

    assert _refused_as_csrf(stale)
    assert "late@example.cn" not in browser.get("/account").text


# --- session fixation and sign-out ----------------------------------------------------------


def _me(client: TestClient) -> str | None:
    response = client.get("/api/v1/auth/me")
    return response.json()["email"] if response.status_code == 200 else None


@pytest.mark.parametrize("planted", ["attacker", "forged"])
def test_a_session_cookie_planted_before_sign_in_is_replaced(world, planted: str) -> None:  # type: ignore[no-untyped-def]
    attacker = world.new_company("攻击者公司")
    victim_email = world.new_company("受害者公司").email
    value = attacker.client.cookies.get("cgt_session") if planted == "attacker" else "fixed-id"
    victim = world.fresh()
    victim.cookies.set("cgt_session", value)
    token = world.token_of(victim.get("/login").text)

    response = victim.post(
        "/login",
        data={"email": victim_email, "password": world.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )

    issued = response.cookies.get("cgt_session")
    assert issued and issued != value
    assert _me(victim) == victim_email
    replay = world.fresh()
    replay.cookies.set("cgt_session", value)
    assert _me(replay) == (attacker.email if planted == "attacker" else None)


def test_sign_out_ends_the_session_for_good(world) -> None:  # type: ignore[no-untyped-def]
    browser = world.new_company("退出测试公司")
    old = browser.client.cookies.get("cgt_session")

    out = browser.client.post("/logout", data={"csrf_token": browser.csrf}, follow_redirects=False)

    assert out.status_code == 303
    assert browser.client.cookies.get("cgt_session") is None
    assert _me(browser.client) is None
    replay = world.fresh()
    replay.cookies.set("cgt_session", old)
    assert _me(replay) is None  # a copied cookie is dead too, not only the browser's copy


def test_sign_out_everywhere_ends_every_copy_of_every_session(world) -> None:  # type: ignore[no-untyped-def]
    email = world.new_company("全部退出公司").email
    laptop, phone = world.sign_in(email), world.sign_in(email)
    copied = phone.client.cookies.get("cgt_session")

    out = laptop.client.post(
        "/logout-everywhere", data={"csrf_token": laptop.csrf}, follow_redirects=False
    )

    assert out.status_code == 303
    replay = world.fresh()
    replay.cookies.set("cgt_session", copied)
    assert _me(phone.client) is None and _me(replay) is None
