"""Every route refuses visitors, the wrong company, the wrong role and forged forms.

The access table (tests/security/access_table.py, with the access levels) classifies every
(method, path) of `app.routes`; a route missing from it fails `test_every_route_is_classified`,
so a new route cannot ship unclassified.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.security.access_table import (
    ROUTES,
    STATE_CHANGING,
    TABLE,
    app_routes,
    call,
    fill,
    is_api,
    rightful,
)

# --- the tests ------------------------------------------------------------------------------


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


def _is_login_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 303 and response.headers["location"].startswith("/login?next=")


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
    response = call(world.fresh(), method, fill(path, world.ids))

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

    response = call(world.a.client, method, fill(path, world.ids), csrf=world.a.csrf)

    assert response.status_code == 403, response.text[:300]


@pytest.mark.parametrize("key", ADMIN_ONLY, ids=_ids(ADMIN_ONLY))
def test_staff_are_refused_admin_routes(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key

    response = call(world.staff.client, method, fill(path, world.ids), csrf=world.staff.csrf)

    assert response.status_code == 403, response.text[:300]


@pytest.mark.parametrize("key", OWNED, ids=_ids(OWNED))
def test_another_company_gets_404_for_owned_objects(world, key) -> None:  # type: ignore[no-untyped-def]
    _served(world, key)
    method, path = key

    response = call(world.b.client, method, fill(path, world.ids), csrf=world.b.csrf)

    assert response.status_code == 404, response.text[:300]
    assert "A 的机密请求" not in response.text and "plan.pdf" not in response.text


@pytest.mark.parametrize("key", READS, ids=_ids(READS))
def test_the_rightful_user_is_let_in(world, key) -> None:  # type: ignore[no-untyped-def]
    """The control: each refusal above is about who asks, not a route that always fails."""
    _served(world, key)
    rule = TABLE[key]
    client = world.fresh() if rule.access == "public" else rightful(world, rule).client

    response = call(client, "GET", fill(key[1], world.ids))

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
    browser = rightful(world, TABLE[key])
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
