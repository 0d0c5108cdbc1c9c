"""`cgt-portal eval`: score retrieval and answers on the bundled and the real-text sets.

`evaluate_real_set` and `real_set_portal` are also used from Python (tests, docs/evaluation.md).
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from web.cli.common import SettingsFactory, console
from web.settings import Settings

if TYPE_CHECKING:  # only for annotations: the CLI imports the heavy parts when a command runs
    from collections.abc import Iterable

    from knowledge.documents import SourceDocument
    from retrieval.embeddings import EmbeddingModel
    from retrieval.evaluation.run import EvaluationResult
    from retrieval.indexer import IngestReport
    from web.core.components import Components


def register(app: typer.Typer, *, load_settings: SettingsFactory) -> None:
    """Add `eval` to the app."""

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
            str,
            typer.Option("--set", help="bundled (our knowledge base), real (real texts) or all"),
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
                result = (
                    _evaluate_bundled(source, load_settings())
                    if kind == "bundled"
                    else evaluate_real_set(source)
                )
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


def _evaluate_bundled(source: Path | None, settings: Settings) -> EvaluationResult:
    from retrieval.evaluation.run import evaluate as run_evaluation
    from retrieval.evaluation.run import load_questions
    from web.core.components import build, ingest_bundled

    components = build(settings)
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
