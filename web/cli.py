"""The `cgt-portal` command: serve, ingest, ask, eval, users, holidays, backup, restore."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from web.settings import Settings

if TYPE_CHECKING:  # only for annotations: the CLI imports the heavy parts when a command runs
    from collections.abc import Iterable

    from knowledge.documents import SourceDocument
    from retrieval.embeddings import EmbeddingModel
    from retrieval.evaluation.run import EvaluationResult
    from retrieval.indexer import IngestReport
    from web.core.components import Components

app = typer.Typer(help="GBA CGT Public Service Center portal.", no_args_is_help=True)
console = Console()


def _components():  # type: ignore[no-untyped-def]
    from web.core.components import build

    return build(Settings())


@app.command()
def serve(
    host: Annotated[str, typer.Option(envvar="HOST", help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the portal (the bundled knowledge base is indexed on first start)."""
    import shutil

    import uvicorn

    settings = Settings()
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every worker's /metrics answers for all workers (docs/operations.md). Set before
        # prometheus_client is first imported: it picks its value store at import.
        shared = (settings.data_dir / "metrics-multiproc").resolve()
        shutil.rmtree(shared, ignore_errors=True)  # counters start again with the server
        shared.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)
    from web.core.observability import uvicorn_log_config

    console.print(
        f"Data in [bold]{settings.data_dir.resolve()}[/]; serving on http://{host}:{port}"
    )
    uvicorn.run(
        "web.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Forwarded headers are the app's business (CGT_PORTAL_TRUSTED_PROXIES): uvicorn's own
        # default believed any X-Forwarded-For sent from loopback.
        proxy_headers=False,
        log_level=settings.log_level.lower(),
        log_config=uvicorn_log_config(settings),
        access_log=False,  # web.access logs requests
    )


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
    from web.db.migrate import cross_process_lock

    components = _components()
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
        rate = _IngestRate(progress, progress.add_task("Indexing", total=len(documents), detail=""))
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
        console.print(f"{len(swept)} stale vectors of passages no longer in the library removed.")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, in Chinese or English")],
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON")] = False,
) -> None:
    """Ask the assistant one question from the command line."""
    from web.schemas import ChatRequest, ChatResponse

    components = _components()
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


@app.command("eval")
def evaluate(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="a YAML question file or folder instead of --set; a folder with a "
            "corpus.yaml is a real-text set"
        ),
    ] = None,
    question_set: Annotated[
        str, typer.Option("--set", help="bundled (our knowledge base), real (real texts) or all")
    ] = "all",
    output: Annotated[
        Path, typer.Option(help="JSON results of the bundled set; the real set's go beside it")
    ] = Path("var/eval.json"),
    failures: Annotated[int, typer.Option(help="how many failures to print per set")] = 40,
) -> None:
    """Score retrieval and answers per corpus and per kind of question."""
    from knowledge.loaders import LoaderError
    from retrieval.evaluation.real_set import CorpusMissing

    if question_set not in ("bundled", "real", "all"):
        console.print(f"[red]Unknown set {question_set!r}:[/] use bundled, real or all")
        raise typer.Exit(code=2)
    runs: list[tuple[str, Path | None, Path]] = []  # (kind of set, folder or file, JSON output)
    if file is not None:
        real = file.is_dir() and (file / "corpus.yaml").exists()
        runs.append(("real" if real else "bundled", file, output))
    else:
        if question_set in ("bundled", "all"):
            runs.append(("bundled", None, output))
        if question_set in ("real", "all"):
            runs.append(("real", None, output.with_name(f"{output.stem}-real{output.suffix}")))
    for kind, source, target in runs:
        try:
            result = _evaluate_bundled(source) if kind == "bundled" else evaluate_real_set(source)
        except CorpusMissing as error:
            console.print(f"[yellow]Real-text set not evaluated:[/] {error}", highlight=False)
            if question_set == "real" or file is not None:
                raise typer.Exit(code=2) from error
            continue
        except (LoaderError, ValueError) as error:  # a text the loader or the index refuses
            console.print(f"[red]Set {kind} not evaluated:[/] {error}", highlight=False)
            raise typer.Exit(code=2) from error
        _report(result, target, name=kind if source is None else str(source), failures=failures)


def _report(result: EvaluationResult, target: Path, *, name: str, failures: int) -> None:
    from retrieval.evaluation.report import groups_table, print_failures, summary_table

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    print_failures(console, result.failures, limit=failures)
    console.print(summary_table(result, title=f"{name}: {result.questions} questions"))
    console.print(groups_table(result, title=f"{name}: by kind of question"))
    console.print(f"Written to {target}")


def _evaluate_bundled(source: Path | None) -> EvaluationResult:
    from retrieval.evaluation.run import evaluate as run_evaluation
    from retrieval.evaluation.run import load_questions
    from web.core.components import ingest_bundled

    components = _components()
    ingest_bundled(components)
    return run_evaluation(components.assistant, load_questions(source))


def real_set_portal(
    data_dir: Path, documents: Iterable[SourceDocument], *, embeddings: EmbeddingModel | None = None
) -> tuple[Components, IngestReport]:
    """A throwaway portal (SQLite, embedded Chroma) in data_dir, with the documents ingested."""
    from web.core.components import build

    settings = Settings(
        data_dir=data_dir, database_url=None, chroma_host=None, ingest_on_start=False
    )
    components = build(settings, embeddings=embeddings)
    report = components.indexer.ingest(list(documents), origin="local", prune=False)
    components.assistant.refresh()
    return components, report


def evaluate_real_set(
    folder: Path | None = None,
    *,
    documents: list[str] | None = None,
    question_ids: list[str] | None = None,
    embeddings: EmbeddingModel | None = None,
    data_dir: Path | None = None,
) -> EvaluationResult:
    """Ingest a real-text set's files as they are into a throwaway portal and score its questions.

    documents: only these corpus paths (default: all of corpus.yaml); question_ids: only these
    questions (default: those whose expected documents were ingested, and every look-alike).
    """
    import shutil
    import tempfile
    import time

    from retrieval.evaluation import real_set as sets
    from retrieval.evaluation.run import evaluate as run_evaluation

    real_set = sets.load_real_set(folder or sets.REAL_SET)
    if documents is not None:
        real_set = replace(real_set, documents=tuple(documents))
    loaded = sets.load_documents(real_set, sets.corpus_root(real_set))
    ids = {path: document.meta.id for path, document in loaded.items()}
    questions = [
        q
        for q in real_set.questions
        if (
            q.id in question_ids
            if question_ids is not None
            else all(d in ids for d in q.expected_documents)
        )
    ]
    unknown = sorted({d for q in questions for d in q.expected_documents} - set(ids))
    if unknown:
        raise ValueError(f"questions expect documents that are not ingested: {unknown}")
    workdir = Path(tempfile.mkdtemp(prefix="cgt-eval-")) if data_dir is None else data_dir
    try:
        started = time.perf_counter()
        components, report = real_set_portal(workdir, loaded.values(), embeddings=embeddings)
        ingest_seconds = round(time.perf_counter() - started, 1)
        try:
            result = run_evaluation(components.assistant, sets.with_document_ids(questions, ids))
            result.setup = {
                "documents_ingested": len(loaded),
                "passages_embedded": report.chunks_embedded,
                "ingest_seconds": ingest_seconds,
            }
            return result
        finally:
            components.engine.dispose()
    finally:
        if data_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)


users = typer.Typer(help="Accounts of the center's staff and admins.", no_args_is_help=True)
app.add_typer(users, name="users")


@users.command("create")
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
    with build_sessions(Settings())() as session:
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


calendar_cli = typer.Typer(
    help="The SLA working calendar: China's holidays and 调休 days, and local overrides.",
    no_args_is_help=True,
)
app.add_typer(calendar_cli, name="holidays")


@calendar_cli.command("import")
def import_holidays(
    file: Annotated[
        Path, typer.Argument(help="CSV lines day,name,kind (kind: holiday or workday), UTF-8")
    ],
) -> None:
    """Store every day of the file as an override of the package's calendar (all or none)."""
    from portal import working_calendar
    from portal.errors import ValidationFailed
    from web.db.engine import build_sessions

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        console.print(f"[red]Not imported:[/] {error}", highlight=False)
        raise typer.Exit(code=2) from error
    with build_sessions(Settings())() as session:
        try:
            count = working_calendar.import_overrides(session=session, text=text)
        except ValidationFailed as error:
            console.print("[red]Not imported (nothing was stored):[/]")
            for where, key in error.errors.items():
                text = working_calendar.MESSAGES.get(key, ("", key))[1]
                console.print(f"  {where}: {text}", highlight=False)
            raise typer.Exit(code=2) from error
    console.print(f"Imported {count} days from {file}.", highlight=False)


@calendar_cli.command("list")
def list_holidays(
    year: Annotated[int | None, typer.Option(help="the year to show; default: this year")] = None,
) -> None:
    """Print the year's holidays and worked weekend days, and where each comes from."""
    from datetime import date

    from portal import working_calendar
    from web.db.engine import build_sessions

    year = year or date.today().year
    with build_sessions(Settings())() as session:
        days = working_calendar.days_of(session=session, years=range(year, year + 1))
        missing = working_calendar.missing_next_year(session=session, today=date.today())
    for day in days:
        kind = "workday" if day.working else "holiday"
        console.print(f"{day.day.isoformat()}  {kind:8} {day.source:9} {day.name}", highlight=False)
    if not working_calendar.published(year):
        console.print(
            f"[yellow]{year}: the State Council's schedule is not in the installed holidays "
            "package; only statutory days and overrides count.[/]"
        )
    if missing is not None:
        console.print(f"[yellow]Warning:[/] no calendar for {missing} yet: import its days.")


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="the archive to write, e.g. backups/portal.tar.gz")],
) -> None:
    """Write the database, the attachments and the index into one verified archive."""
    from web.db.backup import BackupError
    from web.db.backup import backup as run_backup

    try:
        outcome = run_backup(Settings(), path, report=lambda line: console.print(f"  {line}"))
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
    from web.db.backup import BackupError
    from web.db.backup import restore as run_restore

    try:
        outcome = run_restore(
            Settings(), path, force=force, report=lambda line: console.print(f"  {line}")
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


def main() -> None:  # pragma: no cover - console entry point
    """Run the CLI."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    app()
