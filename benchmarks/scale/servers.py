"""Throwaway PostgreSQL and Chroma servers for a scale run on the server configuration.

`--servers` runs the benchmark the way a scaled-out deployment runs (docs/deploy.md): the
worker keeps no index of its own, PostgreSQL holds the rows and the keyword index, a Chroma
server the vectors. The servers are the ones the tests' server pass uses
(`scripts/test-servers.sh`), started fresh for the run and deleted after it; their own memory is
measured beside the worker's.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.scale.corpus import ROOT
from benchmarks.scale.product import disk_usage, tree_rss_mb

SCRIPT = ROOT / "scripts" / "test-servers.sh"


@dataclass(frozen=True)
class Servers:
    """A running PostgreSQL cluster and Chroma server in one folder."""

    folder: Path
    database_url: str
    chroma_host: str
    chroma_port: int

    @classmethod
    def start(cls, folder: Path) -> Servers:
        """Start both (a fresh cluster and store in folder) and wait until they answer."""
        done = subprocess.run(
            ["bash", str(SCRIPT), "start", str(folder)], cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"the test servers did not start:\n{done.stderr[-2000:]}")
        found: dict[str, str] = {}
        for line in (folder / "env").read_text("utf-8").splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            found[key] = value
        return cls(
            folder,
            found["CGT_TEST_DATABASE_URL"],
            found["CGT_TEST_CHROMA_HOST"],
            int(found["CGT_TEST_CHROMA_PORT"]),
        )

    def settings(self) -> dict[str, str]:
        """The portal's CGT_PORTAL_* settings that point it at these servers."""
        return {
            "CGT_PORTAL_DATABASE_URL": self.database_url,
            "CGT_PORTAL_CHROMA_HOST": self.chroma_host,
            "CGT_PORTAL_CHROMA_PORT": str(self.chroma_port),
        }

    def client(self) -> Any:
        """A Chroma client of the server."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.HttpClient(
            host=self.chroma_host,
            port=self.chroma_port,
            settings=ChromaSettings(anonymized_telemetry=False),
        )

    def memory(self) -> dict[str, float]:
        """Resident MB of the Chroma server and of the PostgreSQL cluster (all its processes)."""
        chroma = int((self.folder / "chroma.pid").read_text("ascii").split()[0])
        postmaster = int((self.folder / "pg" / "data" / "postmaster.pid").read_text().split()[0])
        return {
            "chroma_server_rss": tree_rss_mb(chroma),
            "postgresql_rss": tree_rss_mb(postmaster),
        }

    def disk(self) -> dict[str, int]:
        """Bytes on disk of the Chroma store and the PostgreSQL cluster."""
        return {
            "chroma": disk_usage(self.folder / "chroma")["total"],
            "postgresql": disk_usage(self.folder / "pg")["total"],
        }

    def stop(self) -> None:
        """Stop both and delete their folder."""
        subprocess.run(["bash", str(SCRIPT), "stop", str(self.folder)], cwd=ROOT, check=False)
