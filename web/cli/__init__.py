"""The `cgt-portal` command: serve, ingest, ask, eval, users, holidays, backup, restore.

Each command or group of commands lives in the module named for it and is added to `app` here.
Every command reads its settings through `_settings`, so `Settings` is built when a command
runs, from the environment, and one name (`web.cli.Settings`) decides it for all of them.
"""

from __future__ import annotations

import os

import typer

from web.cli import ask, backup, evaluation, holidays, ingest, serve, users
from web.settings import Settings

app = typer.Typer(help="GBA CGT Public Service Center portal.", no_args_is_help=True)


def _settings() -> Settings:
    """The settings of the command being run."""
    return Settings()


# In the order `cgt-portal --help` lists them (commands first, then groups).
serve.register(app, load_settings=_settings)
ingest.register(app, load_settings=_settings)
ask.register(app, load_settings=_settings)
evaluation.register(app, load_settings=_settings)
backup.register(app, load_settings=_settings)
users.register(app, load_settings=_settings)
holidays.register(app, load_settings=_settings)


def main() -> None:  # pragma: no cover - console entry point
    """Run the CLI."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()
