"""The portal refuses to start in production with the default (or a weak) secret key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from web.settings import DEVELOPMENT_SECRET, Settings

STRONG = "3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a"
WEAK = [DEVELOPMENT_SECRET, "", "secret", "changeme", "a" * 64, "abcabcabcabcabcabcabcabcabcabcabc"]


@pytest.mark.parametrize("secret", WEAK)
def test_production_settings_refuse_a_default_or_weak_secret(tmp_path: Path, secret: str) -> None:
    with pytest.raises(ValidationError, match="CGT_PORTAL_SECRET_KEY"):
        Settings(environment="production", data_dir=tmp_path, secret_key=secret)


def test_production_settings_accept_a_long_random_secret(tmp_path: Path) -> None:
    settings = Settings(environment="production", data_dir=tmp_path, secret_key=STRONG)

    assert settings.secret_key == STRONG


def test_the_default_secret_is_accepted_by_the_settings_outside_production(tmp_path: Path) -> None:
    assert Settings(environment="development", data_dir=tmp_path).secret_key == DEVELOPMENT_SECRET


def test_the_environment_decides_at_start_up(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CGT_PORTAL_ENVIRONMENT", "production")
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CGT_PORTAL_SECRET_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file from the working tree

    with pytest.raises(ValidationError, match="CGT_PORTAL_SECRET_KEY"):
        Settings()


def test_the_app_factory_refuses_settings_that_skipped_validation(tmp_path: Path) -> None:
    from web.app import create_app

    unchecked = Settings.model_construct(
        environment="production", data_dir=tmp_path, secret_key=DEVELOPMENT_SECRET
    )

    with pytest.raises(RuntimeError, match="secret key"):
        create_app(unchecked)
    assert not (tmp_path / "portal.db").exists()  # refused before anything was built


def test_the_asgi_entry_point_refuses_to_build_the_app(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from web import asgi

    monkeypatch.setenv("CGT_PORTAL_ENVIRONMENT", "production")
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CGT_PORTAL_SECRET_KEY", "short")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ValidationError, match="CGT_PORTAL_SECRET_KEY"):
        asgi.create()
    assert not (tmp_path / "portal.db").exists()


def test_cgt_portal_serve_refuses_before_listening(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from web.cli import app as cli

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append((a, k)))
    monkeypatch.chdir(tmp_path)
    environment = {"CGT_PORTAL_ENVIRONMENT": "production", "CGT_PORTAL_DATA_DIR": str(tmp_path)}

    refused = CliRunner().invoke(cli, ["serve", "--port", "1"], env=environment)
    accepted = CliRunner().invoke(
        cli, ["serve", "--port", "1"], env={**environment, "CGT_PORTAL_SECRET_KEY": STRONG}
    )

    assert refused.exit_code != 0
    assert "CGT_PORTAL_SECRET_KEY" in f"{refused.output}{refused.exception}"
    assert accepted.exit_code == 0, accepted.output
    assert len(started) == 1  # only the run with a strong key reached uvicorn
