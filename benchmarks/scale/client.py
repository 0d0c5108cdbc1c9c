"""What clients do over HTTP: ask questions, sign in as staff, upload a document, wait for it."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx

from benchmarks.scale.corpus import Change, Question


def ask(client: httpx.Client, question: str) -> tuple[float, dict[str, Any]]:
    """POST /api/v1/chat: seconds to the full response, and its JSON."""
    started = time.perf_counter()
    response = client.post("/api/v1/chat", json={"question": question})
    seconds = time.perf_counter() - started
    response.raise_for_status()
    return seconds, response.json()


def quotes_key_facts(body: dict[str, Any], question: Question) -> bool:
    """Whether every key fact of the question occurs in the answer or its quotes."""
    said = body.get("answer", "") + "".join(c.get("quote") or "" for c in body.get("citations", []))
    return bool(question.key_facts) and all(fact in said for fact in question.key_facts)


def cites(body: dict[str, Any], change: Change, document_id: str | None = None) -> bool:
    """Whether an answer cites the changed document (by id when known, else by title)."""
    return any(
        c.get("document_id") == document_id if document_id else c.get("title") == change.title
        for c in body.get("citations", [])
    )


def answer_many(client: httpx.Client, questions: Sequence[Question]) -> dict[str, Any]:
    """Ask each question once, in order: latencies, refusals, answers quoting their facts."""
    seconds: list[float] = []
    refused = with_facts = facts_quoted = 0
    for question in questions:
        took, body = ask(client, question.text)
        seconds.append(took)
        refused += bool(body.get("refused"))
        with_facts += bool(question.key_facts)
        facts_quoted += quotes_key_facts(body, question)
    return {
        "seconds": seconds,
        "refused": refused,
        "questions_with_key_facts": with_facts,
        "answers_quoting_all_key_facts": facts_quoted,
    }


def http_floor(client: httpx.Client, n: int = 50) -> list[float]:
    """Seconds of GET /healthz: what HTTP itself costs on this machine."""
    seconds = []
    for _ in range(n):
        started = time.perf_counter()
        client.get("/healthz").raise_for_status()
        seconds.append(time.perf_counter() - started)
    return seconds


def sign_in(client: httpx.Client, email: str, password: str) -> str:
    """Sign in through the API; the CSRF token that form and multipart calls need."""
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    response.raise_for_status()
    return str(response.json()["csrf_token"])


def upload(client: httpx.Client, csrf: str, path: Path, change: Change) -> str:
    """POST /api/v1/documents as staff do (202, indexed in the background); the document id."""
    response = client.post(
        "/api/v1/documents",
        files={"file": (path.name, path.read_bytes(), "text/markdown")},
        data={"title": change.title, "language": "zh", "category": "regulation"},
        headers={"X-CSRF-Token": csrf},
    )
    if response.status_code != 202:
        raise RuntimeError(f"upload refused: {response.status_code} {response.text[:500]}")
    return str(response.json()["id"])


def wait_indexed(client: httpx.Client, document_id: str, timeout: float) -> str:
    """Poll the document until its indexing job is ready or failed; that status."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status = client.get(f"/api/v1/documents/{document_id}").json().get("index_status")
        if status in ("ready", "failed"):
            return str(status)
        time.sleep(0.1)
    raise TimeoutError(f"document {document_id} not indexed after {timeout:.0f} s")


def wait_answerable(
    client: httpx.Client,
    change: Change,
    *,
    document_id: str | None,
    timeout: float,
    interval: float = 0.25,
) -> dict[str, Any]:
    """Ask the change's question until an answer cites the document: seconds and attempts."""
    started = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        _, body = ask(client, change.question)
        elapsed = time.perf_counter() - started
        if cites(body, change, document_id):
            return {"seconds": round(elapsed, 3), "questions_asked": attempts}
        if elapsed > timeout:
            return {"seconds": None, "questions_asked": attempts, "timed_out_after": timeout}
        time.sleep(interval)


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call takes, and what it returned."""
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value
