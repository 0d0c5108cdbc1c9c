"""The portal in its own uvicorn process over a data folder, and indexed data folders for it.

Used by the system tests (faults, load-test smoke) and by `benchmarks/loadtest.py`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """The portal in its own uvicorn process over `data_dir`: start, wait for readiness, stop."""

    def __init__(
        self, data_dir: Path, *, log: Path, env: dict[str, str] | None = None, workers: int = 1
    ) -> None:
        self.data_dir = Path(data_dir)
        self.log = Path(log)
        self.secret = secrets.token_urlsafe(32)
        self.extra_env = env or {}
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def env(self) -> dict[str, str]:
        """The server's environment: its data folder and secret key, cookies without Secure."""
        return (
            os.environ
            | {
                "CGT_PORTAL_DATA_DIR": str(self.data_dir),
                "CGT_PORTAL_SECRET_KEY": self.secret,
                "CGT_PORTAL_ENVIRONMENT": "development",  # plain-HTTP loopback: no Secure cookies
                # Registered companies are used at once: no confirmation e-mail (docs/security.md).
                "CGT_PORTAL_REGISTRATION_CONFIRMATION": "false",
                "TOKENIZERS_PARALLELISM": "false",
            }
            | self.metrics_env()
            | self.extra_env
        )

    def metrics_env(self) -> dict[str, str]:
        """Several workers share one Prometheus folder (as `cgt-portal serve --workers` does)."""
        if self.workers == 1:
            return {}
        shared = self.data_dir / "metrics-multiproc"
        shared.mkdir(parents=True, exist_ok=True)
        return {"PROMETHEUS_MULTIPROC_DIR": str(shared)}

    def start(self) -> LiveServer:
        """Start uvicorn on a free loopback port (a restart keeps the data folder)."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "web.asgi:create",
                    "--factory",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                    "--workers",
                    str(self.workers),
                ],
                cwd=ROOT,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None, "not started"
        return self.process.pid

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout: float = 300.0) -> None:
        """Wait for /readyz (or /healthz where there is no /readyz) to answer 200."""
        deadline = time.monotonic() + timeout
        probe = "/readyz"
        while True:
            if not self.alive():
                raise RuntimeError(f"the server exited before it was ready:\n{self.log_tail()}")
            try:
                status = httpx.get(self.url + probe, timeout=5).status_code
                if status == 404 and probe == "/readyz":
                    probe = "/healthz"
                    continue
                if status == 200:
                    return
                if status == 503 and "failed" in httpx.get(self.url + probe, timeout=5).text:
                    raise RuntimeError(f"the server failed to prepare:\n{self.log_tail()}")
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush, like a power cut of the process."""
        if self.process is not None and self.alive():
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), SIGKILL after 30 s."""
        if self.process is None:
            return
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log."""
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def sources_stamp() -> str:
    """A hash of what an indexed data folder depends on: sources, indexing code, migrations."""
    from knowledge.loaders import bundled_sources

    digest = hashlib.sha256(os.environ.get("CGT_PORTAL_EMBEDDINGS", "use").encode())
    code = [*ROOT.glob("knowledge/*.py"), *ROOT.glob("web/db/migrations/versions/*.py")]
    code += [ROOT / "retrieval" / f"{name}.py" for name in ("indexer", "embeddings", "index")]
    for path in sorted(bundled_sources()) + sorted(code):
        digest.update(str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_kb_cache(cache: Path) -> Path:
    """An indexed data folder of the bundled knowledge base, built once per change of sources."""
    stamp = sources_stamp()
    if (cache / "STAMP").is_file() and (cache / "STAMP").read_text().strip() == stamp:
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".kb-building-", dir=cache.parent))
    # Self-contained: the folder's own SQLite and embedded Chroma, whatever servers are set.
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "CGT_PORTAL_DATABASE_URL" and not k.startswith("CGT_PORTAL_CHROMA_")
    }
    env |= {"CGT_PORTAL_DATA_DIR": str(building), "CGT_PORTAL_ENVIRONMENT": "test"}
    subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", "ingest"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (building / "STAMP").write_text(stamp + "\n")
    shutil.rmtree(cache, ignore_errors=True)
    building.rename(cache)  # whole or not at all: a half-built cache is never used
    return cache


def fresh_data_dir(parent: Path, cache: Path | None) -> Path:
    """A new data folder, a copy of the indexed cache when there is one (else indexed on start)."""
    data_dir = parent / "data"
    if cache is not None:
        shutil.copytree(cache, data_dir, ignore=shutil.ignore_patterns("STAMP"))
    else:
        data_dir.mkdir(parents=True)
    return data_dir
