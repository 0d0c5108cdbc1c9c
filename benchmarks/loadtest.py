"""Bounded load test of the running portal on loopback: nothing lost, nothing duplicated, no 5xx.

Run: `make loadtest` (50 users for 60 s) or
`.venv/bin/python -m benchmarks.loadtest --users N --duration SECONDS`.

Starts a fresh server itself (uvicorn in a subprocess, free loopback port, temporary data
folder, its own secret key) over a copy of an indexed knowledge base (`--kb-cache`, built once
with `cgt-portal ingest` and rebuilt when the bundled sources change), registers one company
per virtual user (each signs in once and keeps its session), then lets the users loop over a
weighted mix of chat questions (JSON API and the htmx page, zh and en, from the dev question
set), page views and service-request submissions (JSON API with an `Idempotency-Key`, some
retried with the same key, sequentially or concurrently; and the page form with a PDF
attachment) until the duration is over. In-flight requests then finish, the server stops, and
the database is counted. The last line reads
`submitted N, stored N, lost 0, duplicated 0, 5xx 0, p95 X ms`; the exit code is 1 when
anything was lost or duplicated or any response was a 5xx.

`--workers N` runs N uvicorn workers. With `CGT_PORTAL_DATABASE_URL` and
`CGT_PORTAL_CHROMA_HOST/PORT` in the environment the server uses those engines instead (give it
an empty database and a new `CGT_PORTAL_CHROMA_COLLECTION`: it indexes the bundled documents on
start, which `server_start_s` then includes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml

from benchmarks.loadtest_report import (
    count_database,
    print_summary,
    process_cpu_seconds,
    report,
    servers,
)
from benchmarks.loadtest_users import Stats, run_user, sign_up
from tests.support.live_server import LiveServer, ensure_kb_cache, fresh_data_dir

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "loadtest.json"
QUESTIONS = ROOT / "retrieval" / "evaluation" / "dev_questions"


def load_questions() -> list[str]:
    """Every question of the development set (zh and en)."""
    questions = []
    for path in sorted(QUESTIONS.glob("*.yaml")):
        questions += [item["question"] for item in yaml.safe_load(path.read_text("utf-8"))]
    return questions


async def drive(url: str, users: int, duration: float, think: float, seed: int) -> dict[str, Any]:
    """Sign the users up, run them for `duration` seconds, and return what they saw."""
    rng = random.Random(seed)
    gate = asyncio.Semaphore(4)
    signing_up = time.monotonic()
    crowd = await asyncio.gather(
        *(sign_up(url, n, random.Random(rng.random()), gate) for n in range(users))
    )
    async with httpx.AsyncClient(base_url=url, timeout=60) as anonymous:
        docs = [d["id"] for d in (await anonymous.get("/api/v1/documents")).json()]
    questions, stats = load_questions(), Stats()
    started = time.monotonic()
    await asyncio.gather(
        *(run_user(u, stats, started + duration, think, questions, docs) for u in crowd)
    )
    elapsed = time.monotonic() - started
    for user in crowd:
        await user.client.aclose()
    return {
        "stats": stats,
        "elapsed": elapsed,
        "companies": [u.company_id for u in crowd],
        "sign_up_s": round(started - signing_up, 1),
    }


@contextmanager
def fresh_server(args: argparse.Namespace) -> Iterator[LiveServer]:
    """A server over a new temporary data folder, stopped and deleted afterwards."""
    work = Path(tempfile.mkdtemp(prefix="cgt-loadtest-"))
    try:
        # The cache is an embedded pair; servers set in the environment are indexed on start.
        cache = None if args.kb_cache is None or servers() else ensure_kb_cache(args.kb_cache)
        data_dir = fresh_data_dir(work, cache)
        server = LiveServer(data_dir, log=work / "server.log", workers=args.workers)
        try:
            yield server.start()
        finally:
            server.stop()
            if args.keep_log:
                shutil.copy(server.log, args.keep_log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Run the load test; 1 when a submission was lost or duplicated or a 5xx occurred."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between actions")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--kb-cache",
        type=Path,
        default=ROOT / "var" / "loadtest-kb",
        help="indexed knowledge base to copy ('none': index on start)",
    )
    parser.add_argument("--keep-log", type=Path, default=None, help="copy the server log here")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args(argv)
    if args.kb_cache is not None and str(args.kb_cache) == "none":
        args.kb_cache = None
    from web.settings import Settings

    with fresh_server(args) as server:
        starting = time.monotonic()
        server.wait_ready()
        start_s = round(time.monotonic() - starting, 1)
        database_url = Settings(data_dir=server.data_dir).sqlalchemy_url
        run = asyncio.run(drive(server.url, args.users, args.duration, args.think, args.seed))
        server_cpu = process_cpu_seconds(server.pid)
        run["start_s"] = start_s
        server.stop()  # count what is on disk once nothing writes any more
        counts = count_database(database_url, run["companies"], run["stats"])
    results = report(run, counts, args, server_cpu)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    partial = args.output.with_suffix(".json.tmp")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    partial.replace(args.output)
    print_summary(results)
    bad = counts["lost"] or counts["duplicated"] or results["5xx"]
    return 1 if bad or counts["stored"] != counts["submitted"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
