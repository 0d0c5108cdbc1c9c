"""`cgt-portal users`: accounts of the center's staff and admins."""

from __future__ import annotations

from typing import Annotated

import typer

from web.cli.common import SettingsFactory, console


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add the `users` group to the app."""
    group = typer.Typer(help="Accounts of the center's staff and admins.", no_args_is_help=True)
    app.add_typer(group, name="users")

    @group.command("create")
    def create_user(
        role: Annotated[str, typer.Option(help="staff or admin")],
        email: Annotated[str, typer.Option(help="sign-in email address")],
        password: Annotated[
            str,
            typer.Option(
                help="at least 10 characters; asked for, unseen and twice, when not given",
                # Typed at the prompt, it stays out of the shell history and the process list.
                prompt=True,
                hide_input=True,
                confirmation_prompt=True,
            ),
        ],
        name: Annotated[str, typer.Option(help="the person's name")],
        team: Annotated[str | None, typer.Option(help="team code (must exist)")] = None,
    ) -> None:
        """Create a staff or admin account (company accounts register in the portal)."""
        from portal import accounts
        from portal.errors import ValidationFailed
        from web.db.engine import build_sessions  # only the database: no model is loaded

        if role not in ("staff", "admin"):
            console.print(f"[red]Not created:[/] the role must be staff or admin, not {role!r}")
            raise typer.Exit(code=2)
        with build_sessions(load_settings())() as session:
            try:
                user = accounts.create_user(
                    session=session,
                    email=email,
                    password=password,
                    name=name,
                    role=role,
                    team_code=team,
                )
            except ValidationFailed as error:
                console.print("[red]Not created:[/]")
                for field, message in error.errors.items():
                    console.print(f"  {field}: {message}", highlight=False)
                raise typer.Exit(code=2) from error
        console.print(f"Created {user.role} {user.email} (id {user.id}).", highlight=False)
