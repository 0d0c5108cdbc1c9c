"""`cgt-portal backup` and `cgt-portal restore`: the whole portal in one archive, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from web.cli.common import SettingsFactory, console


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add `backup` and `restore` to the app."""

    @app.command()
    def backup(
        path: Annotated[
            Path, typer.Argument(help="the archive to write, e.g. backups/portal.tar.gz")
        ],
    ) -> None:
        """Write the database, the attachments and the index into one verified archive."""
        from web.db.archive import BackupError
        from web.db.backup import backup as run_backup

        try:
            outcome = run_backup(
                load_settings(), path, report=lambda line: console.print(f"  {line}")
            )
        except BackupError as error:
            console.print(f"[red]No backup:[/] {error}", highlight=False)
            raise typer.Exit(code=2) from error
        console.print(
            f"Backed up {outcome.rows} rows in {len(outcome.tables)} tables and "
            f"{outcome.attachments} attachments (schema {outcome.revision}) to {path}",
            highlight=False,
        )

    @app.command()
    def restore(
        path: Annotated[Path, typer.Argument(help="an archive written by `cgt-portal backup`")],
        force: Annotated[
            bool, typer.Option("--force", help="replace a database and files that hold data")
        ] = False,
    ) -> None:
        """Replace the database, the attachments and the index with an archive (server stopped)."""
        from web.db.archive import BackupError
        from web.db.restore import restore as run_restore

        try:
            outcome = run_restore(
                load_settings(), path, force=force, report=lambda line: console.print(f"  {line}")
            )
        except BackupError as error:
            console.print(f"[red]Not restored:[/] {error}", highlight=False)
            raise typer.Exit(code=2) from error
        for note in outcome.notes:
            console.print(f"[yellow]Note:[/] {note}", highlight=False)
        console.print(
            f"Restored {outcome.rows} rows, {outcome.attachments} attachments and "
            f"{outcome.vectors_indexed} indexed passages from {path}",
            highlight=False,
        )
