"""Run the scale benchmark at one size: ingest, serve, ask, change, measure; write the results.

Run: `.venv/bin/python -m benchmarks.scale --size quick|10k|30k|full [--label before]`.
Writes benchmarks/results/scale-<size>[-<label>].json and redraws benchmarks/results/scale.svg
from every scale result there. Exits 1 when a target of issue 11 is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import (
    RESULTS_DIR,
    Target,
    _machine_busy_seconds,
    contention_warning,
    environment,
    finish,
    summary_ms,
)
from benchmarks.scale import client, corpus, measure
from benchmarks.scale.chart import scale_panels, svg
from benchmarks.scale.product import Portal, disk_usage, process_cpu_seconds
from benchmarks.scale.servers import Servers

STAFF_EMAIL = "scale-benchmark@example.com"
CHANGE_TIMEOUT = 600.0  # seconds a change may take to become answerable before we give up
RAW_SAMPLE = 2000  # stored passages embedded for the raw throughput
RECALL_QUERIES = 200


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=corpus.ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class Contention:
    """Other processes' share of the CPUs while a phase ran (ours: this process and `pids`)."""

    def __init__(self) -> None:
        self.busy = _machine_busy_seconds()
        self.wall = time.perf_counter()
        self.own = self._own_cpu()

    @staticmethod
    def _own_cpu(pid: int | None = None) -> float:
        times = os.times()
        own = times.user + times.system + times.children_user + times.children_system
        return own + (process_cpu_seconds(pid) if pid else 0.0)

    def share(self, server_cpu: float = 0.0) -> float | None:
        """The fraction of all CPUs that processes other than ours kept busy since start."""
        busy = _machine_busy_seconds()
        wall = time.perf_counter() - self.wall
        if busy is None or self.busy is None or wall <= 0:
            return None
        other = busy - self.busy - (self._own_cpu() - self.own) - server_cpu
        return round(min(max(other / (wall * (os.cpu_count() or 1)), 0.0), 1.0), 3)


def change_answerable(
    portal: Portal, http: httpx.Client, folder: Path, laws: Path, password: str
) -> dict[str, Any]:
    """Add the two held-out texts while the server runs; how soon each is answerable."""
    outcome: dict[str, Any] = {}
    # Staff's path: upload through the API, the server's own indexing job.
    change = corpus.CHANGE_BY_API
    _, body = client.ask(http, change.question)
    csrf = client.sign_in(http, STAFF_EMAIL, password)
    started = time.perf_counter()
    document_id = client.upload(http, csrf, laws / change.path, change)
    status = client.wait_indexed(http, document_id, CHANGE_TIMEOUT)
    job = time.perf_counter() - started
    visible = client.wait_answerable(http, change, document_id=document_id, timeout=CHANGE_TIMEOUT)
    outcome["api_upload"] = {
        "document": change.path,
        "cited_before_the_change": client.cites(body, change, document_id),
        "index_status": status,
        "upload_to_job_ready_seconds": round(job, 2),
        "after_job_ready_seconds": visible["seconds"],
        "questions_asked": visible["questions_asked"],
    }
    # Another process writes the same data dir (as a second worker or an operator would).
    change = corpus.CHANGE_BY_CLI
    _, body = client.ask(http, change.question)
    staged = corpus.stage(laws, [corpus.CorpusFile(change.path, 0)], folder)
    ingest = portal.ingest(staged / change.path)
    visible = client.wait_answerable(http, change, document_id=None, timeout=CHANGE_TIMEOUT)
    outcome["cli_ingest"] = {
        "document": change.path,
        "cited_before_the_change": client.cites(body, change),
        "ingest_seconds": ingest["seconds"],
        "after_ingest_finished_seconds": visible["seconds"],
        "questions_asked": visible["questions_asked"],
    }
    return outcome


def serve_and_ask(
    portal: Portal, work: Path, laws: Path, n_questions: int, servers: Servers | None = None
) -> dict[str, Any]:
    """Serve the library; memory idle, after the questions and after two changes; latencies.
    With servers, their own memory is read at the same moments as the worker's."""

    def memory() -> dict[str, float]:
        return portal.memory() | (servers.memory() if servers else {})

    password = secrets.token_urlsafe(16)
    portal.run(
        "users",
        "create",
        "--role",
        "staff",
        "--email",
        STAFF_EMAIL,
        "--name",
        "Scale benchmark",
        "--password",
        password,
    )
    ready = portal.serve()
    time.sleep(2.0)  # let start-up threads settle before the idle reading
    readings = {"idle": memory()}
    questions = corpus.questions()
    measured, warm = questions[:n_questions], questions[n_questions : n_questions + 3]
    with httpx.Client(base_url=portal.url, timeout=CHANGE_TIMEOUT) as http:
        http_ms = summary_ms(client.http_floor(http))
        for question in warm:  # first answers pay for lazy start-up work
            client.ask(http, question.text)
        meter, server_cpu = Contention(), process_cpu_seconds(portal.pid)
        answers = client.answer_many(http, measured)
        share = meter.share(process_cpu_seconds(portal.pid) - server_cpu)
        readings["after_questions"] = memory()
        change = change_answerable(portal, http, work / "change", laws, password)
        readings["end"] = memory()
    portal.stop()
    return {
        "ready_seconds": ready,
        "memory_mb": readings,
        "http_ms": http_ms,
        "answer_seconds": answers.pop("seconds"),
        "answers": answers,
        "questions_other_share": share,
        "change": change,
    }


def model_and_index(data_dir: Path, n_questions: int, servers: Servers | None) -> dict[str, Any]:
    """With the worker stopped: the embedding floor, raw throughput and HNSW recall."""
    model = measure.embedding_model()
    questions = corpus.questions()
    floor = measure.query_floor(model, [q.text for q in questions[:n_questions]])
    collection = (
        measure.open_collection(client=servers.client())
        if servers
        else measure.open_collection(data_dir / "chroma")
    )
    ids, matrix, texts = measure.stored_vectors(collection)
    raw = measure.raw_throughput(model, measure.sample(texts, RAW_SAMPLE))
    bundled = corpus.questions(corpus.REAL_SET.parent / "dev_questions")
    recall_questions = [q.text for q in (questions + bundled)][:RECALL_QUERIES]
    recall = measure.hnsw_recall(collection, ids, matrix, model.embed_array(recall_questions))
    return {
        "model": environment(model),
        "floor": floor,
        "raw": raw,
        "recall": recall,
        "collection": {"name": collection.name, "count": len(ids)},
    }


def targets_of(results: dict[str, Any], size: str, label: str) -> list[Target]:
    """Issue 11's targets, as far as one run at one size can check them."""
    inf = float("inf")
    change = results["change_answerable"]
    api = change["api_upload"]["after_job_ready_seconds"]
    cli = change["cli_ingest"]["after_ingest_finished_seconds"]
    found = [
        Target(
            "worker peak resident memory (VmHWM, MB)",
            results["memory_mb"]["end"]["VmHWM"],
            600.0,
            higher_is_better=False,
        ),
        Target(
            "answer p95 over HTTP (ms)", results["answer_ms"]["p95"], 300.0, higher_is_better=False
        ),
        Target(
            "uploaded document answerable after its job finished (s)",
            inf if api is None else api,
            5.0,
            higher_is_better=False,
        ),
        Target(
            "document ingested by another process answerable after (s)",
            inf if cli is None else cli,
            5.0,
            higher_is_better=False,
        ),
        Target(
            "ingest / raw embedding throughput (passages/s)",
            results["ingest"]["passages_per_second_of_raw"],
            0.8,
            higher_is_better=True,
        ),
    ]
    if results["passages"] <= 12_000:  # the issue sets the floor ratio at ~10k passages
        found.append(
            Target(
                "answer p50 / query-embedding floor p50",
                results["answer_to_floor_p50"],
                3.0,
                higher_is_better=False,
            )
        )
    small = RESULTS_DIR / f"scale-10k{'-' + label if label else ''}.json"
    if size == "full" and small.exists():
        peak_10k = json.loads(small.read_text("utf-8"))["memory_mb"]["end"]["VmHWM"]
        growth = results["memory_mb"]["end"]["VmHWM"] - peak_10k
        found.append(
            Target(
                "peak memory growth from 10k to full (MB)", growth, 100.0, higher_is_better=False
            )
        )
    return found


def summary_lines(r: dict[str, Any]) -> list[str]:
    """The short summary printed after a run."""
    m, change = r["memory_mb"], r["change_answerable"]
    lines = [
        f"library: {r['documents']} documents, {r['passages']} passages "
        f"({r['characters'] / 1e6:.1f} M characters, selection {r['selection']['digest']})",
        f"ingest: {r['ingest']['seconds']:.0f} s, {r['ingest']['passages_per_second']} passages/s, "
        f"{r['ingest']['documents_per_second']} documents/s; raw model "
        f"{r['raw_embedding']['passages_per_second']} passages/s",
        f"start-up to ready: {r['ready_seconds']} s; memory (VmRSS MB) idle {m['idle']['VmRSS']}, "
        f"after {r['questions']} questions {m['after_questions']['VmRSS']}, after the changes "
        f"{m['end']['VmRSS']} (peak {m['end']['VmHWM']})",
        f"answer over HTTP: p50 {r['answer_ms']['p50']:.1f} ms, "
        f"p95 {r['answer_ms']['p95']:.1f} ms; "
        f"query embedding p50 {r['query_embedding_ms']['p50']:.2f} ms; /healthz p50 "
        f"{r['http_ms']['p50']:.2f} ms",
        f"change answerable: upload job {change['api_upload']['upload_to_job_ready_seconds']} s "
        f"+ {change['api_upload']['after_job_ready_seconds']} s after it; `cgt-portal ingest` "
        f"{change['cli_ingest']['ingest_seconds']} s + "
        f"{change['cli_ingest']['after_ingest_finished_seconds']} s after it",
        f"HNSW recall@10: {r['hnsw_recall']['recall_mean']} (min {r['hnsw_recall']['recall_min']}, "
        f"{r['hnsw_recall']['queries']} queries); "
        f"data dir {r['disk_bytes']['end']['total'] / 2**20:.0f} MB",
    ]
    if "chroma_server_rss" in m["end"]:
        disk = r["disk_bytes"]["end"]
        lines.append(
            f"servers: Chroma server {m['idle']['chroma_server_rss']} MB idle, "
            f"{m['end']['chroma_server_rss']} MB at the end; PostgreSQL (all processes) "
            f"{m['end']['postgresql_rss']} MB; on disk Chroma {disk['chroma'] / 2**20:.0f} MB, "
            f"PostgreSQL {disk['postgresql'] / 2**20:.0f} MB"
        )
    return lines


def redraw_chart() -> Path:
    """Write benchmarks/results/scale.svg from every scale result in the folder."""
    results = [json.loads(p.read_text("utf-8")) for p in sorted(RESULTS_DIR.glob("scale-*.json"))]
    labels = sorted({r.get("label") or "current" for r in results})
    caption = (
        f"benchmarks/scale: {', '.join(labels)} (dashed: before); one `cgt-portal serve` worker, "
        "real laws from lawrefbook-laws.tar.xz"
    )
    path = RESULTS_DIR / "scale.svg"
    path.write_text(svg(scale_panels(results), caption), "utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark at one size; the exit code is 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--size", choices=list(corpus.SIZES), default="quick")
    parser.add_argument("--label", default="", help="suffix of the results file, e.g. before")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--archive", type=Path, default=corpus.ARCHIVE)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--servers",
        action="store_true",
        help="run on throwaway PostgreSQL + Chroma servers (scripts/test-servers.sh) instead of "
        "SQLite + embedded Chroma; results get the label 'servers' unless --label says otherwise",
    )
    args = parser.parse_args(argv)
    if not args.archive.is_file():
        print(f"the corpus archive is missing: {args.archive} (see ../shared/corpus/README.md)")
        return 2
    if args.servers and not args.label:
        args.label = "servers"
    name = f"scale-{args.size}" + (f"-{args.label}" if args.label else "")
    work = Path(tempfile.mkdtemp(prefix="cgt-scale-"))
    portal = Portal(work / "data", work / "portal.log")
    servers: Servers | None = None
    started, uptime = time.time(), _uptime()
    # At the start: the code that is measured, not what was edited while it ran.
    git = {"commit": _git("rev-parse", "HEAD"), "dirty": bool(_git("status", "--porcelain"))}
    try:
        print(f"{name}: working in {work}; {uptime}")
        laws = corpus.unpack(args.archive, work / "corpus")
        files = corpus.corpus_files(laws)
        held_out = [corpus.CHANGE_BY_API.path, corpus.CHANGE_BY_CLI.path]
        selected = corpus.select(
            files,
            passages=corpus.SIZES[args.size],
            first=corpus.development_documents(),
            held_out=held_out,
        )
        library = corpus.stage(laws, selected, work / "library")
        portal.data_dir.mkdir()
        if args.servers:
            work.chmod(0o755)  # PostgreSQL runs as its own user under root: it must get in
            servers = Servers.start(work / "servers")
            portal.env |= servers.settings()
        print(f"ingesting {len(selected)} documents …", flush=True)
        meter = Contention()
        ingest = portal.ingest(library)
        ingest["other_share"] = meter.share()
        disk_after_ingest = disk_usage(portal.data_dir) | (servers.disk() if servers else {})
        print(f"ingested in {ingest['seconds']:.0f} s; serving and asking …", flush=True)
        served = serve_and_ask(portal, work, laws, args.questions, servers)
        disk_end = disk_usage(portal.data_dir) | (servers.disk() if servers else {})
        print("measuring the model and the index …", flush=True)
        offline = model_and_index(portal.data_dir, args.questions, servers)
    finally:
        portal.stop()
        if servers:
            servers.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    passages = ingest["passages_embedded"] or offline["collection"]["count"]
    raw = offline["raw"]
    ingest |= {
        "passages_per_second": round(passages / ingest["seconds"], 1),
        "documents_per_second": round(len(selected) / ingest["seconds"], 2),
    }
    ingest["passages_per_second_of_raw"] = round(
        ingest["passages_per_second"] / raw["passages_per_second"], 3
    )
    answer_ms = summary_ms(served.pop("answer_seconds"))
    floor_ms = summary_ms(offline["floor"])
    results: dict[str, Any] = {
        "benchmark": "scale",
        "size": args.size,
        "label": args.label or None,
        "engines": "postgresql + chroma server" if servers else "sqlite + embedded chroma",
        "git": git,
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "uptime_at_start": uptime,
        "uptime_at_end": _uptime(),
        "environment": offline["model"],
        "selection": {
            "digest": corpus.selection_digest(selected),
            "seed": corpus.SEED,
            "target_passages": corpus.SIZES[args.size],
            "chars_per_passage_assumed": corpus.CHARS_PER_PASSAGE,
            "held_out": held_out,
            "first_documents": [f.path for f in selected[:5]],
            "last_documents": [f.path for f in selected[-5:]],
        },
        "documents": len(selected),
        "characters": sum(f.chars for f in selected),
        "passages": passages,
        "collection": offline["collection"],
        "ingest": ingest,
        "raw_embedding": raw,
        "ready_seconds": served["ready_seconds"],
        "memory_mb": served["memory_mb"],
        "questions": args.questions,
        "answer_ms": answer_ms,
        "answers": served["answers"],
        "questions_other_share": served["questions_other_share"],
        "query_embedding_ms": floor_ms,
        "answer_to_floor_p50": round(answer_ms["p50"] / floor_ms["p50"], 2),
        "http_ms": served["http_ms"],
        "change_answerable": served["change"],
        "hnsw_recall": offline["recall"],
        "disk_bytes": {"after_ingest": disk_after_ingest, "end": disk_end},
    }
    shares = [s for s in (ingest["other_share"], served["questions_other_share"]) if s is not None]
    summary = summary_lines(results) + contention_warning(shares)
    code = finish(name, results, targets_of(results, args.size, args.label), summary)
    print(f"chart: {redraw_chart()}")
    return code
