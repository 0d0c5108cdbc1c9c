"""Administration: only admins change teams, services and staff, and every change is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import admin, catalog, service_specs
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Event, User

PASSWORD = "correct horse battery"


@pytest.fixture
def boss(make_user: Callable[..., User]) -> User:
    """An active admin."""
    return make_user(role="admin", name="管理员")


def _events(session: Session, kind: str) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id)))


def test_admin_creates_a_team_and_the_change_is_audited(session: Session, boss: User) -> None:
    team = admin.create_team(
        session=session, actor=boss, code="cell_lines", name_zh=" 细胞系团队 ", name_en="Cell lines"
    )
    assert (team.code, team.name_zh) == ("cell_lines", "细胞系团队")
    assert "cell_lines" in [t.code for t in admin.list_teams(session=session, actor=boss)]
    [event] = _events(session, "admin.team_created")
    assert event.request_id is None and event.actor_id == boss.id
    assert event.after == {"code": "cell_lines", "name_zh": "细胞系团队", "name_en": "Cell lines"}


@pytest.mark.parametrize(
    ("code", "name_zh", "name_en", "errors"),
    [
        ("Bad Code", "团队", "Team", {"code": "invalid_team_code"}),
        ("testing", "团队", "Team", {"code": "team_exists"}),
        ("new_team", "", "x" * 101, {"name_zh": "required", "name_en": "too_long"}),
    ],
)
def test_creating_a_team_checks_code_and_names(
    session: Session, boss: User, code: str, name_zh: str, name_en: str, errors: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        admin.create_team(session=session, actor=boss, code=code, name_zh=name_zh, name_en=name_en)
    assert failure.value.errors == errors
    assert _events(session, "admin.team_created") == []


def test_admin_renames_a_team_with_before_and_after(session: Session, boss: User) -> None:
    admin.rename_team(
        session=session, actor=boss, code="testing", name_zh="检测团队", name_en="Testing"
    )
    [event] = _events(session, "admin.team_renamed")
    assert event.before["name_zh"] == service_specs.TEAMS["testing"][0]
    assert event.after == {"code": "testing", "name_zh": "检测团队", "name_en": "Testing"}
    with pytest.raises(NotFound):
        admin.rename_team(session=session, actor=boss, code="nope", name_zh="a", name_en="b")
    with pytest.raises(ValidationFailed):
        admin.rename_team(session=session, actor=boss, code="testing", name_zh=" ", name_en="b")


def test_admin_updates_a_service(session: Session, boss: User) -> None:
    admin.update_service(
        session=session,
        actor=boss,
        service_code="training",
        active=False,
        team_code="general",
        turnaround_days=3,
        position=99,
    )
    service = session.get(catalog.Service, "training")
    assert service is not None
    assert (service.active, service.team_code, service.turnaround_days, service.position) == (
        False,
        "general",
        3,
        99,
    )
    assert "training" not in [s.code for s in catalog.list_services(session=session)]
    assert "training" in [s.code for s in admin.list_services(session=session, actor=boss)]
    [event] = _events(session, "admin.service_updated")
    assert event.before["active"] is True and event.before["team_code"] == "training_policy"
    assert event.after["active"] is False and event.after["turnaround_days"] == 3
    # Only the keywords given change; nothing changed means no event.
    admin.update_service(session=session, actor=boss, service_code="training", active=True)
    assert (service.active, service.team_code) == (True, "general")
    admin.update_service(session=session, actor=boss, service_code="training", active=True)
    assert len(_events(session, "admin.service_updated")) == 2


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"team_code": "nope"}, {"team_code": "unknown_team"}),
        ({"turnaround_days": 0}, {"turnaround_days": "out_of_range_days"}),
        ({"turnaround_days": 366}, {"turnaround_days": "out_of_range_days"}),
        ({"position": -1}, {"position": "out_of_range_position"}),
    ],
)
def test_updating_a_service_checks_its_values(
    session: Session, boss: User, changes: dict[str, Any], errors: dict[str, str]
) -> None:
    with pytest.raises(ValidationFailed) as failure:
        admin.update_service(session=session, actor=boss, service_code="training", **changes)
    assert failure.value.errors == errors
    with pytest.raises(NotFound):
        admin.update_service(session=session, actor=boss, service_code="nope", active=False)


def test_admin_creates_staff_and_admins_but_not_company_users(session: Session, boss: User) -> None:
    user = admin.create_staff(
        session=session,
        actor=boss,
        email="Li.Na@gba-cgt.cn",
        password=PASSWORD,
        name="李娜",
        team_code="testing",
    )
    assert (user.email, user.role, user.team_code, user.active) == (
        "li.na@gba-cgt.cn",
        "staff",
        "testing",
        True,
    )
    other = admin.create_staff(
        session=session,
        actor=boss,
        email="chief@gba-cgt.cn",
        password=PASSWORD,
        name="主任",
        role="admin",
    )
    assert other.role == "admin"
    assert [e.after["id"] for e in _events(session, "admin.user_created")] == [user.id, other.id]
    with pytest.raises(ValidationFailed) as failure:
        admin.create_staff(
            session=session,
            actor=boss,
            email="c@example.cn",
            password=PASSWORD,
            name="企业",
            role="company",
        )
    assert failure.value.errors == {"role": "invalid_role"}
    with pytest.raises(ValidationFailed) as failure:
        admin.create_staff(
            session=session,
            actor=boss,
            email="li.na@gba-cgt.cn",
            password="short",
            name="",
            team_code="nope",
        )
    assert set(failure.value.errors) == {"email", "password", "name", "team_code"}


def test_admin_changes_role_and_team(
    session: Session, boss: User, make_user: Callable[..., User]
) -> None:
    member = make_user(role="staff", team_code="testing")
    admin.update_staff(session=session, actor=boss, user_id=member.id, role="admin", team_code=None)
    assert (member.role, member.team_code) == ("admin", None)
    [event] = _events(session, "admin.user_updated")
    assert event.before["role"] == "staff" and event.after["role"] == "admin"
    assert event.before["team_code"] == "testing" and event.after["team_code"] is None
    for changes, field in (({"role": "company"}, "role"), ({"team_code": "nope"}, "team_code")):
        with pytest.raises(ValidationFailed) as failure:
            admin.update_staff(session=session, actor=boss, user_id=member.id, **changes)
        assert set(failure.value.errors) == {field}


def test_an_admin_cannot_demote_or_deactivate_themselves(session: Session, boss: User) -> None:
    with pytest.raises(ValidationFailed):
        admin.update_staff(session=session, actor=boss, user_id=boss.id, role="staff")
    with pytest.raises(ValidationFailed):
        admin.set_staff_active(session=session, actor=boss, user_id=boss.id, active=False)
    assert boss.role == "admin" and boss.active


def test_company_users_are_not_staff_members(
    session: Session, boss: User, make_user: Callable[..., User], make_company: Callable[..., Any]
) -> None:
    customer = make_user(role="company", company=make_company())
    with pytest.raises(NotFound):
        admin.update_staff(session=session, actor=boss, user_id=customer.id, team_code="testing")
    with pytest.raises(NotFound):
        admin.set_staff_active(session=session, actor=boss, user_id=customer.id, active=False)
    assert customer.id not in [u.id for u in admin.list_staff(session=session, actor=boss)]


def test_deactivating_ends_sessions_and_reactivating_restores_the_account(
    session: Session, boss: User, make_user: Callable[..., User]
) -> None:
    member = make_user(role="staff")
    version = member.session_version
    admin.set_staff_active(session=session, actor=boss, user_id=member.id, active=False)
    assert not member.active and member.session_version == version + 1
    assert member.id in [u.id for u in admin.list_staff(session=session, actor=boss)]
    admin.set_staff_active(session=session, actor=boss, user_id=member.id, active=False)
    admin.set_staff_active(session=session, actor=boss, user_id=member.id, active=True)
    assert member.active
    [off] = _events(session, "admin.user_deactivated")
    [on] = _events(session, "admin.user_reactivated")
    assert off.before["active"] is True and off.after["active"] is False
    assert on.after["active"] is True and on.request_id is None


def _every_call(session: Session, target: User) -> list[Callable[[User], object]]:
    return [
        lambda a: admin.list_teams(session=session, actor=a),
        lambda a: admin.create_team(
            session=session, actor=a, code="x_team", name_zh="x", name_en="x"
        ),
        lambda a: admin.rename_team(
            session=session, actor=a, code="testing", name_zh="x", name_en="x"
        ),
        lambda a: admin.list_services(session=session, actor=a),
        lambda a: admin.update_service(
            session=session, actor=a, service_code="training", active=False
        ),
        lambda a: admin.list_staff(session=session, actor=a),
        lambda a: admin.create_staff(
            session=session, actor=a, email="x@gba-cgt.cn", password=PASSWORD, name="x"
        ),
        lambda a: admin.update_staff(session=session, actor=a, user_id=target.id, role="admin"),
        lambda a: admin.set_staff_active(session=session, actor=a, user_id=target.id, active=False),
    ]


def test_staff_company_users_and_disabled_admins_may_not_administer(
    session: Session, make_user: Callable[..., User], make_company: Callable[..., Any]
) -> None:
    target = make_user(role="staff")
    disabled_admin = make_user(role="admin")
    disabled_admin.active = False
    outsiders = [
        make_user(role="staff"),
        make_user(role="company", company=make_company()),
        disabled_admin,
    ]
    for outsider in outsiders:
        for call in _every_call(session, target):
            with pytest.raises(PermissionDenied):
                call(outsider)
    assert target.active and target.role == "staff"
    assert not list(session.scalars(select(Event).where(Event.kind.like("admin.%"))))


def test_a_restart_keeps_what_admins_set(session, make_user) -> None:
    """sync_catalog runs at every start: it adds what is missing and overwrites nothing."""
    from knowledge.loaders import bundled_sources, load_path
    from portal import admin, catalog
    from portal.models import Service, Team

    documents = [d.meta for d in map(load_path, bundled_sources()) if d.meta.category == "service"]

    class Doc:
        def __init__(self, meta):  # the registry row's shape, enough for sync_catalog
            self.id, self.title, self.language = meta.id, meta.title, meta.language
            self.category, self.extra = meta.category, meta.extra

    catalog.sync_catalog(session=session, documents=[Doc(m) for m in documents])
    boss = make_user(role="admin")
    admin.rename_team(session=session, actor=boss, code="testing", name_zh="检测组", name_en="Lab")
    admin.update_service(
        session=session, actor=boss, service_code="training", turnaround_days=42, position=99
    )
    catalog.sync_catalog(session=session, documents=[Doc(m) for m in documents])
    assert session.get(Team, "testing").name_en == "Lab"
    service = session.get(Service, "training")
    assert (service.turnaround_days, service.position) == (42, 99)
