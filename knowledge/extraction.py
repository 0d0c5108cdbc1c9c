"""Read an uploaded file's text in a child process with CPU, memory, output and time limits.

A 15 KiB PDF whose one 4 MiB content stream is shared by 20 pages kept an upload busy for
minutes and then held the indexing worker at 100 % CPU: text extraction costs grow worse than
linearly with such files. The whole of `loaders.load_bytes` therefore runs in a fresh Python
process with RLIMIT_CPU and RLIMIT_AS set, a wall-clock timeout and a cap on the text it may
return, so one file can fail with a reason but never hold a request or the queue. The child
answers in JSON (never pickle: its input is hostile).

Run as `python -m knowledge.extraction` it is that child: the request on stdin, the answer
on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.loaders import LoaderError

MiB = 1024 * 1024


@dataclass(frozen=True)
class ExtractionLimits:
    """What one file's text extraction may use."""

    cpu_seconds: int = 15
    memory_mb: int = 1024
    timeout_seconds: float = 30.0
    max_text_chars: int = 5_000_000


def load_bytes_limited(
    data: bytes,
    *,
    filename: str,
    metadata: Mapping[str, Any] | None = None,
    limits: ExtractionLimits | None = None,
) -> SourceDocument:
    """loaders.load_bytes in a limited child process; LoaderError with a reason on any failure."""
    limits = limits or ExtractionLimits()
    request = {
        "data": data.hex(),
        "filename": filename,
        "metadata": dict(metadata or {}),
        "limits": asdict(limits),
    }
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "knowledge.extraction"],
            input=json.dumps(request, default=str).encode(),
            capture_output=True,
            timeout=limits.timeout_seconds,
            env=_child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        raise LoaderError(
            f"{filename}: reading the text took longer than {limits.timeout_seconds:.0f} s; "
            "the file was refused"
        ) from expired
    if finished.returncode != 0 or len(finished.stdout) > 4 * limits.max_text_chars + MiB:
        raise LoaderError(f"{filename}: {_why(finished.returncode, limits)}; the file was refused")
    try:
        answer = json.loads(finished.stdout)
    except ValueError as error:
        raise LoaderError(f"{filename}: the text could not be read") from error
    if "error" in answer:
        raise LoaderError(str(answer["error"]))
    return SourceDocument(
        meta=DocumentMeta.model_validate(answer["meta"]), text=answer["text"], path=answer["path"]
    )


def _why(returncode: int, limits: ExtractionLimits) -> str:
    if returncode in (-9, -24, 137, 152):  # SIGKILL/SIGXCPU: the CPU limit was reached
        return f"reading the text needed more than {limits.cpu_seconds} s of CPU"
    return f"reading the text needed more than {limits.memory_mb} MiB or failed"


def _child_environment() -> dict[str, str]:
    """The parent's environment, with one BLAS thread (the child needs no parallel maths)."""
    return {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def _limit(limits: ExtractionLimits) -> None:
    import resource

    cpu = max(1, int(limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = limits.memory_mb * MiB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child() -> int:
    """Read one request from stdin, answer on stdout (the child process's whole life)."""
    request = json.loads(sys.stdin.buffer.read())
    limits = ExtractionLimits(**request["limits"])
    from knowledge import loaders  # imported before the limits: imports are not the file's cost

    _limit(limits)
    try:
        document = loaders.load_bytes(
            bytes.fromhex(request["data"]),
            filename=request["filename"],
            metadata=request["metadata"],
        )
        if len(document.text) > limits.max_text_chars:
            raise LoaderError(
                f"{request['filename']}: the text has {len(document.text):,} characters; "
                f"at most {limits.max_text_chars:,}"
            )
        answer: dict[str, Any] = {
            "meta": document.meta.model_dump(mode="json"),
            "text": document.text,
            "path": document.path,
        }
    except LoaderError as error:
        answer = {"error": str(error)}
    except MemoryError:
        answer = {"error": f"{request['filename']}: reading the text needed too much memory"}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
