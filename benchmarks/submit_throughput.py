"""Service-request submission throughput on the default SQLite database (or the one configured).

Run: `.venv/bin/python -m benchmarks.submit_throughput [--requests N]`; with
`CGT_PORTAL_DATABASE_URL` set to an empty PostgreSQL database it measures that instead.
Submits N release-testing requests through `portal.service_requests.submit` (validation, tracking
number, its required PDF written and synced, audit events, outbox, triage suggestion), first
from one thread, then from two threads at once, and retries every tenth submission with its
idempotency key. Targets: at least 20 submissions/s from one thread, and the database holds
exactly one request per distinct key (none lost, none duplicated).
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import Target, environment, finish, summary_ms, temporary_components
from knowledge import registry
from portal import catalog, service_requests
from portal.attachments import AttachmentStore
from portal.models import Company, ServiceRequest, User
from retrieval.embeddings import FakeEmbeddings
from web.core.components import ingest_bundled

NAME = "submit_throughput"
MIN_PER_SECOND = 20.0
FIELDS: dict[str, Any] = {
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "cell suspension",
    "sample_quantity": "3",
    "cold_chain": "liquid_nitrogen",
    "tests_requested": ["sterility", "mycoplasma"],
    "report_language": "zh",
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _company_user(session: Any, n: int) -> User:
    company = Company(
        name=f"Bench company {n}",
        credit_code=f"91440000MA{n:08d}",
        contact_name="Bench",
        phone="020-00000000",
        email=f"bench{n}@example.com",
    )
    session.add(company)
    session.flush()
    user = User(
        email=f"bench{n}@example.com",
        name="Bench",
        password_hash="unused",
        role="company",
        company_id=company.id,
    )
    session.add(user)
    session.commit()
    return user


def _submit_many(
    sessions: Any, user_id: int, store: AttachmentStore, keys: list[str], latencies: list[float]
) -> None:
    with sessions() as session:
        user = session.get(User, user_id)
        for i, key in enumerate(keys):
            files = [(f"sample-{key}.pdf", PDF + key.encode())]  # required by the service
            started = time.perf_counter()
            service_requests.submit(
                session=session,
                user=user,
                service_code="release_lot_testing",
                title=f"Release testing {key}",
                description="Sterility and mycoplasma, lot " + key,
                fields=dict(FIELDS),
                idempotency_key=key,
                files=files,
                store=store,
            )
            latencies.append(time.perf_counter() - started)
            if i % 10 == 5:  # a retry (double click): must return the same request
                service_requests.submit(
                    session=session,
                    user=user,
                    service_code="release_lot_testing",
                    title=f"Release testing {key}",
                    description="retry",
                    fields=dict(FIELDS),
                    idempotency_key=key,
                    files=files,
                    store=store,
                )


def main() -> int:
    """Measure, write the results file, and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    n = parser.parse_args().requests
    with temporary_components(FakeEmbeddings()) as parts:
        ingest_bundled(parts)
        with parts.sessions() as session:
            documents = registry.list_documents(session=session, category="service")
            catalog.sync_catalog(session=session, documents=documents)
            first, second = _company_user(session, 1), _company_user(session, 2)
        store = AttachmentStore(parts.settings.uploads_path)

        single: list[float] = []
        started = time.perf_counter()
        _submit_many(parts.sessions, first.id, store, [f"a{i}" for i in range(n)], single)
        single_rate = n / (time.perf_counter() - started)

        parallel: list[float] = []
        threads = [
            threading.Thread(
                target=_submit_many,
                args=(
                    parts.sessions,
                    user_id,
                    store,
                    [f"{tag}{i}" for i in range(n // 2)],
                    parallel,
                ),
            )
            for user_id, tag in ((first.id, "b"), (second.id, "c"))
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        parallel_rate = 2 * (n // 2) / (time.perf_counter() - started)

        database = parts.engine.dialect.name + (
            " (WAL)" if parts.engine.dialect.name == "sqlite" else ""
        )
        with parts.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(ServiceRequest)) or 0
        expected = n + 2 * (n // 2)

    results = {
        "benchmark": NAME,
        "environment": environment(),
        "database": database,
        "submitted_distinct_keys": expected,
        "stored": stored,
        "one_thread": {"per_second": round(single_rate, 1), "latency_ms": summary_ms(single)},
        "two_threads": {"per_second": round(parallel_rate, 1), "latency_ms": summary_ms(parallel)},
    }
    one, two = results["one_thread"]["latency_ms"], results["two_threads"]["latency_ms"]
    summary = [
        f"{database}: {expected} distinct keys submitted (+ same-key retries), {stored} stored",
        f"one thread : {single_rate:7.1f} requests/s, p50 {one['p50']} ms, p95 {one['p95']} ms",
        f"two threads: {parallel_rate:7.1f} requests/s, p50 {two['p50']} ms, p95 {two['p95']} ms",
    ]
    targets = [
        Target("submissions per second, one thread", single_rate, MIN_PER_SECOND, True),
        Target("requests lost or duplicated", abs(stored - expected), 1, False),
    ]
    return finish(NAME, results, targets, summary)


if __name__ == "__main__":
    raise SystemExit(main())
