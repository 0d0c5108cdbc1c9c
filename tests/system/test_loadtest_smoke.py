"""A short run of the load test (benchmarks/loadtest.py): correctness under load, not speed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FINAL_LINE = re.compile(
    r"^submitted (\d+), stored (\d+), lost (\d+), duplicated (\d+), 5xx (\d+), p95 \d+ ms$"
)


def test_load_test_loses_and_duplicates_no_submission_and_answers_no_5xx(
    tmp_path: Path, kb_cache: Path
) -> None:
    output = tmp_path / "loadtest.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.loadtest",
            "--users",
            "8",
            "--duration",
            "8",
            "--output",
            str(output),
            "--kb-cache",
            str(kb_cache),
            "--keep-log",
            str(tmp_path / "server.log"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    last = run.stdout.strip().splitlines()[-1]
    match = FINAL_LINE.match(last)
    assert match, last
    submitted, stored, lost, duplicated, five = map(int, match.groups())
    assert submitted > 0 and stored == submitted
    assert (lost, duplicated, five) == (0, 0, 0)

    results = json.loads(output.read_text("utf-8"))
    counts = results["submissions"]
    assert counts["submitted"] == counts["stored"] == submitted
    assert counts["retries_with_same_key"] > 0  # the idempotency path was exercised
    assert counts["requests_without_submitted_event"] == 0
    assert counts["distinct_tracking_numbers"] == counts["stored"]
    assert results["5xx"] == 0 and results["errors"] == 0
    # Every part of the mix ran: chat (API and page), page views and both kinds of submission.
    seen = set(results["endpoints"])
    mix = {
        "POST /api/v1/chat",
        "POST /chat (htmx)",
        "GET /documents",
        "GET /documents/{id}",
        "GET /requests",
        "POST /api/v1/requests",
        "POST /requests (form + file)",
    }
    assert mix <= seen
    for endpoint in results["endpoints"].values():
        assert endpoint["p50"] <= endpoint["p95"] <= endpoint["p99"]
