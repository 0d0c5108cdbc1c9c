"""The access table: every (method, path) of the app, who may call it, which objects it owns.

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

`tests/security/test_access.py` checks the app against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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


ROUTES = sorted(TABLE)


def call(client: TestClient, method: str, path: str, csrf: str | None = None):  # type: ignore[no-untyped-def]
    """Call a route: GET plainly, the API with a JSON body, pages with a form."""
    if method == "GET":
        return client.get(path, follow_redirects=False)
    if is_api(path):
        return client.request(method, path, json={}, follow_redirects=False)
    data = {"csrf_token": csrf} if csrf else {"x": "1"}
    return client.request(method, path, data=data, follow_redirects=False)


def rightful(world, rule: Rule):  # type: ignore[no-untyped-def]
    """The user a route is meant for: company A's user, staff or an admin."""
    return {
        "public": world.a,
        "login_form": world.a,
        "user": world.a,
        "company": world.a,
        "staff": world.staff,
        "admin": world.admin,
    }[rule.access]
