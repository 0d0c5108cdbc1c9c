"""`cgt-portal holidays`: the SLA working calendar (import and list overrides)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from web.cli.common import SettingsFactory, console


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add the `holidays` group to the app."""
    group = typer.Typer(
        help="The SLA working calendar: China's holidays and 调休 days, and local overrides.",
        no_args_is_help=True,
    )
    app.add_typer(group, name="holidays")

    @group.command("import")
    def import_holidays(
        file: Annotated[
            Path, typer.Argument(help="CSV lines day,name,kind (kind: holiday or workday), UTF-8")
        ],
    ) -> None:
        """Store every day of the file as an override of the package's calendar (all or none)."""
        from portal import texts, working_calendar
        from portal.errors import ValidationFailed
        from web.db.engine import build_sessions

        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            console.print(f"[red]Not imported:[/] {error}", highlight=False)
            raise typer.Exit(code=2) from error
        with build_sessions(load_settings())() as session:
            try:
                count = working_calendar.import_overrides(session=session, text=text)
            except ValidationFailed as error:
                console.print("[red]Not imported (nothing was stored):[/]")
                for where, key in error.errors.items():
                    text = texts.CALENDAR_ERRORS.get(key, ("", key))[1]
                    console.print(f"  {where}: {text}", highlight=False)
                raise typer.Exit(code=2) from error
        console.print(f"Imported {count} days from {file}.", highlight=False)

    @group.command("list")
    def list_holidays(
        year: Annotated[
            int | None, typer.Option(help="the year to show; default: this year")
        ] = None,
    ) -> None:
        """Print the year's holidays and worked weekend days, and where each comes from."""
        from datetime import date

        from portal import working_calendar
        from web.db.engine import build_sessions

        year = year or date.today().year
        with build_sessions(load_settings())() as session:
            days = working_calendar.days_of(session=session, years=range(year, year + 1))
            missing = working_calendar.missing_next_year(session=session, today=date.today())
        for day in days:
            kind = "workday" if day.working else "holiday"
            console.print(
                f"{day.day.isoformat()}  {kind:8} {day.source:9} {day.name}", highlight=False
            )
        if not working_calendar.published(year):
            console.print(
                f"[yellow]{year}: the State Council's schedule is not in the installed holidays "
                "package; only statutory days and overrides count.[/]"
            )
        if missing is not None:
            console.print(f"[yellow]Warning:[/] no calendar for {missing} yet: import its days.")
