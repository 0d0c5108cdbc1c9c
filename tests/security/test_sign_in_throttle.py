"""Wrong passwords slow the guesser, never lock the owner out, and tell the owner (finding 4)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from portal import accounts, texts
from portal.models import OutboxMessage


def _attacker(world, address: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(world.app, client=(address, 40000))


def _login(client: TestClient, email: str, password: str) -> int:
    return client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}
    ).status_code


def test_failures_from_elsewhere_do_not_lock_the_admin_out(world) -> None:  # type: ignore[no-untyped-def]
    attacker = _attacker(world, "198.51.100.66")

    guesses = [_login(attacker, world.admin.email, f"guess-{n}") for n in range(8)]

    assert guesses[:3] == [401, 401, 401] and set(guesses[3:]) == {429}  # slowed, not locked
    assert _login(world.fresh(), world.admin.email, world.PASSWORD) == 200  # usual address


def test_guessing_spread_over_many_addresses_spares_the_owners_usual_address(world) -> None:  # type: ignore[no-untyped-def]
    for n in range(12):
        _login(_attacker(world, f"203.0.113.{n + 1}"), world.staff.email, "wrong password")

    assert _login(_attacker(world, "203.0.113.200"), world.staff.email, world.PASSWORD) == 429
    assert _login(world.fresh(), world.staff.email, world.PASSWORD) == 200


def test_the_owner_is_notified_of_failed_sign_ins(world) -> None:  # type: ignore[no-untyped-def]
    owner = world.new_company("丁公司", "赵敏")
    for n in range(5):
        _login(_attacker(world, f"192.0.2.{n + 1}"), owner.email, "wrong password")

    with world.components.sessions() as session:
        user = accounts.get_user_by_email(session=session, email=owner.email)
        subjects = list(
            session.scalars(select(OutboxMessage.subject).where(OutboxMessage.user_id == user.id))
        )
    assert subjects == [texts.FAILED_SIGN_INS_SUBJECT]


def test_one_address_has_a_ceiling_whatever_the_emails(world) -> None:  # type: ignore[no-untyped-def]
    spray = _attacker(world, "198.51.100.77")

    statuses = [_login(spray, f"nobody{n}@example.cn", "wrong password") for n in range(21)]

    assert statuses[:20] == [401] * 20 and statuses[20] == 429
