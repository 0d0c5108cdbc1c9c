"""`cgt-portal ingest`: index documents, with a progress line, resumable after Ctrl-C."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from web.cli.common import SettingsFactory, console


class _IngestRate:
    """Counts what an ingest finished, for its progress line (documents, passages, rate)."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self.progress, self.task = progress, task
        self.documents = self.passages = 0
        self.started = time.monotonic()

    def document_done(self, _document_id: str, passages: int) -> None:
        self.documents += 1
        self.passages += passages
        rate = self.passages / max(time.monotonic() - self.started, 1e-6)
        detail = f"{self.passages:,} passages, {rate:,.0f}/s"
        self.progress.update(self.task, advance=1, detail=detail)


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add `ingest` to the app."""

    @app.command()
    def ingest(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help="files or folders to add; none: the bundled knowledge base"),
        ] = None,
    ) -> None:
        """Index documents: only new and changed ones are embedded again.

        Progress shows documents, passages, passages per second and the time left. Finished
        documents are committed as they go: an interrupted ingest (Ctrl-C) keeps them, and running
        the same command again continues with the rest.
        """
        from knowledge.loaders import LoaderError, bundled_sources, expand_paths, load_path
        from web.core.components import build
        from web.db.migrate import cross_process_lock

        components = build(load_settings())
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console) as progress:
            try:
                files = expand_paths(paths) if paths else bundled_sources()
                reading = progress.add_task("Reading", total=len(files), detail="documents")
                documents = []
                for path in files:
                    documents.append(load_path(path))
                    progress.advance(reading)
            except LoaderError as error:
                console.print(f"[red]Not ingested:[/] {error}")
                raise typer.Exit(code=2) from error
            rate = _IngestRate(
                progress, progress.add_task("Indexing", total=len(documents), detail="")
            )
            try:
                # The same lock as the app's start-up ingest: a server starting meanwhile waits.
                with cross_process_lock(components.engine, "ingest"):
                    report = components.indexer.ingest(
                        documents,
                        origin="local" if paths else "bundled",
                        prune=not paths,
                        progress=rate.document_done,
                    )
                    swept = components.indexer.sweep()
            except KeyboardInterrupt:
                progress.stop()
                console.print(
                    f"[yellow]Interrupted[/] after {rate.documents} documents ({rate.passages} "
                    "passages), which are kept: run the same command again to continue."
                )
                raise typer.Exit(code=130) from None
            progress.update(rate.task, completed=len(documents))
        console.print(
            f"{len(report.added)} added, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.removed)} removed; "
            f"{report.chunks_embedded} passages embedded."
        )
        if swept:
            console.print(
                f"{len(swept)} stale vectors of passages no longer in the library removed."
            )
