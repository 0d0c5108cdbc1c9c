"""Where the portal meets the assistant: catalog matching for triage, and deflection answers.

`portal` does not import `retrieval` (see the import-linter contracts); the web layer hands it
plain callables built here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from knowledge import registry
from portal import catalog, service_specs
from portal.attachments import AttachmentStore
from retrieval.assistant import Assistant
from retrieval.cited_answer import Answer, Citation
from retrieval.embeddings import EmbeddingModel

MAX_SUGGESTIONS = 3
MIN_QUERY_CHARS = 8  # shorter descriptions say too little to look anything up
MAX_QUERY_CHARS = 2000
_DESCRIPTION_CHARS = 600  # of each service's knowledge-base description


@dataclass(frozen=True)
class CatalogMatch:
    """A catalog service and how similar its description is to a text (cosine, -1..1)."""

    service_code: str
    score: float


class CatalogMatcher:
    """Rank the catalog's services for a text, with the same embeddings as the assistant."""

    def __init__(self, *, embeddings: EmbeddingModel, sessions: sessionmaker[Session]) -> None:
        self._embeddings = embeddings
        self._sessions = sessions
        self._lock = threading.Lock()
        self._codes: list[str] = []
        self._vectors: np.ndarray | None = None
        self._built_for: tuple[object, ...] | None = None

    def _service_texts(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        with self._sessions() as session:
            services = catalog.list_services(session=session)
            for service in services:
                parts = [service.name_zh, service.name_en]
                try:
                    spec = service_specs.spec_for(service_code=service.code)
                    parts += [spec.name_zh, spec.name_en]
                except Exception:  # a service without a spec is matched on its names alone
                    spec = None
                if service.document_id:
                    row = registry.get(session=session, document_id=service.document_id)
                    if row is not None:
                        parts.append(row.text[:_DESCRIPTION_CHARS])
                texts[service.code] = " ".join(dict.fromkeys(p for p in parts if p))
        return texts

    def _stamp(self) -> tuple[object, ...]:
        """What the vectors depend on: the active services, and the knowledge base's generation
        (service descriptions are documents). Two small reads; every worker sees a change."""
        with self._sessions() as session:
            generation = registry.get_state(session=session, key="generation")
            services = [s.code for s in catalog.list_services(session=session)]
        return generation, *services

    def _index(self) -> tuple[list[str], np.ndarray | None]:
        stamp = self._stamp()
        with self._lock:
            if self._vectors is None or stamp != self._built_for:
                texts = self._service_texts()
                self._codes = list(texts)
                self._vectors = (
                    _normalise(self._embeddings.embed_array(list(texts.values())))
                    if texts
                    else None
                )
                self._built_for = stamp
            return self._codes, self._vectors

    def match(self, text: str, *, k: int = 3) -> list[CatalogMatch]:
        """Return the k services whose descriptions are closest to the text, best first."""
        codes, vectors = self._index()
        if vectors is None or not text.strip():
            return []
        query = _normalise(self._embeddings.embed_array([text[:MAX_QUERY_CHARS]]))[0]
        scores = vectors @ query
        order = np.argsort(-scores)[:k]
        return [CatalogMatch(codes[i], round(float(scores[i]), 4)) for i in order]

    def __call__(self, text: str) -> list[tuple[str, float]]:
        """Return (service code, score) pairs, best first: the shape triage takes."""
        return [(m.service_code, m.score) for m in self.match(text)]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


@dataclass(frozen=True)
class Deflection:
    """What the assistant found for a company's description: the answer and its sources."""

    query: str
    answer: Answer
    citations: list[Citation]

    @property
    def count(self) -> int:
        """How many cited answers are shown."""
        return len(self.citations)


def deflect(assistant: Assistant, text: str) -> Deflection | None:
    """Ask the assistant about what a company typed; None when it has no cited answer."""
    query = " ".join(text.split())[:MAX_QUERY_CHARS]
    if len(query) < MIN_QUERY_CHARS or not assistant.is_ready():
        return None
    answer = assistant.answer(query)
    if answer.refused or not answer.citations:
        return None
    # One citation per document: three quotes from one page are one suggestion, not three.
    seen: set[str] = set()
    cited: list[Citation] = []
    for citation in answer.citations:
        if citation.document_id not in seen:
            seen.add(citation.document_id)
            cited.append(citation)
    return Deflection(query=query, answer=answer, citations=cited[:MAX_SUGGESTIONS])


CatalogMatchFn = Callable[[str], list[tuple[str, float]]]


# --- start-up -------------------------------------------------------------------------------


@dataclass
class PortalParts:
    """What the request pages need besides the database: file storage and catalog matching."""

    store: AttachmentStore
    catalog_match: CatalogMatcher


def prepare_portal(
    *,
    sessions: sessionmaker[Session],
    embeddings: EmbeddingModel,
    uploads: Path,
    company_quota_mb: int = 0,
) -> PortalParts:
    """Sync the service catalog from the knowledge base and build the portal's parts."""
    sync_catalog(sessions)
    quota = company_quota_mb * 1024 * 1024 if company_quota_mb else None
    return PortalParts(
        store=AttachmentStore(uploads, company_quota_bytes=quota),
        catalog_match=CatalogMatcher(embeddings=embeddings, sessions=sessions),
    )


def sync_catalog(sessions: sessionmaker[Session]) -> None:
    """Upsert teams and services from the indexed service descriptions (names, turnaround)."""
    from web.db.migrate import cross_process_lock

    # App workers start together: without the lock both insert the same teams (on PostgreSQL
    # the second one failed with a unique violation and its worker exited).
    with cross_process_lock(sessions.kw["bind"], "catalog"), sessions() as session:
        documents = registry.list_documents(session=session, category="service", with_text=True)
        catalog.sync_catalog(session=session, documents=documents)
