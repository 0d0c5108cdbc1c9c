"""Two app workers side by side over one database, data folder and secret key.

Nothing a user relies on may live in one worker's memory: the session cookie, the sign-in
rate limit, the knowledge index and the SLA clock must look the same from either worker.
Two real uvicorn processes serve the app on two loopback ports (SQLite by default; PostgreSQL
and a Chroma server on the server pass, whose CGT_PORTAL_* settings tests/conftest.py puts in
the environment the workers inherit). They start at the same moment, so their schema upgrades
race too. A library of ~5,000 real passages (the scale benchmark's selection) shows that what
one process adds, uploads or withdraws reaches both workers within seconds at that size too.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from benchmarks.scale import client as benchmark_client
from benchmarks.scale import corpus as scale
from tests.support.forms import credit_code
from tests.support.live_server import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("cgt-portal")
PASSWORD = "correct horse battery"
START_TIMEOUT = 120.0

TESTING_FIELDS = {
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "cell suspension",
    "sample_quantity": "3",
    "cold_chain": "liquid_nitrogen",
    "tests_requested": ["sterility", "mycoplasma"],
    "report_language": "zh",
}

# A fact no bundled document states: only the ingested file can answer the question.
NEW_DOCUMENT = """\
---
id: zephyr-vault-en
title: Zephyr cryogenic vault opening hours
language: en
translation_of: null
category: news
issuer: GBA CGT Public Service Center
doc_number: null
issued: "2026-11-20"
effective: null
status: in_force
jurisdiction: nansha
source_url: https://example.org/zephyr-vault
verified: true
---

The Zephyr cryogenic vault is a liquid nitrogen storage room of the service center.

## Opening hours

The Zephyr cryogenic vault opens from 07:45 to 19:15 on working days.
"""
QUESTION = "When does the Zephyr cryogenic vault open?"


def _wait(check: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def _cli(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run `cgt-portal` with the workers' settings, as an operator on the same host would."""
    return subprocess.run(
        [str(CLI), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _create_staff(env: dict[str, str], email: str) -> None:
    created = _cli(
        env,
        "users",
        "create",
        "--role",
        "staff",
        "--email",
        email,
        "--password",
        PASSWORD,
        "--name",
        "Li Wei",
    )
    assert created.returncode == 0, created.stdout + created.stderr


class Worker:
    """One uvicorn process serving the app from the environment's settings."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = logs / f"{name}.log"
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
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def ready(self) -> bool:
        assert self.process.poll() is None, f"{self.name} exited:\n{self.log.read_text()}"
        try:
            return httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def portal_env(tmp_path: Path) -> dict[str, str]:
    """Settings shared by both workers and the CLI: one data folder, one secret key."""
    env = dict(os.environ)  # on the server pass: the database and Chroma server settings
    env.update(
        CGT_PORTAL_ENVIRONMENT="test",
        CGT_PORTAL_DATA_DIR=str(tmp_path / "data"),
        CGT_PORTAL_SECRET_KEY=secrets.token_hex(32),
        CGT_PORTAL_EMBEDDINGS="use",
        # The full bundled knowledge base takes minutes to embed on a small machine; the test
        # adds its own document instead, which is the change the workers must pick up.
        CGT_PORTAL_INGEST_ON_START="false",
        CGT_PORTAL_SMTP_HOST="",
    )
    return env


@pytest.fixture
def workers(portal_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[Worker, Worker]]:
    """Two workers started at the same moment over the same database, both ready."""
    pair = (Worker("worker-a", portal_env, tmp_path), Worker("worker-b", portal_env, tmp_path))
    try:
        for worker in pair:
            try:
                _wait(worker.ready, f"{worker.name} to be ready", START_TIMEOUT)
            except AssertionError as late:  # say why: the log goes with the tmp folder
                raise AssertionError(
                    f"{late}; its log:\n{worker.log.read_text()[-4000:]}"
                ) from None
        yield pair
    finally:
        for worker in pair:
            worker.stop()


SAMPLE_PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _register(client: httpx.Client) -> dict[str, Any]:
    fields = {
        "company_name": "Two Workers Bio Ltd",
        "credit_code": credit_code(),
        "contact_name": "Chen Jing",
        "phone": "0755-12345678",
        "email": f"two-workers-{secrets.token_hex(4)}@example.cn",
        "password": PASSWORD,
    }
    response = client.post("/api/v1/auth/register", json=fields)
    assert response.status_code == 201, response.text
    return {**fields, "csrf_token": response.json()["csrf_token"]}


def _login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_two_workers_share_sessions_limits_index_and_queue(
    workers: tuple[Worker, Worker], portal_env: dict[str, str], tmp_path: Path
) -> None:
    a, b = workers
    with a.client() as on_a, b.client() as on_b, b.client() as staff_on_b:
        # A session made on worker A is valid on worker B (signed cookie + database state).
        company = _register(on_a)
        assert on_a.get("/api/v1/requests").status_code == 200
        on_b.cookies.update(on_a.cookies)
        assert on_b.get("/api/v1/requests").status_code == 200
        account = on_b.get("/account")
        assert account.status_code == 200 and company["company_name"] in account.text
        with b.client() as anonymous:
            assert anonymous.get("/api/v1/requests").status_code == 401

        # Failed sign-ins spread over both workers add up: 2 + 1 failures use the three free
        # tries of one email and address, which neither worker reaches alone; the next try,
        # on either worker, must wait (portal/throttle.py).
        target = f"victim-{secrets.token_hex(4)}@example.cn"
        with a.client() as guess_a, b.client() as guess_b:
            failures = [
                _login(c, target, "wrong-password").status_code for c in (guess_a, guess_b, guess_a)
            ]
            assert failures == [401] * 3
            limited = _login(guess_b, target, "wrong-password")
        assert limited.status_code == 429, limited.text
        assert 0 < int(limited.headers["Retry-After"]) <= 16

        # A request submitted on worker A is in worker B's staff queue, on the same SLA clock.
        staff_email = f"staff-{secrets.token_hex(4)}@center.example"
        _create_staff(portal_env, staff_email)
        assert _login(staff_on_b, staff_email).status_code == 200
        submitted = on_a.post(  # multipart: release testing requires its sample sheet
            "/api/v1/requests/with-files",
            data={
                "service_code": "release_lot_testing",
                "title": "Release testing, lot 9",
                "description": "Sterility and mycoplasma for CAR-T lot 9.",
                "fields": json.dumps(TESTING_FIELDS),
            },
            files=[("files", ("sample-information.pdf", SAMPLE_PDF, "application/pdf"))],
            headers={
                "Idempotency-Key": secrets.token_hex(16),
                "X-CSRF-Token": company["csrf_token"],
            },
        )
        assert submitted.status_code == 201, submitted.text
        tracking = submitted.json()["tracking_number"]
        seen_by_staff = staff_on_b.get(f"/api/v1/requests/{tracking}")
        assert seen_by_staff.status_code == 200, seen_by_staff.text
        sla_on_a, sla_on_b = submitted.json()["sla"], seen_by_staff.json()["sla"]
        assert sla_on_b["resolution_due"] == sla_on_a["resolution_due"]
        assert sla_on_b["first_response_due"] == sla_on_a["first_response_due"]
        queue = staff_on_b.get("/staff/queue")
        assert queue.status_code == 200 and tracking in queue.text

        # The knowledge base changed by another process is answered by both workers once
        # their background reload has seen the new generation.
        before = on_b.post("/api/v1/chat", json={"question": QUESTION}).json()
        assert before["refused"], before
        document = tmp_path / "zephyr-vault.en.md"
        document.write_text(NEW_DOCUMENT, encoding="utf-8")
        ingested = _cli(portal_env, "ingest", str(document))
        assert ingested.returncode == 0, ingested.stdout + ingested.stderr
        assert "1 added" in ingested.stdout, ingested.stdout
        for client in (on_b, on_a):

            def answers(client: httpx.Client = client) -> bool:
                body = client.post("/api/v1/chat", json={"question": QUESTION}).json()
                return not body["refused"] and "07:45" in body["answer"]

            _wait(answers, "the new document to be answered", 30)


# About 5,000 passages: the scale benchmark's selection of real texts at that size (whole
# documents in its fixed order), so the test and the benchmark ingest the same library.
LARGE_LIBRARY = 5000
CHANGE = scale.CHANGE_BY_API  # a real text kept out of every selection, uploaded by staff
VISIBLE_WITHIN = 5.0  # seconds after its indexing job (or the withdrawal) a change may take


@dataclass(frozen=True)
class ArticleQuestion:
    """A question naming one article of one text of the library, and what answers it."""

    title: str
    article: str  # "第十九条", as the text writes it
    opening: str  # the article's first words, which the answer quotes
    text: str


@dataclass(frozen=True)
class LargeLibrary:
    """Real texts staged for `cgt-portal ingest`, a question about one, and the corpus."""

    folder: Path
    documents: int
    question: ArticleQuestion
    laws: Path


def _article_question(laws: Path, selected: list[scale.CorpusFile]) -> ArticleQuestion:
    """A question about the middle article of the first selected text no other file names.

    The development texts are skipped (tests/retrieval asks about them); a title that no other
    text of the archive contains can be answered from that document only.
    """
    from knowledge.chunking import chunk_document
    from knowledge.loaders import load_path

    texts = {f.path: (laws / f.path).read_text("utf-8") for f in scale.corpus_files(laws)}
    development = set(scale.development_documents())
    for file in selected:
        if file.path in development:
            continue
        document = load_path(laws / file.path)
        title = document.meta.title
        if any(title in text for path, text in texts.items() if path != file.path):
            continue
        articles: dict[str, str] = {}
        for chunk in chunk_document(document):
            if chunk.article_label and chunk.article_label not in articles:
                articles[chunk.article_label] = chunk.text
        if len(articles) < 10:
            continue
        label, text = list(articles.items())[len(articles) // 2]
        opening = text.removeprefix(label).strip()[:8]
        return ArticleQuestion(title, label, opening, f"《{title}》{label}是怎么规定的？")
    raise AssertionError("no selected text has a title of its own and ten articles")


@pytest.fixture
def large_library(tmp_path: Path) -> LargeLibrary:
    """About 5,000 passages of real texts in a folder (skipped when the corpus is absent).

    Tests name it before `workers`: a missing corpus skips before any worker starts.
    """
    from tests.corpus import laws_folder

    laws = laws_folder()
    selected = scale.select(
        scale.corpus_files(laws),
        passages=LARGE_LIBRARY,
        first=scale.development_documents(),
        held_out=[scale.CHANGE_BY_API.path, scale.CHANGE_BY_CLI.path],
    )
    folder = scale.stage(laws, selected, tmp_path / "library")
    return LargeLibrary(folder, len(selected), _article_question(laws, selected), laws)


def _seconds_until(
    clients: dict[str, httpx.Client],
    question: str,
    check: Callable[[dict[str, Any]], bool],
    timeout: float = 60,
) -> dict[str, float]:
    """Ask every worker in turn until each one's answer passes `check`; seconds per worker."""
    started = time.perf_counter()
    seen: dict[str, float] = {}
    last: dict[str, Any] = {}
    while len(seen) < len(clients):
        for name, http in clients.items():
            if name not in seen:
                last[name] = benchmark_client.ask(http, question)[1]
                if check(last[name]):
                    seen[name] = round(time.perf_counter() - started, 2)
        elapsed = time.perf_counter() - started
        assert elapsed < timeout, f"{question} after {elapsed:.0f} s, passed {seen}: {last}"
        time.sleep(0.1)
    return seen


def _quotes_the_article(body: dict[str, Any], question: ArticleQuestion) -> bool:
    cited = body["citations"]
    return (
        not body["refused"]
        and question.opening in body["answer"]
        and bool(cited)
        and cited[0]["article"] == question.article
        and all(c["title"] == question.title for c in cited)
    )


def test_two_workers_answer_from_a_large_real_library_and_see_a_staff_upload_within_5_s(
    large_library: LargeLibrary,
    workers: tuple[Worker, Worker],
    portal_env: dict[str, str],
) -> None:
    a, b = workers
    question = large_library.question
    with a.client() as on_a, b.client() as on_b:
        both = {a.name: on_a, b.name: on_b}
        for http in both.values():
            body = benchmark_client.ask(http, question.text)[1]
            assert not any(c["title"] == question.title for c in body["citations"]), body

        # Another process ingests the library while both workers serve, as an operator would.
        started = time.perf_counter()
        ingested = _cli(portal_env, "ingest", str(large_library.folder), timeout=900)
        ingest_seconds = time.perf_counter() - started
        assert ingested.returncode == 0, ingested.stdout + ingested.stderr
        assert f"{large_library.documents} added" in ingested.stdout, ingested.stdout
        counted = re.search(r"(\d+) passages embedded", ingested.stdout)
        assert counted and int(counted[1]) >= LARGE_LIBRARY * 0.8, ingested.stdout
        passages = int(counted[1])
        print(f"\ningest: {passages} passages in {ingest_seconds:.1f} s", end=" ")
        print(f"({passages / ingest_seconds:.0f} passages/s); asking {question.text}")

        # Both workers quote the named article of the named text, without a restart.
        seen = _seconds_until(both, question.text, lambda body: _quotes_the_article(body, question))
        print(f"library answered after the ingest: {seen}")
        assert all(seconds <= VISIBLE_WITHIN for seconds in seen.values()), seen

        # Staff upload a real text on worker A; it is indexed by a background job.
        for http in both.values():
            assert not benchmark_client.cites(
                benchmark_client.ask(http, CHANGE.question)[1], CHANGE
            )
        staff_email = f"staff-{secrets.token_hex(4)}@center.example"
        _create_staff(portal_env, staff_email)
        csrf = benchmark_client.sign_in(on_a, staff_email, PASSWORD)
        on_b.cookies.update(on_a.cookies)  # the same staff session on worker B
        document_id = benchmark_client.upload(on_a, csrf, large_library.laws / CHANGE.path, CHANGE)
        assert benchmark_client.wait_indexed(on_a, document_id, timeout=300) == "ready"
        seen = _seconds_until(
            both, CHANGE.question, lambda body: benchmark_client.cites(body, CHANGE, document_id)
        )
        print(f"upload answered after its job: {seen}")
        assert all(seconds <= VISIBLE_WITHIN for seconds in seen.values()), seen

        # Withdrawn on worker B: gone from both workers' answers just as soon.
        withdrawn = on_b.delete(f"/api/v1/documents/{document_id}", headers={"X-CSRF-Token": csrf})
        assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"], withdrawn.text
        gone = _seconds_until(
            both,
            CHANGE.question,
            lambda body: not benchmark_client.cites(body, CHANGE, document_id),
        )
        print(f"withdrawal gone after: {gone}")
        assert all(seconds <= VISIBLE_WITHIN for seconds in gone.values()), gone


UPGRADE = """
import sys, time
from sqlalchemy import create_engine
from web.db import migrate
engine = create_engine(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # start together
migrate.upgrade(engine)
"""


def test_workers_upgrading_an_empty_database_at_once_do_not_collide(database_url: str) -> None:
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect

    from web.db import migrate

    start = time.time() + 8
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE, database_url, str(start)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = [racer.communicate(timeout=120)[0].decode() for racer in racers]

    assert [racer.returncode for racer in racers] == [0, 0, 0], "\n".join(outputs)
    engine = create_engine(database_url)
    head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        versions = connection.exec_driver_sql("select version_num from alembic_version").all()
    assert versions == [(head,)]
    assert "portal_requests" in inspect(engine).get_table_names()
    engine.dispose()
