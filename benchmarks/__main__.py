"""Run every benchmark, each in its own process, and fail if any of them failed.

Run: `.venv/bin/python -m benchmarks [name ...]`. Unlike a recipe of three commands, a failing
benchmark does not stop the ones after it.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ("answer_latency", "ingest_throughput", "retrieval_recall", "submit_throughput")


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (default: all); the exit code is non-zero if any failed."""
    names = (argv if argv is not None else sys.argv[1:]) or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmarks: {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    codes = {}
    for name in names:
        # A process each: models, thread pools and Chroma clients do not leak between them.
        codes[name] = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"]).returncode
        print()
    for name, code in codes.items():
        print(f"{'PASS' if code == 0 else 'FAIL'}  {name}")
    return 0 if all(code == 0 for code in codes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
