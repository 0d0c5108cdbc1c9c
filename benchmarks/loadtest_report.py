"""The load test's counting and reporting: the database against what was accepted, latencies."""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.loadtest_users import OK, Stats


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
