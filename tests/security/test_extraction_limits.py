"""One file can never hold an upload or the indexing queue (finding 3).

The attack: a tiny PDF whose one large content stream is shared by 20 pages. Reading its text
costs minutes of CPU; in a child process with a CPU limit it is refused in seconds, with a
reason, while a genuine document still indexes.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from knowledge import jobs
from knowledge.extraction import ExtractionLimits, load_bytes_limited
from knowledge.loaders import LoaderError
from knowledge.tables import JobStatus

TIGHT = ExtractionLimits(cpu_seconds=2, memory_mb=1024, timeout_seconds=20)
META = {"id": "bomb", "title": "Bomb", "language": "en", "category": "news"}
GENUINE = (
    "---\nid: genuine-after-bomb-en\ntitle: Genuine document\nlanguage: en\ncategory: news\n---\n"
    "\n# Genuine\n\nCell therapy product registration takes twenty working days in Nansha.\n"
)


def shared_stream_pdf(mib: float = 1.0, pages: int = 20) -> bytes:
    """A small PDF whose pages all draw one large (compressed) content stream."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    line = b"BT /F1 12 Tf 10 10 Td (cell therapy text) Tj ET\n"
    stream = DecodedStreamObject()
    stream.set_data(line * int(mib * 1024 * 1024 / len(line)))
    content = writer._add_object(stream.flate_encode())
    for _ in range(pages):
        page = writer.add_blank_page(300, 300)
        page[NameObject("/Contents")] = content
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = shared_stream_pdf()
    assert len(data) < 64 * 1024  # tiny on the wire
    return data


def test_the_shared_stream_pdf_is_refused_within_the_cpu_limit(bomb: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(LoaderError, match="CPU"):
        load_bytes_limited(bomb, filename="bomb.pdf", metadata=META, limits=TIGHT)
    assert time.monotonic() - started < 15


def test_text_longer_than_the_cap_is_refused() -> None:
    text = GENUINE.replace("genuine-after-bomb-en", "long-text-en") + "Lorem ipsum. " * 2000
    limits = ExtractionLimits(max_text_chars=5000)
    with pytest.raises(LoaderError, match="at most 5,000"):
        load_bytes_limited(text.encode(), filename="long.md", limits=limits)


def test_a_genuine_file_reads_the_same_in_the_child() -> None:
    from knowledge.loaders import load_bytes

    child = load_bytes_limited(GENUINE.encode(), filename="genuine.md")

    assert child.content_hash == load_bytes(GENUINE.encode(), filename="genuine.md").content_hash


def _upload(world, name: str, data: bytes, kind: str):  # type: ignore[no-untyped-def]
    return world.staff.client.post(
        "/api/v1/documents",
        files={"file": (name, data, kind)},
        data={"title": "Limits test", "language": "en", "category": "news"},
        headers={"X-CSRF-Token": world.staff.csrf},
    )


def test_a_bomb_upload_is_refused_quickly_and_a_genuine_one_still_indexes(world, bomb) -> None:  # type: ignore[no-untyped-def]
    world.app.state.knowledge.limits = TIGHT
    world.app.state.index_worker.limits = TIGHT

    started = time.monotonic()
    refused = _upload(world, "bomb.pdf", bomb, "application/pdf")
    elapsed = time.monotonic() - started
    genuine = _upload(world, "genuine.md", GENUINE.encode(), "text/markdown")

    assert refused.status_code == 422 and "CPU" in refused.text, refused.text
    assert elapsed < 15
    assert genuine.status_code == 202, genuine.text
    deadline = time.monotonic() + 60
    status = genuine.json()["index_status"]
    while status in ("queued", "indexing") and time.monotonic() < deadline:
        time.sleep(0.5)
        status = world.staff.client.get("/api/v1/documents/genuine-after-bomb-en").json()[
            "index_status"
        ]
    assert status == "ready"


def test_a_running_job_can_be_cancelled_and_its_document_withdrawn(world) -> None:  # type: ignore[no-untyped-def]
    from knowledge.loaders import load_bytes
    from retrieval.index_worker import JobCancelled, _Heartbeat

    knowledge = world.app.state.knowledge
    text = GENUINE.replace("genuine-after-bomb-en", "stuck-job-en")
    world.components.indexer.ingest(
        [load_bytes(text.encode(), filename="stuck.md")], origin="local", prune=False
    )
    with world.components.sessions() as session:  # a job some worker is running right now
        job = jobs.enqueue(
            session=session,
            document_id="stuck-job-en",
            kind="replace",
            target_version=9,
            filename="stuck.pdf",
            staged_path="/nonexistent/stuck.pdf",
            meta={},
            requested_by="staff",
        )
        job.status, job.started_at = JobStatus.INDEXING, datetime.now(UTC)
        job.heartbeat_at = datetime.now(UTC)
        session.commit()
        job_id = job.id

    assert knowledge.withdraw(document_id="stuck-job-en", changed_by="staff") is True

    with world.components.sessions() as session:
        cancelled = jobs.get(session=session, job_id=job_id)
        assert cancelled is not None and cancelled.status == "failed"
        assert "cancelled" in (cancelled.error or "")
    with pytest.raises(JobCancelled):  # the worker running it stops at its next progress report
        _Heartbeat(world.components.sessions, job_id, 60).progress(1, 2)
