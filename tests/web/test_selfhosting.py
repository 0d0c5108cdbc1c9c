"""Self-hosting: the first admin created without the password on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from portal import accounts
from portal.passwords import verify_password
from web.cli import app as cli
from web.db.engine import build_sessions
from web.settings import Settings

PASSWORD = "correct horse battery"


def test_users_create_asks_for_the_password_unseen_and_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path))
    arguments = ["users", "create", "--role", "admin", "--email", "root@center.cn", "--name", "R"]

    # A mistyped confirmation asks again; then the same password twice creates the account.
    result = CliRunner().invoke(cli, arguments, input=f"{PASSWORD}\ntypo\n{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert "Created admin root@center.cn" in result.output
    assert PASSWORD not in result.output  # hidden input: never echoed
    with build_sessions(Settings(data_dir=tmp_path))() as session:
        user = accounts.get_user_by_email(session=session, email="root@center.cn")
        assert user is not None
        assert verify_password(PASSWORD, user.password_hash)


def test_users_create_without_a_terminal_or_password_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CGT_PORTAL_DATA_DIR", str(tmp_path))
    arguments = ["users", "create", "--role", "staff", "--email", "s@center.cn", "--name", "S"]

    result = CliRunner().invoke(cli, arguments, input="")

    assert result.exit_code != 0
    with build_sessions(Settings(data_dir=tmp_path))() as session:
        assert accounts.get_user_by_email(session=session, email="s@center.cn") is None
