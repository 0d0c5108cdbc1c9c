"""Prometheus metrics of the portal (the one home of prometheus_client).

HTTP latency by method, route template and status; answer latency and answers by outcome and
refusal reason; open requests by status and SLA breaches, computed from the database at scrape
time (docs/operations.md). With several worker processes, set PROMETHEUS_MULTIPROC_DIR
(`cgt-portal serve --workers N` does) and every worker's /metrics answers for all of them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from fastapi import Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client import generate_latest as _generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.orm import Session, sessionmaker

from portal import dashboard
from portal.models import User
from portal.sla import WorkingCalendar
from portal.workflow import OPEN
from retrieval.cited_answer import Answer

# The logger of the package (answer lines, scrape failures), named as before the split.
log = logging.getLogger("web.core.observability")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REFUSAL_REASONS = frozenset(
    {"no_match", "out_of_scope", "instructions", "missing_regulation", "no_such_article"}
)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def multiprocess_dir() -> str | None:
    """The folder shared by worker processes for their metrics, when several run."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class Metrics:
    """The portal's metrics: one instance per app (per worker process)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        ready: Callable[[], bool] = lambda: True,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.registry = CollectorRegistry()
        self.multiprocess = multiprocess_dir()
        # In multiprocess mode values live in files shared by the workers, not in a registry.
        own = None if self.multiprocess else self.registry
        self.http_latency = Histogram(
            "cgt_portal_http_request_duration_seconds",
            "Time to serve an HTTP request, by method, route template and status",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=own,
        )
        self.answer_latency = Histogram(
            "cgt_portal_answer_duration_seconds",
            "Time the assistant took to answer or refuse a question",
            ["outcome"],
            buckets=_LATENCY_BUCKETS,
            registry=own,
        )
        self.answers = Counter(
            "cgt_portal_answers",
            "Questions answered with citations or refused, by refusal reason",
            ["outcome", "reason"],
            registry=own,
        )
        self.database = DatabaseCollector(sessions=sessions, ready=ready, clock=clock)
        self.registry.register(self.database)

    def observe_request(self, *, method: str, route: str, status: int, seconds: float) -> None:
        """Record one served HTTP request."""
        method = method if method in METHODS else "OTHER"
        self.http_latency.labels(method, route, str(status)).observe(seconds)

    def observe_answer(self, answer: Answer, seconds: float) -> None:
        """Record one answer of the assistant."""
        outcome = "refused" if answer.refused else "answered"
        reason = "none"
        if answer.refused:
            reason = answer.reason if answer.reason in REFUSAL_REASONS else "other"
        self.answer_latency.labels(outcome).observe(seconds)
        self.answers.labels(outcome, reason).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess)
            registry.register(self.database)
            return _generate_latest(registry), CONTENT_TYPE_LATEST
        return _generate_latest(self.registry), CONTENT_TYPE_LATEST


class DatabaseCollector:
    """Gauges read from the database at scrape time: the same in every worker."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        ready: Callable[[], bool],
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._ready = ready
        self._clock = clock

    def describe(self) -> list[Metric]:
        """Nothing up front: registering must not query the database."""
        return []

    def collect(self) -> Iterator[Metric]:
        """Open requests by status, SLA breaches, and whether the database answered."""
        ready = GaugeMetricFamily(
            "cgt_portal_ready", "1 once the knowledge base is indexed and loaded in this worker"
        )
        ready.add_metric([], 1.0 if self._ready() else 0.0)
        yield ready
        up = GaugeMetricFamily(
            "cgt_portal_database_up", "1 when the scrape could read the database"
        )
        try:
            counts, breached = self._queue()
        except Exception:
            log.warning("metrics: reading the request queue failed", exc_info=True)
            up.add_metric([], 0.0)
            yield up
            return
        up.add_metric([], 1.0)
        yield up
        queue = GaugeMetricFamily(
            "cgt_portal_open_requests", "Open service requests by status", labels=["status"]
        )
        for status, n in sorted(counts.items()):
            queue.add_metric([status], float(n))
        yield queue
        sla = GaugeMetricFamily(
            "cgt_portal_sla_breached_requests",
            "Open service requests whose SLA (first response or resolution) is breached",
        )
        sla.add_metric([], float(breached))
        yield sla

    def _queue(self) -> tuple[dict[str, int], int]:
        """Open requests per status, and how many open requests are breached (staff queue)."""
        # The staff queue's own query and SLA clocks, read as a system reader of the queue.
        reader = User(role="staff", active=True, name="metrics", email="metrics@localhost")
        with self._sessions() as session:
            calendar = WorkingCalendar.load(session=session)
            result = dashboard.queue(
                session=session,
                user=reader,
                filters=dashboard.QueueFilters(sla_state="breached", limit=0),
                now=self._clock(),
                calendar=calendar,
            )
        counts = {status.value: result.counts.get(status.value, 0) for status in OPEN}
        return counts, result.total


@contextmanager
def answering(request: Request) -> Iterator[Callable[[Answer], None]]:
    """Time an assistant call; the caller hands the answer to the yielded function.

    `with observability.answering(request) as record: record(assistant.ask(...).answer)`
    """
    started = time.perf_counter()
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)

    def record(answer: Answer) -> None:
        seconds = time.perf_counter() - started
        if metrics is not None:
            metrics.observe_answer(answer, seconds)
        outcome = "refused" if answer.refused else "answered"
        log.info(
            "answer %s in %.0fms",
            outcome,
            seconds * 1000,
            extra={"outcome": outcome, "reason": answer.reason, "citations": len(answer.citations)},
        )

    yield record
