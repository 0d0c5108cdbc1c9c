"""Run every benchmark, each in its own process, and fail if any of them failed.

Run: `.venv/bin/python -m benchmarks [name ...] [options of scale]`, e.g.
`python -m benchmarks scale --size 10k`. Unlike a recipe of several commands, a failing
benchmark does not stop the ones after it. The scale benchmark runs its quick size unless
options say otherwise (`--size 10k|30k|full`, see benchmarks/README.md).
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    "answer_latency",
    "ingest_throughput",
    "passage_vectors",
    "retrieval_recall",
    "submit_throughput",
    "scale",
)
TAKES_OPTIONS = "scale"


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (default: all); the exit code is non-zero if any failed."""
    args = argv if argv is not None else sys.argv[1:]
    split = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
    names, options = args[:split] or list(BENCHMARKS), args[split:]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmarks: {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    if options and TAKES_OPTIONS not in names:
        print(f"options ({' '.join(options)}) are for the {TAKES_OPTIONS} benchmark: name it")
        return 2
    codes = {}
    for name in names:
        # A process each: models, thread pools and Chroma clients do not leak between them.
        extra = options if name == TAKES_OPTIONS else []
        command = [sys.executable, "-m", f"benchmarks.{name}", *extra]
        codes[name] = subprocess.run(command).returncode
        print()
    for name, code in codes.items():
        print(f"{'PASS' if code == 0 else 'FAIL'}  {name}")
    return 0 if all(code == 0 for code in codes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
