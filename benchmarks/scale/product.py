"""The product from outside: `cgt-portal` commands and one served worker over a data dir."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.scale.corpus import ROOT
from tests.support.live_server import free_port

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def command() -> list[str]:
    """How to run `cgt-portal` with this interpreter (the script beside it, if installed)."""
    script = Path(sys.executable).with_name("cgt-portal")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from web.cli import app; app()"]


def process_memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (resident now) and VmHWM (peak resident) of a process, in MB."""
    numbers: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text("ascii").splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            numbers[key] = round(int(value.split()[0]) / 1024, 1)  # kB
    return numbers


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text("ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def processes() -> dict[int, tuple[int, int]]:
    """Every process now: pid -> (parent pid, resident bytes), from /proc/PID/stat."""
    table: dict[int, tuple[int, int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text("ascii").rsplit(")", 1)[1].split()
        except (OSError, UnicodeDecodeError):
            continue  # ended while we looked
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[21]) * PAGE)
    return table


def children_rss_mb(pid: int) -> float:
    """Resident memory of the process's direct children (extraction helpers), in MB."""
    total = sum(rss for parent, rss in processes().values() if parent == pid)
    return round(total / 2**20, 1)


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB (shared pages counted once
    per process, so PostgreSQL's shared buffers are counted in each backend that touched them:
    an upper bound)."""
    table = processes()
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, (parent, _) in table.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    return round(sum(table[pid][1] for pid in tree if pid in table) / 2**20, 1)


def disk_usage(path: Path) -> dict[str, int]:
    """Bytes on disk under path, in total and per top-level entry."""
    sizes: dict[str, int] = {}
    for entry in sorted(path.iterdir()):
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        sizes[entry.name] = sum(p.stat().st_blocks * 512 for p in files)
    return {"total": sum(sizes.values())} | sizes


class Portal:
    """`cgt-portal` over one data dir, with its log; serve() starts the served worker."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.data_dir = data_dir
        self.log = log
        self.env = os.environ | {
            "CGT_PORTAL_DATA_DIR": str(data_dir),
            # The library is exactly the selection: the bundled summaries are not synced.
            "CGT_PORTAL_INGEST_ON_START": "false",
            "CGT_PORTAL_SECRET_KEY": secrets.token_hex(32),
            "CGT_PORTAL_ENVIRONMENT": "development",  # plain-HTTP loopback: no Secure cookies
            "CGT_PORTAL_LOG_LEVEL": "WARNING",
            # This checkout's code, whatever the venv was installed from.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "TOKENIZERS_PARALLELISM": "false",
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def run(self, *args: str, timeout: float = 4 * 3600) -> str:
        """Run one `cgt-portal` command to its end; its output (also appended to the log)."""
        done = subprocess.run(
            [*command(), *args], cwd=ROOT, env=self.env, capture_output=True, timeout=timeout
        )
        output = (done.stdout + done.stderr).decode("utf-8", "replace")
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"$ cgt-portal {' '.join(args[:3])} …\n{output[-4000:]}\n")
        if done.returncode != 0:
            raise RuntimeError(
                f"cgt-portal {args[0]} failed ({done.returncode}):\n{output[-2000:]}"
            )
        return output

    def ingest(self, *paths: Path) -> dict[str, Any]:
        """`cgt-portal ingest PATH…`: wall seconds and the passages it says it embedded."""
        started = time.perf_counter()
        before = os.times()
        output = self.run("ingest", *map(str, paths))
        after = os.times()
        found = re.search(r"(\d+) passages embedded", output)
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(
                after.children_user
                + after.children_system
                - before.children_user
                - before.children_system,
                2,
            ),
            "passages_embedded": int(found.group(1)) if found else None,
            "summary": output.strip().splitlines()[-1] if output.strip() else "",
        }

    def serve(self, timeout: float = 1800.0) -> float:
        """Start `cgt-portal serve` (one worker) and wait for /readyz; seconds to ready."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [*command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited before it was ready (log: {self.log})")
            try:
                if httpx.get(self.url + "/readyz", timeout=10).status_code == 200:
                    return round(time.perf_counter() - started, 2)
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"not ready after {timeout:.0f} s (log: {self.log})")

    @property
    def pid(self) -> int:
        """The served worker's process id (`serve` with one worker runs it in-process)."""
        assert self.process is not None, "not serving"
        return self.process.pid

    def memory(self) -> dict[str, float]:
        """The served worker's resident memory now and at its peak, and its children's."""
        return process_memory_mb(self.pid) | {"children_rss": children_rss_mb(self.pid)}

    def stop(self) -> None:
        """Stop the server (SIGINT as Ctrl-C; SIGKILL after 60 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
