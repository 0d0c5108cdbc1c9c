"""The load test's virtual users: company accounts, the weighted mix of actions, the counts.

Each user registers a company, keeps its session, and loops over chat questions, page views
and service-request submissions (see `benchmarks/loadtest.py`).
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

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
