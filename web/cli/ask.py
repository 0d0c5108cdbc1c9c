"""`cgt-portal ask`: one question to the assistant from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from web.cli.common import SettingsFactory, console


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add `ask` to the app."""

    @app.command()
    def ask(
        question: Annotated[str, typer.Argument(help="the question, in Chinese or English")],
        as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON")] = False,
    ) -> None:
        """Ask the assistant one question from the command line."""
        from web.core.components import build
        from web.schemas import ChatRequest, ChatResponse

        components = build(load_settings())
        try:
            ChatRequest(question=question)
        except ValueError as error:
            console.print(f"[red]Invalid question:[/] {error}")
            raise typer.Exit(code=2) from error
        turn = components.assistant.ask(question)
        answer = turn.answer
        if as_json:
            typer.echo(ChatResponse.of_turn(turn).model_dump_json(indent=2))
            return
        console.print(answer.answer)
        for c in answer.citations:
            console.print(
                f"  [{c.n}] {c.title} ({c.status}) {c.section or ''} {c.url}", highlight=False
            )
