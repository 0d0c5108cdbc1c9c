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
import hashlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "loadtest.json"
QUESTIONS = ROOT / "retrieval" / "evaluation" / "dev_questions"
PASSWORD = "load-test-password-1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OK = {  # endpoint -> the status that means success
    "POST /api/v1/chat": 200,
    "POST /chat (htmx)": 200,
    "GET /chat": 200,
    "GET /documents": 200,
    "GET /documents/{id}": 200,
    "GET /requests": 200,
    "GET /requests/{tracking_number}": 200,
    "GET /requests/new": 200,
    "POST /api/v1/requests": 201,
    "POST /api/v1/requests (retry)": 201,
    "POST /requests (form + file)": 303,
    "POST /requests (form retry)": 303,
}
# Relative frequency of each action a user picks next.
MIX = {
    "chat_api": 20,
    "chat_page": 10,
    "view_chat": 5,
    "view_documents": 8,
    "view_document": 8,
    "view_my_requests": 8,
    "view_request": 6,
    "submit_api": 25,
    "submit_form": 10,
}
API_SERVICES: list[tuple[str, dict[str, Any]]] = [
    (
        "training",
        {
            "topics": ["gmp", "hgr"],
            "participants": 6,
            "delivery": "online",
            "course_language": "zh",
        },
    ),
    (
        "regulatory_filing_consultation",
        {
            "product_type": "car_t",
            "development_stage": "ind",
            "filing_type": "ind",
            "foreign_party": "no",
            "report_language": "bilingual",
        },
    ),
    (
        "policy_subsidy_consultation",
        {
            "policy_areas": ["rent", "tax"],
            "location": "nansha",
            "development_stage": "clinical",
            "foreign_party": "no",
        },
    ),
    ("general_consultation", {"topic": "site visit", "preferred_contact": "email"}),
]
FORM_FIELDS: dict[str, str | list[str]] = {
    "service_code": "release_lot_testing",
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "cell suspension",
    "sample_quantity": "3",
    "cold_chain": "2_8c",
    "tests_requested": ["sterility", "mycoplasma"],
    "report_language": "zh",
}


# --- a fresh server ---------------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The portal in its own uvicorn process over `data_dir`: start, wait for readiness, stop."""

    def __init__(
        self, data_dir: Path, *, log: Path, env: dict[str, str] | None = None, workers: int = 1
    ) -> None:
        self.data_dir = Path(data_dir)
        self.log = Path(log)
        self.secret = secrets.token_urlsafe(32)
        self.extra_env = env or {}
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def env(self) -> dict[str, str]:
        """The server's environment: its data folder and secret key, cookies without Secure."""
        return (
            os.environ
            | {
                "CGT_PORTAL_DATA_DIR": str(self.data_dir),
                "CGT_PORTAL_SECRET_KEY": self.secret,
                "CGT_PORTAL_ENVIRONMENT": "development",  # plain-HTTP loopback: no Secure cookies
                # Registered companies are used at once: no confirmation e-mail (docs/security.md).
                "CGT_PORTAL_REGISTRATION_CONFIRMATION": "false",
                "TOKENIZERS_PARALLELISM": "false",
            }
            | self.metrics_env()
            | self.extra_env
        )

    def metrics_env(self) -> dict[str, str]:
        """Several workers share one Prometheus folder (as `cgt-portal serve --workers` does)."""
        if self.workers == 1:
            return {}
        shared = self.data_dir / "metrics-multiproc"
        shared.mkdir(parents=True, exist_ok=True)
        return {"PROMETHEUS_MULTIPROC_DIR": str(shared)}

    def start(self) -> LiveServer:
        """Start uvicorn on a free loopback port (a restart keeps the data folder)."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "web.asgi:create",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None, "not started"
        return self.process.pid

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 300.0) -> None:
        """Wait for /readyz (or /healthz where there is no /readyz) to answer 200."""
        deadline = time.monotonic() + timeout
        probe = "/readyz"
        while True:
            if not self.alive():
                raise RuntimeError(f"the server exited before it was ready:\n{self.log_tail()}")
            try:
                status = httpx.get(self.url + probe, timeout=5).status_code
                if status == 404 and probe == "/readyz":
                    probe = "/healthz"
                    continue
                if status == 200:
                    return
                if status == 503 and "failed" in httpx.get(self.url + probe, timeout=5).text:
                    raise RuntimeError(f"the server failed to prepare:\n{self.log_tail()}")
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush, like a power cut of the process."""
        if self.process is not None and self.alive():
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), SIGKILL after 30 s."""
        if self.process is None:
            return
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log."""
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def sources_stamp() -> str:
    """A hash of what an indexed data folder depends on: sources, indexing code, migrations."""
    from knowledge.loaders import bundled_sources

    digest = hashlib.sha256(os.environ.get("CGT_PORTAL_EMBEDDINGS", "use").encode())
    code = [*ROOT.glob("knowledge/*.py"), *ROOT.glob("web/db/migrations/versions/*.py")]
    code += [ROOT / "retrieval" / f"{name}.py" for name in ("indexer", "embeddings", "index")]
    for path in sorted(bundled_sources()) + sorted(code):
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_kb_cache(cache: Path) -> Path:
    """An indexed data folder of the bundled knowledge base, built once per change of sources."""
    stamp = sources_stamp()
    if (cache / "STAMP").is_file() and (cache / "STAMP").read_text().strip() == stamp:
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".kb-building-", dir=cache.parent))
    # Self-contained: the folder's own SQLite and embedded Chroma, whatever servers are set.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "CGT_PORTAL_DATABASE_URL" and not k.startswith("CGT_PORTAL_CHROMA_")
    }
    env |= {"CGT_PORTAL_DATA_DIR": str(building), "CGT_PORTAL_ENVIRONMENT": "test"}
    subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "ingest"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (building / "STAMP").write_text(stamp + "\n")
    shutil.rmtree(cache, ignore_errors=True)
    building.rename(cache)  # whole or not at all: a half-built cache is never used
    return cache


def fresh_data_dir(parent: Path, cache: Path | None) -> Path:
    """A new data folder, a copy of the indexed cache when there is one (else indexed on start)."""
    data_dir = parent / "data"
    if cache is not None:
        shutil.copytree(cache, data_dir, ignore=shutil.ignore_patterns("STAMP"))
    else:
        data_dir.mkdir(parents=True)
    return data_dir


# --- accounts --------------------------------------------------------------------------------


def credit_code(rng: random.Random) -> str:
    """A valid, random unified social credit code (GB 32100-2015)."""
    from portal.uscc import CHARSET, check_character

    body = "91440101MA" + "".join(rng.choice(CHARSET) for _ in range(7))
    return body + check_character(body)


@dataclass
class Stats:
    """Latencies and outcomes per endpoint, and what the submissions got back."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    accepted: dict[tuple[int, str], str] = field(default_factory=dict)  # (company, key) -> number
    unconfirmed: set[tuple[int, str]] = field(default_factory=set)  # no answer (transport error)
    retries: int = 0
    retry_mismatches: list[dict[str, str]] = field(default_factory=list)

    def record(
        self, endpoint: str, started: float, response: httpx.Response | None, error: str = ""
    ) -> bool:
        """Count one call; whether it got the endpoint's success status."""
        self.latencies[endpoint].append(time.perf_counter() - started)
        status = f"transport error ({error})" if response is None else str(response.status_code)
        self.statuses[endpoint][status] += 1
        return response is not None and response.status_code == OK[endpoint]

    def accept(self, company: int, key: str, number: str, *, retry: bool) -> None:
        """Remember a submission's tracking number; a retry must get the same one back."""
        known = self.accepted.setdefault((company, key), number)
        if retry:
            self.retries += 1
        if known != number:
            self.retry_mismatches.append({"key": key, "first": known, "again": number})


@dataclass
class User:
    """One virtual user: a company account with its own cookie jar and session."""

    client: httpx.AsyncClient
    company_id: int
    csrf: str
    rng: random.Random
    numbers: list[str] = field(default_factory=list)
    conversation: str | None = None


async def sign_up(url: str, n: int, rng: random.Random, gate: asyncio.Semaphore) -> User:
    """Register a company; registration signs its user in, and the user keeps that session."""
    email = f"load{n}-{secrets.token_hex(4)}@example.com"
    client = httpx.AsyncClient(base_url=url, timeout=120.0, follow_redirects=False)
    async with gate:  # password hashing is memory-hard: a few at a time
        registered = await client.post(
            "/api/v1/auth/register",
            json={
                "company_name": f"Load Test Biotech {n}",
                "credit_code": credit_code(rng),
                "contact_name": f"Tester {n}",
                "phone": "13800138000",
                "email": email,
                "password": PASSWORD,
            },
        )
    registered.raise_for_status()
    body = registered.json()
    return User(client, body["user"]["company"]["id"], body["csrf_token"], rng)


# --- what a user does ------------------------------------------------------------------------


async def call(stats: Stats, endpoint: str, request: Any) -> httpx.Response | None:
    """Await one request, timing it; None when the connection failed."""
    started = time.perf_counter()
    try:
        response = await request
    except httpx.TransportError as error:
        stats.record(endpoint, started, None, type(error).__name__)
        return None
    stats.record(endpoint, started, response)
    return response


async def submit_api(user: User, stats: Stats) -> None:
    """Submit through the JSON API; sometimes again with the same key, after or at once."""
    code, fields = user.rng.choice(API_SERVICES)
    key = secrets.token_urlsafe(18)
    body = {
        "service_code": code,
        "title": f"Load test {code}",
        "fields": fields,
        "description": f"Submitted by the load test ({key}).",
    }
    headers = {"Idempotency-Key": key}

    def send(endpoint: str) -> Any:
        return call(
            stats, endpoint, user.client.post("/api/v1/requests", json=body, headers=headers)
        )

    roll = user.rng.random()
    if roll < 0.15:  # a double click: the same key twice at the same moment
        responses = await asyncio.gather(
            send("POST /api/v1/requests"), send("POST /api/v1/requests (retry)")
        )
    elif roll < 0.3:  # a retry after the answer (e.g. a client that timed out)
        first = await send("POST /api/v1/requests")
        responses = [first, await send("POST /api/v1/requests (retry)")]
    else:
        responses = [await send("POST /api/v1/requests")]
    for i, response in enumerate(responses):
        if response is not None and response.status_code == 201:
            number = response.json()["tracking_number"]
            stats.accept(user.company_id, key, number, retry=i > 0)
            if number not in user.numbers:
                user.numbers.append(number)
    if all(r is None for r in responses):
        stats.unconfirmed.add((user.company_id, key))


async def submit_form(user: User, stats: Stats) -> None:
    """Submit the page form with a PDF attachment; one in ten is sent twice (double click)."""
    key = secrets.token_urlsafe(18)
    data = dict(FORM_FIELDS) | {
        "title": "Release testing, load test",
        "description": f"Lot {key}, sterility.",
        "idempotency_key": key,
        "csrf_token": user.csrf,
    }
    times = 2 if user.rng.random() < 0.1 else 1
    for attempt in range(times):
        endpoint = "POST /requests (form retry)" if attempt else "POST /requests (form + file)"
        files = [
            ("material_sample_info", (f"sample-{key}.pdf", PDF + key.encode(), "application/pdf"))
        ]
        response = await call(
            stats, endpoint, user.client.post("/requests", data=data, files=files)
        )
        if response is None:
            stats.unconfirmed.add((user.company_id, key))
            continue
        location = response.headers.get("location", "")
        if response.status_code == 303 and location.startswith("/requests/GBA-"):
            number = location.split("/")[2].split("?")[0]
            stats.accept(user.company_id, key, number, retry=attempt > 0)
            if number not in user.numbers:
                user.numbers.append(number)


async def act(user: User, stats: Stats, action: str, questions: list[str], docs: list[str]) -> None:
    """Do one action of the mix."""
    client, rng = user.client, user.rng
    if action == "chat_api":
        body = {"question": rng.choice(questions)}
        await call(stats, "POST /api/v1/chat", client.post("/api/v1/chat", json=body))
    elif action == "chat_page":
        form = {"question": rng.choice(questions), "conversation_id": user.conversation or ""}
        headers = {"HX-Request": "true", "X-CSRF-Token": user.csrf}
        response = await call(
            stats, "POST /chat (htmx)", client.post("/chat", data=form, headers=headers)
        )
        if response is not None and "HX-Replace-Url" in response.headers:
            user.conversation = response.headers["HX-Replace-Url"].split("c=")[-1]
    elif action == "view_chat":
        await call(stats, "GET /chat", client.get("/chat"))
    elif action == "view_documents":
        await call(stats, "GET /documents", client.get("/documents"))
    elif action == "view_document":
        await call(stats, "GET /documents/{id}", client.get(f"/documents/{rng.choice(docs)}"))
    elif action == "view_my_requests":
        await call(stats, "GET /requests", client.get("/requests"))
    elif action == "view_request":
        if user.numbers:
            path = f"/requests/{rng.choice(user.numbers)}"
            await call(stats, "GET /requests/{tracking_number}", client.get(path))
        else:
            await call(stats, "GET /requests/new", client.get("/requests/new"))
    elif action == "submit_api":
        await submit_api(user, stats)
    elif action == "submit_form":
        await submit_form(user, stats)


async def run_user(
    user: User, stats: Stats, deadline: float, think: float, questions: list[str], docs: list[str]
) -> None:
    """Loop over the mix until the deadline (the last action finishes)."""
    actions, weights = list(MIX), list(MIX.values())
    while time.monotonic() < deadline:
        await act(user, stats, user.rng.choices(actions, weights)[0], questions, docs)
        await asyncio.sleep(user.rng.uniform(0, 2 * think))


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


# --- counting and reporting ------------------------------------------------------------------


def count_database(database_url: str, companies: list[int], stats: Stats) -> dict[str, Any]:
    """What the database holds for the run's companies, compared with what was accepted."""
    from sqlalchemy import create_engine, func, select
    from sqlalchemy.orm import Session

    from portal.models import Event, ServiceRequest

    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(
                    ServiceRequest.id,
                    ServiceRequest.company_id,
                    ServiceRequest.idempotency_key,
                    ServiceRequest.tracking_number,
                ).where(ServiceRequest.company_id.in_(companies))
            ).all()
            with_event = set(
                session.scalars(
                    select(Event.request_id).where(
                        Event.kind == "submitted", Event.request_id.in_([r.id for r in rows])
                    )
                )
            )
            numbers = session.scalars(select(func.count(ServiceRequest.id))).one()
    finally:
        engine.dispose()
    keys = Counter((r.company_id, r.idempotency_key) for r in rows)
    stored_numbers = {(r.company_id, r.idempotency_key): r.tracking_number for r in rows}
    lost = [k for k in stats.accepted if k not in keys]
    wrong_number = [k for k, n in stats.accepted.items() if k in keys and stored_numbers[k] != n]
    unexplained = [k for k in keys if k not in stats.accepted and k not in stats.unconfirmed]
    duplicated = sum(c - 1 for c in keys.values()) + len(stats.retry_mismatches)
    return {
        "submitted": len(stats.accepted),
        "stored": len(rows),
        "lost": len(lost),
        "duplicated": duplicated + len(unexplained) + len(wrong_number),
        "stored_without_confirmation": sum(1 for k in keys if k in stats.unconfirmed),
        "requests_without_submitted_event": sum(1 for r in rows if r.id not in with_event),
        "distinct_tracking_numbers": len({r.tracking_number for r in rows}),
        "all_requests_in_database": numbers,
        "retries_with_same_key": stats.retries,
    }


def percentiles(seconds: list[float]) -> dict[str, float]:
    """n, p50, p95, p99 and max of durations, in milliseconds."""
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    if ms.size == 0:
        return {"n": 0}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {
        "n": int(ms.size),
        "p50": round(float(p50), 1),
        "p95": round(float(p95), 1),
        "p99": round(float(p99), 1),
        "max": round(float(ms.max()), 1),
    }


def report(
    run: dict[str, Any], counts: dict[str, Any], args: argparse.Namespace, server_cpu: float | None
) -> dict[str, Any]:
    """The results: per-endpoint latency and errors, throughput, and the database's counts."""
    stats: Stats = run["stats"]
    elapsed = run["elapsed"]
    endpoints = {}
    for name in sorted(stats.latencies):
        outcomes = stats.statuses[name]
        errors = {s: n for s, n in outcomes.items() if s != str(OK[name])}
        endpoints[name] = percentiles(stats.latencies[name]) | {
            "per_second": round(len(stats.latencies[name]) / elapsed, 2),
            "errors": errors,
        }
    every = [x for values in stats.latencies.values() for x in values]
    five = sum(n for o in stats.statuses.values() for s, n in o.items() if s.startswith("5"))
    failed = sum(sum(e["errors"].values()) for e in endpoints.values())
    return {
        "benchmark": "loadtest",
        "users": args.users,
        "duration_s": args.duration,
        "think_s": args.think,
        "elapsed_s": round(elapsed, 1),
        "requests": len(every),
        "throughput_per_s": round(len(every) / elapsed, 2),
        "overall_ms": percentiles(every),
        "errors": failed,
        "5xx": five,
        "endpoints": endpoints,
        "submissions": counts,
        "workers": args.workers,
        "engines": servers() or "sqlite + embedded chroma",
        "server_cpu_s": server_cpu,
        "cpu_count": os.cpu_count(),
        "server_start_s": run["start_s"],
        "sign_up_s": run["sign_up_s"],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds a live process and its live descendants (uvicorn's workers) used (Linux)."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        child = int(stat.parent.name)
        parents[child], ticks[child] = int(fields[1]), int(fields[11]) + int(fields[12])
    if pid not in ticks:
        return None
    tree, grown = {pid}, True
    while grown:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree, grown = tree | more, bool(more)
    return sum(ticks[p] for p in tree) / os.sysconf("SC_CLK_TCK")


def print_summary(results: dict[str, Any]) -> None:
    """Per-endpoint table, throughput, errors, then the one-line verdict."""
    print(
        f"== load test: {results['users']} users for {results['duration_s']} s "
        f"({results['elapsed_s']} s with the last requests), {results['workers']} worker(s) "
        f"on {results['engines']} =="
    )
    print(f"{'endpoint':36} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'/s':>7}  errors")
    for name, e in results["endpoints"].items():
        print(
            f"{name:36} {e['n']:>6} {e['p50']:>9.1f} {e['p95']:>9.1f} {e['p99']:>9.1f} "
            f"{e['per_second']:>7.2f}  {e['errors'] or '-'}"
        )
    o, s = results["overall_ms"], results["submissions"]
    print(
        f"all: {results['requests']} requests, {results['throughput_per_s']}/s, "
        f"p50 {o['p50']} ms, p95 {o['p95']} ms, p99 {o['p99']} ms; "
        f"{results['errors']} errors; server CPU {results['server_cpu_s']} s "
        f"(start {results['server_start_s']} s, sign-up {results['sign_up_s']} s)"
    )
    print(
        f"retries with the same key: {s['retries_with_same_key']}; requests without their "
        f"'submitted' event: {s['requests_without_submitted_event']}; stored without a "
        f"confirmed answer: {s['stored_without_confirmation']}"
    )
    print(
        f"submitted {s['submitted']}, stored {s['stored']}, lost {s['lost']}, "
        f"duplicated {s['duplicated']}, 5xx {results['5xx']}, p95 {o['p95']:.0f} ms"
    )


def servers() -> str:
    """The database and vector store the server will use: its settings from the environment."""
    from web.settings import Settings

    settings = Settings()
    database = "sqlite" if settings.database_url is None else settings.database_url.split(":")[0]
    chroma = "embedded chroma" if settings.chroma_host is None else "chroma server"
    return "" if database == "sqlite" and settings.chroma_host is None else f"{database} + {chroma}"


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
