"""What every `cgt-portal` command shares: the console it prints to and how it gets settings."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from web.settings import Settings

console = Console()

# Builds the settings when a command runs (`web.cli` reads them from the environment).
SettingsFactory = Callable[[], Settings]
