"""Without a configured key, the portal signs with its own key from the data folder (finding 1)."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from portal import accounts
from web.app import create_app
from web.auth import SESSION_COOKIE
from web.settings import DEVELOPMENT_SECRET, SECRET_KEY_FILE, Settings

PASSWORD = "correct horse battery staple"


def _development(data_dir: Path) -> Settings:
    return Settings(
        environment="development", data_dir=data_dir, embeddings="fake", ingest_on_start=False
    )


def _admin(app) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with app.state.components.sessions() as session:
        user = accounts.create_user(
            session=session,
            email="root@center.example",
            password=PASSWORD,
            name="管理员",
            role="admin",
        )
        return user.id, user.session_version


def test_a_cookie_signed_with_the_public_placeholder_is_not_an_admin_session(
    tmp_path: Path,
) -> None:
    app = create_app(_development(tmp_path))
    user_id, version = _admin(app)
    forged = URLSafeTimedSerializer(DEVELOPMENT_SECRET, salt="cgt-portal-session").dumps(
        {"u": user_id, "v": version, "n": "forged-nonce-forged-nonce"}
    )
    client = TestClient(app, cookies={SESSION_COOKIE: forged})

    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/admin/staff", follow_redirects=False).status_code == 303  # to /login


def test_the_generated_key_is_owner_only_and_reused_after_a_restart(tmp_path: Path) -> None:
    first = create_app(_development(tmp_path))
    _admin(first)
    signed_in = TestClient(first).post(
        "/api/v1/auth/login", json={"email": "root@center.example", "password": PASSWORD}
    )
    assert signed_in.status_code == 200
    key_file = tmp_path / SECRET_KEY_FILE

    second = create_app(_development(tmp_path))  # a restart, or a second worker
    client = TestClient(second, cookies={SESSION_COOKIE: signed_in.cookies[SESSION_COOKIE]})

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert second.state.components.settings.secret_key == key_file.read_text().strip()
    assert client.get("/api/v1/auth/me").json()["role"] == "admin"


def test_a_configured_key_is_used_as_it_is_and_tests_keep_the_placeholder(tmp_path: Path) -> None:
    configured = Settings(
        environment="development",
        data_dir=tmp_path,
        embeddings="fake",
        ingest_on_start=False,
        secret_key="k" * 16 + "configured-key-for-this-test",
    )
    create_app(configured)
    testing = Settings(environment="test", data_dir=tmp_path / "t", embeddings="fake")

    assert configured.secret_key.endswith("configured-key-for-this-test")
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    assert create_app(testing).state.components.settings.secret_key == DEVELOPMENT_SECRET
