"""The administration pages through the app: staff accounts, teams and the service catalog."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from portal import accounts, admin
from portal.models import Service, Team
from tests.support.forms import PASSWORD, csrf_token, unique_email
from tests.support.session import post_form, sign_in
from tests.support.users import create_staff
from web.core.components import Components

_teams = itertools.count(1)


# --- access --------------------------------------------------------------------------------

PAGES = ("/admin", "/admin/staff", "/admin/teams", "/admin/services")
FORMS = (
    "/admin/staff",
    "/admin/staff/1",
    "/admin/staff/1/active",
    "/admin/teams",
    "/admin/teams/testing",
    "/admin/services/training",
)


@pytest.mark.parametrize("who", ["staff", "company"])
def test_staff_and_company_users_get_403_on_every_admin_url(
    who: str, request: pytest.FixtureRequest
) -> None:
    browser: TestClient = request.getfixturevalue(who)
    token = csrf_token(browser.get("/account").text)
    for url in PAGES:
        assert browser.get(url, follow_redirects=False).status_code == 403, url
    for url in FORMS:
        data = {
            "csrf_token": token,
            "role": "admin",
            "active": "0",
            "name_zh": "x",
            "name_en": "x",
            "code": "hacked",
            "email": "x@gba-cgt.cn",
            "name": "x",
            "password": PASSWORD,
        }
        assert browser.post(url, data=data, follow_redirects=False).status_code == 403, url


def test_visitors_are_sent_to_sign_in(fresh_client: TestClient) -> None:
    response = fresh_client.get("/admin/staff", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_only_admins_see_the_admin_link(boss: TestClient, staff: TestClient) -> None:
    assert 'href="/admin/staff"' in boss.get("/staff/queue").text
    assert 'href="/admin/staff"' not in staff.get("/staff/queue").text
    assert boss.get("/admin", follow_redirects=False).headers["location"] == "/admin/staff"


def test_admin_forms_require_the_csrf_token(boss: TestClient, components: Components) -> None:
    data = {"code": "csrf_team", "name_zh": "团队", "name_en": "Team"}
    assert boss.post("/admin/teams", data=data, follow_redirects=False).status_code == 403
    bad = {**data, "csrf_token": "0" * 64}
    assert boss.post("/admin/teams", data=bad, follow_redirects=False).status_code == 403
    with components.sessions() as session:
        assert session.get(Team, "csrf_team") is None


# --- staff ---------------------------------------------------------------------------------


def test_admin_creates_a_staff_member_who_can_sign_in(boss: TestClient, client: TestClient) -> None:
    email = unique_email("admincase-new", "gba-cgt.cn")
    data = {
        "email": email,
        "name": "新同事",
        "password": PASSWORD,
        "role": "staff",
        "team_code": "testing",
    }
    response = post_form(boss, "/admin/staff", "/admin/staff", **data)
    assert response.status_code == 303 and response.headers["location"] == "/admin/staff"
    assert email in boss.get("/admin/staff").text
    newcomer = sign_in(client, email)
    assert newcomer.get("/staff/queue").status_code == 200
    newcomer.close()


def test_staff_form_shows_errors_and_keeps_typed_values(boss: TestClient) -> None:
    data = {
        "email": "not-an-email",
        "name": "打字的名字",
        "password": "short",
        "role": "admin",
        "team_code": "regulatory",
    }
    response = post_form(boss, "/admin/staff", "/admin/staff", **data)
    assert response.status_code == 422
    page = response.text
    assert 'id="e-new-email" class="form-error field-error" >' in page
    assert 'id="e-new-password" class="form-error field-error" >' in page
    assert 'value="not-an-email"' in page and 'value="打字的名字"' in page
    assert 'value="short"' not in page  # passwords are never echoed
    assert '<option value="regulatory" selected>' in page
    assert '<option value="admin" selected>' in page


def test_admin_changes_role_and_team(boss: TestClient, components: Components) -> None:
    user_id, _ = create_staff(components, name="staff 用户")
    data = {"role": "admin", "team_code": "facilities"}
    response = post_form(boss, "/admin/staff", f"/admin/staff/{user_id}", **data)
    assert response.status_code == 303
    with components.sessions() as session:
        user = accounts.get_user(session=session, user_id=user_id)
        assert (user.role, user.team_code) == ("admin", "facilities")
    bad = post_form(boss, "/admin/staff", f"/admin/staff/{user_id}", role="company")
    assert bad.status_code == 422
    assert f'id="e-user-{user_id}-role" class="form-error field-error" >' in bad.text


def test_a_deactivated_staff_members_session_stops_working(
    boss: TestClient, client: TestClient, components: Components
) -> None:
    user_id, email = create_staff(components, name="staff 用户")
    victim = sign_in(client, email)
    assert victim.get("/staff/queue").status_code == 200
    response = post_form(boss, "/admin/staff", f"/admin/staff/{user_id}/active", active="0")
    assert response.status_code == 303
    after = victim.get("/staff/queue", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    page = boss.get("/admin/staff").text
    assert f'<tr id="user-{user_id}" class="inactive">' in page
    response = post_form(boss, "/admin/staff", f"/admin/staff/{user_id}/active", active="1")
    assert response.status_code == 303
    victim.close()
    again = sign_in(client, email)
    assert again.get("/staff/queue").status_code == 200
    again.close()


# --- teams ---------------------------------------------------------------------------------


def test_admin_creates_and_renames_a_team(boss: TestClient, components: Components) -> None:
    code = f"team_{next(_teams)}_{id(object()) % 10000}"
    data = {"code": code, "name_zh": "细胞治疗团队", "name_en": "Cell therapy"}
    assert post_form(boss, "/admin/teams", "/admin/teams", **data).status_code == 303
    assert "细胞治疗团队" in boss.get("/admin/teams").text
    rename = {"name_zh": "细胞与基因治疗团队", "name_en": "Cell and gene therapy"}
    assert post_form(boss, "/admin/teams", f"/admin/teams/{code}", **rename).status_code == 303
    with components.sessions() as session:
        team = session.get(Team, code)
        assert team is not None and team.name_en == "Cell and gene therapy"
    # the new team is offered on the staff and service pages
    assert f'<option value="{code}"' in boss.get("/admin/staff").text
    assert f'<option value="{code}"' in boss.get("/admin/services").text


def test_team_forms_show_errors_and_keep_typed_values(boss: TestClient) -> None:
    data = {"code": "Not Valid", "name_zh": "保留的名字", "name_en": ""}
    response = post_form(boss, "/admin/teams", "/admin/teams", **data)
    assert response.status_code == 422
    assert 'id="e-new-code" class="form-error field-error" >' in response.text
    assert 'id="e-new-name_en" class="form-error field-error" >' in response.text
    assert 'value="Not Valid"' in response.text and 'value="保留的名字"' in response.text
    rename = {"name_zh": "", "name_en": "Kept"}
    response = post_form(boss, "/admin/teams", "/admin/teams/testing", **rename)
    assert response.status_code == 422
    assert 'id="e-team-testing-name_zh" class="form-error field-error" >' in response.text
    assert 'value="Kept"' in response.text


# --- services ------------------------------------------------------------------------------


def test_admin_hides_reroutes_and_times_a_service(
    boss: TestClient, company: TestClient, components: Components
) -> None:
    code = "ip_tech_transfer"
    with components.sessions() as session:
        original = session.get(Service, code)
        assert original is not None
        saved = (original.active, original.team_code, original.turnaround_days)
    try:
        data = {"team_code": "regulatory", "turnaround_days": "7", "position": "40"}
        response = post_form(boss, "/admin/services", f"/admin/services/{code}", **data)
        assert response.status_code == 303
        with components.sessions() as session:
            service = session.get(Service, code)
            assert service is not None
            assert (service.active, service.team_code, service.turnaround_days) == (
                False,
                "regulatory",
                7,
            )
        assert f'<tr id="service-{code}" class="inactive">' in boss.get("/admin/services").text
        assert company.get(f"/requests/new?service={code}").status_code == 404
        data = {"active": "1", "team_code": "general", "turnaround_days": "15"}
        response = post_form(boss, "/admin/services", f"/admin/services/{code}", **data)
        assert response.status_code == 303
        assert company.get(f"/requests/new?service={code}").status_code == 200
    finally:
        with components.sessions() as session:
            actor = accounts.list_staff(session=session)
            boss_user = next(u for u in actor if u.role == "admin")
            admin.update_service(
                session=session,
                actor=boss_user,
                service_code=code,
                active=saved[0],
                team_code=saved[1],
                turnaround_days=saved[2],
            )


def test_service_form_shows_errors_and_keeps_typed_values(boss: TestClient) -> None:
    data = {"active": "1", "team_code": "testing", "turnaround_days": "lots", "position": "-3"}
    response = post_form(boss, "/admin/services", "/admin/services/training", **data)
    assert response.status_code == 422
    page = response.text
    assert 'id="e-service-training-turnaround_days" class="form-error field-error" >' in page
    assert 'value="lots"' in page
    data = {"active": "1", "team_code": "nope", "turnaround_days": "400"}
    response = post_form(boss, "/admin/services", "/admin/services/training", **data)
    assert response.status_code == 422
    assert 'id="e-service-training-team_code" class="form-error field-error" >' in response.text
    assert 'id="e-service-training-turnaround_days" class="form-error field-error" >' in (
        response.text
    )
    assert 'value="400"' in response.text
