"""Staff maintenance of the knowledge base through the JSON API: upload, refuse, supersede."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from knowledge import registry
from tests.support.knowledge_uploads import ask, document_count, pdf_bytes, upload, wait_for
from web.core.components import Components


def test_a_pdf_upload_is_indexed_in_the_background_and_answers_with_its_version(
    staff: TestClient,
) -> None:
    data = pdf_bytes(
        "Nansha Gene Therapy Vector Notice.",
        "The Nansha vector platform subsidy covers 27% of AAV production costs.",
    )
    response = upload(staff, "vector-notice-en", data, "vector.pdf")

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["id"] == "vector-notice-en" and body["version"] == 1
    assert body["index_status"] in ("queued", "indexing", "ready")
    assert response.headers["location"] == "/api/v1/documents/vector-notice-en"
    done = wait_for(staff, "vector-notice-en", "ready", "failed")
    assert done["index_status"] == "ready" and done["index_error"] is None
    assert done["index_done"] == done["index_total"] > 0

    answer = ask(staff, "What share of AAV production costs does the Nansha vector subsidy cover?")
    cited = [c for c in answer["citations"] if c["document_id"] == "vector-notice-en"]
    assert cited and cited[0]["version"] == 1 and "27%" in answer["answer"]


@pytest.mark.parametrize(
    ("data", "filename", "field", "words"),
    [
        (b"%PDF-1.7\n" + b"\x00broken" * 50, "corrupt.pdf", "file", "not a readable PDF"),
        (b"  \n \n", "empty.txt", "file", "no readable text"),
        (b"", "nothing.md", "file", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 64, "scan.png", "file", "not accepted"),
        (b"x" * (1024 * 1024 + 10), "huge.txt", "file", "at most 1 MiB"),
    ],
)
def test_a_bad_file_is_refused_with_the_field_and_reason_and_nothing_is_stored(
    parts: Components, staff: TestClient, data: bytes, filename: str, field: str, words: str
) -> None:
    before = document_count(parts)
    staged = set(parts.settings.knowledge_staging_path.rglob("*"))

    response = upload(staff, "bad-file-en", data, filename)

    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["field"] == field and words in problem["message"]
    assert document_count(parts) == before
    assert set(parts.settings.knowledge_staging_path.rglob("*")) == staged
    assert staff.get("/api/v1/documents/bad-file-en").status_code == 404


def test_bad_metadata_is_refused_with_the_field(staff: TestClient) -> None:
    text = b"Plain text about Nansha incubator rent relief for cell therapy start-ups."
    response = upload(staff, "rent-en", text, "rent.txt", issued="last spring")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "issued"
    missing = staff.post("/api/v1/documents", data={"title": "x"}, files={"file": ("a.txt", text)})
    assert missing.status_code == 422
    assert {p["field"] for p in missing.json()["detail"]} >= {"language", "category"}


def test_companies_get_403_and_visitors_401(app_client: TestClient, company: TestClient) -> None:
    text = b"Plain text about Nansha incubator rent relief for cell therapy start-ups."
    assert upload(company, "co-en", text, "co.txt").status_code == 403
    assert company.delete("/api/v1/documents/talent-housing-en").status_code == 403
    assert (
        company.post(
            "/api/v1/documents/talent-housing-en/supersede", json={"superseded_by": "x"}
        ).status_code
        == 403
    )
    visitor = TestClient(app_client.app)
    assert upload(visitor, "anon-en", text, "anon.txt").status_code == 401
    assert visitor.delete("/api/v1/documents/talent-housing-en").status_code == 401


def test_supersede_patch_and_withdraw_through_the_api(parts: Components, staff: TestClient) -> None:
    old = b"The Nansha incubator rent relief is 50% of the rent for two years."
    new = b"The 2026 Nansha incubator rules give rent relief of 70% of the rent for three years."
    assert upload(staff, "rent-old-en", old, "rent-old.txt").status_code == 202
    assert upload(staff, "rent-new-en", new, "rent-new.txt").status_code == 202
    wait_for(staff, "rent-old-en", "ready")
    wait_for(staff, "rent-new-en", "ready")

    assert (
        staff.post(
            "/api/v1/documents/rent-old-en/supersede", json={"superseded_by": "rent-old-en"}
        ).json()["detail"][0]["field"]
        == "superseded_by"
    )
    response = staff.post(
        "/api/v1/documents/rent-old-en/supersede", json={"superseded_by": "rent-new-en"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["superseded_by"], body["version"]) == (
        "superseded",
        "rent-new-en",
        2,
    )

    page = staff.get("/documents/rent-old-en?lang=en").text
    assert "This document has been superseded" in page and 'href="/documents/rent-new-en"' in page

    patched = staff.patch("/api/v1/documents/rent-new-en", json={"doc_number": "南开〔2026〕3号"})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert staff.patch("/api/v1/documents/rent-new-en", json={"issued": "soon"}).status_code == 422
    # What a text repeals is metadata staff may set and clear (knowledge/repeals.py).
    repeals = staff.patch("/api/v1/documents/rent-new-en", json={"repeals": ["《旧租金办法》"]})
    assert repeals.status_code == 200 and repeals.json()["version"] == 3
    with parts.sessions() as session:
        row = registry.get(session=session, document_id="rent-new-en")
        assert row is not None and row.meta.extra["repeals"] == ["旧租金办法"]
    assert staff.patch("/api/v1/documents/rent-new-en", json={"repeals": [""]}).status_code == 422
    assert staff.patch("/api/v1/documents/rent-new-en", json={"repeals": []}).status_code == 200
    with parts.sessions() as session:
        row = registry.get(session=session, document_id="rent-new-en")
        assert row is not None and "repeals" not in row.meta.extra

    withdrawn = staff.delete("/api/v1/documents/rent-old-en")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    with parts.sessions() as session:
        assert registry.chunk_ids(session=session, document_id="rent-old-en") == []
        assert len(registry.versions_of(session=session, document_id="rent-old-en")) == 3
    # Old answers still link to the public viewer: it says the document was withdrawn.
    assert (
        "The center has withdrawn this document" in staff.get("/documents/rent-old-en?lang=en").text
    )
    listed = [d["id"] for d in staff.get("/api/v1/documents").json()]
    assert "rent-old-en" not in listed and "rent-new-en" in listed
    assert staff.delete("/api/v1/documents/no-such-doc").status_code == 404


def test_a_failed_replacement_keeps_the_old_version_serving_and_shows_the_error(
    parts: Components, staff: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = b"The Nansha biobank storage grant pays RMB 800,000 per year to accredited biobanks."
    assert upload(staff, "biobank-en", old, "biobank.txt").status_code == 202
    wait_for(staff, "biobank-en", "ready")

    def crash(**_: object) -> None:
        raise RuntimeError("disk full while writing vectors")

    monkeypatch.setattr(parts.vector_store, "add_vectors", crash)
    new = old.replace(b"800,000", b"1,200,000")
    replaced = staff.post("/api/v1/documents/biobank-en/versions", files={"file": ("b2.txt", new)})
    assert replaced.status_code == 202

    failed = wait_for(staff, "biobank-en", "failed")
    assert "disk full while writing vectors" in failed["index_error"]
    assert failed["version"] == 1 and "800,000" in failed["text"]
    answer = ask(staff, "How much does the Nansha biobank storage grant pay per year?")
    assert "800,000" in answer["answer"]
    page = staff.get("/staff/knowledge/biobank-en?lang=en").text
    assert "Indexing failed" in page and "disk full while writing vectors" in page
    assert "Version 1 keeps answering" in page


def test_the_openapi_document_describes_the_staff_api(app_client: TestClient) -> None:
    spec = app_client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"post"} <= set(paths["/api/v1/documents"])
    assert {"delete", "patch", "get"} <= set(paths["/api/v1/documents/{document_id}"])
    assert "post" in paths["/api/v1/documents/{document_id}/supersede"]
    upload_body = paths["/api/v1/documents"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body
    schema = spec["components"]["schemas"]["DocumentWithText"]["properties"]["index_status"]
    assert set(schema["enum"]) == {"queued", "indexing", "ready", "failed"}
