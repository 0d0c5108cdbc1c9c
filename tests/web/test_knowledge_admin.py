"""Staff maintenance of the knowledge base through the app: JSON API and pages.

One app over its own small knowledge base for the module (the shared index stays read-only):
real SQLite, embedded Chroma, the USE model and the background indexing worker.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fpdf import FPDF

from knowledge import registry
from knowledge.loaders import load_bytes
from portal import accounts
from portal.uscc import check_character
from retrieval.embeddings import EmbeddingModel
from web.app import create_app
from web.core.components import Components, build
from web.settings import Settings

PASSWORD = "correct horse battery"
_serial = itertools.count(1)
BASE = (
    "---\nid: talent-housing-en\ntitle: Nansha talent housing support\nlanguage: en\n"
    "category: policy\njurisdiction: nansha\n---\n"
    "Nansha talent housing support reaches RMB 5 million per person.\n\n## Scope\n\n"
    "Nansha talent housing support covers senior researchers of biomedicine companies.\n"
)


def pdf_bytes(*lines: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert match, "no CSRF field on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def parts(
    tmp_path_factory: pytest.TempPathFactory, use_model: EmbeddingModel
) -> Iterator[Components]:
    settings = Settings(
        environment="test",
        data_dir=tmp_path_factory.mktemp("kb-admin"),
        ingest_on_start=False,
        knowledge_upload_max_mb=1,
    )
    components = build(settings, embeddings=use_model)
    components.indexer.ingest(
        [load_bytes(BASE.encode(), filename="housing.md")], origin="bundled", prune=False
    )
    yield components
    components.engine.dispose()


@pytest.fixture(scope="module")
def app_client(parts: Components) -> Iterator[TestClient]:
    app = create_app(components=parts)
    with TestClient(app) as client:
        assert app.state.ready.wait(120), app.state.startup_error
        yield client


def sign_in(app_client: TestClient, email: str) -> TestClient:
    browser = TestClient(app_client.app)
    data = {"email": email, "password": PASSWORD, "csrf_token": token(browser.get("/login").text)}
    assert browser.post("/login", data=data, follow_redirects=False).status_code == 303
    return browser


@pytest.fixture(scope="module")
def staff(parts: Components, app_client: TestClient) -> Iterator[TestClient]:
    email = f"kb-staff{next(_serial)}@gba-cgt.cn"
    with parts.sessions() as session:
        accounts.create_user(
            session=session, email=email, password=PASSWORD, name="赵工", role="staff"
        )
    browser = sign_in(app_client, email)
    browser.headers["X-CSRF-Token"] = token(browser.get("/staff/knowledge").text)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def company(parts: Components, app_client: TestClient) -> Iterator[TestClient]:
    body = "91440400MD0099887"
    email = "kb-company@example.cn"
    with parts.sessions() as session:
        accounts.register_company(
            session=session,
            company_name="知识库测试生物有限公司",
            credit_code=body + check_character(body),
            contact_name="王芳",
            phone="0755-87654321",
            email=email,
            password=PASSWORD,
        )
    browser = sign_in(app_client, email)
    browser.headers["X-CSRF-Token"] = token(browser.get("/account").text)
    yield browser
    browser.close()


def meta(doc_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": doc_id,
        "title": f"{doc_id} notice",
        "language": "en",
        "category": "policy",
        "jurisdiction": "nansha",
        **extra,
    }


def upload(client: TestClient, doc_id: str, data: bytes, filename: str, **extra: Any):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/documents", data=meta(doc_id, **extra), files={"file": (filename, data)}
    )


def wait_for(client: TestClient, doc_id: str, *states: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/documents/{doc_id}").json()
        if body["index_status"] in states:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{doc_id} never reached {states}: {body}")


def ask(client: TestClient, question: str) -> dict[str, Any]:
    # No waiting: a job is `ready` only once this process answers from the new version.
    response = client.post("/api/v1/chat", json={"question": question})
    assert response.status_code == 200, response.text
    return response.json()


def document_count(parts: Components) -> int:
    with parts.sessions() as session:
        return len(registry.list_documents(session=session, include_withdrawn=True))


# --- the API ------------------------------------------------------------------------------


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


# --- the pages ----------------------------------------------------------------------------


def test_the_pages_upload_edit_and_list_with_versions_and_bad_files_re_render(
    parts: Components, staff: TestClient, company: TestClient
) -> None:
    new_page = staff.get("/staff/knowledge/new?lang=en").text
    bad = staff.post(
        "/staff/knowledge",
        data={**meta("page-doc-en"), "csrf_token": token(new_page)},
        files={"file": ("bad.pdf", b"%PDF-1.4 nothing here")},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert "No text could be read from the file" in bad.text
    assert 'value="page-doc-en notice"' in bad.text  # what was typed is kept

    text = b"The Nansha organoid lab voucher is worth RMB 150,000 for each start-up."
    good = staff.post(
        "/staff/knowledge",
        data={**meta("page-doc-en"), "csrf_token": token(new_page)},
        files={"file": ("organoid.txt", text)},
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert good.headers["location"] == "/staff/knowledge/page-doc-en?done=queued"
    wait_for(staff, "page-doc-en", "ready")

    page = staff.get("/staff/knowledge/page-doc-en?lang=zh").text
    assert "已完成索引" in page and "版本历史" in page
    edited = staff.post(
        "/staff/knowledge/page-doc-en/metadata",
        data={
            **meta("page-doc-en", title="Organoid voucher notice"),
            "csrf_token": token(page),
            "note": "clearer title",
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303
    after = staff.get(edited.headers["location"] + "&lang=en").text
    assert "Saved as version 2" in after and "/staff/knowledge/page-doc-en/impact" in after
    assert "clearer title" in after and "Metadata edited" in after
    version_1 = staff.get("/staff/knowledge/page-doc-en/versions/1").text
    assert "RMB 150,000" in version_1 and "page-doc-en notice" in version_1

    listing = staff.get("/staff/knowledge?lang=en&q=organoid").text
    assert "Organoid voucher notice" in listing and "Indexed" in listing
    assert company.get("/staff/knowledge", follow_redirects=False).status_code == 403


def test_withdraw_needs_the_confirmation_box(staff: TestClient) -> None:
    text = b"The Nansha cold-chain logistics subsidy is 10% of annual freight costs."
    assert upload(staff, "cold-chain-en", text, "cold.txt").status_code == 202
    wait_for(staff, "cold-chain-en", "ready")
    page = staff.get("/staff/knowledge/cold-chain-en?lang=en").text

    refused = staff.post(
        "/staff/knowledge/cold-chain-en/withdraw",
        data={"csrf_token": token(page)},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "Tick the box to confirm" in refused.text
    done = staff.post(
        "/staff/knowledge/cold-chain-en/withdraw",
        data={"csrf_token": token(page), "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Withdrawn on" in staff.get("/staff/knowledge/cold-chain-en?lang=en").text


def test_htmx_polls_only_the_status_block_while_a_job_is_active(
    parts: Components, staff: TestClient
) -> None:
    text = b"The Nansha pilot-plant sharing scheme lends GMP suites for up to 90 days a year."
    assert upload(staff, "pilot-plant-en", text, "pilot.txt").status_code == 202
    wait_for(staff, "pilot-plant-en", "ready")

    fragment = staff.get(
        "/staff/knowledge/pilot-plant-en/status?lang=en", headers={"HX-Request": "true"}
    )

    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<div")
    assert 'id="index-status"' in fragment.text and "Indexed" in fragment.text
    assert "hx-trigger" not in fragment.text  # done: the polling stops
    assert "<html" not in fragment.text
    with parts.sessions() as session:  # a queued job makes the block poll
        from knowledge import jobs

        jobs.enqueue(
            session=session,
            document_id="pilot-plant-en",
            kind="replace",
            target_version=2,
            filename="x.txt",
            staged_path="/nonexistent/x.txt",
            meta={},
            requested_by="s",
        )
        session.commit()
    page = staff.get("/staff/knowledge/pilot-plant-en?lang=en").text
    assert 'hx-trigger="every 1s"' in page and "Queued for indexing" in page
    failed = wait_for(staff, "pilot-plant-en", "failed")
    assert "the uploaded file is gone" in failed["index_error"]


def test_migration_0002_makes_every_existing_document_version_1_with_its_text(
    tmp_path: Any,
) -> None:
    from alembic import command
    from sqlalchemy import create_engine, text

    from web.db import migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = migrate.alembic_config(engine)
    command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "insert into kb_documents (id, title, language, category, status, verified, "
                "extra, text, content_hash, origin, updated_at) values ('old-en', 'Old', 'en', "
                "'policy', 'in_force', 1, '{\"fee\": null}', 'Old text.', 'abc', 'bundled', "
                "'2026-01-01 00:00:00')"
            )
        )

    migrate.upgrade(engine)

    with engine.connect() as connection:
        version = connection.execute(text("select version from kb_documents")).scalar()
        rows = connection.execute(
            text("select document_id, version, change, text, meta from kb_document_versions")
        ).all()
    assert version == 1
    [(doc_id, number, change, body, meta_json)] = rows
    assert (doc_id, number, change, body) == ("old-en", 1, "created", "Old text.")
    assert '"title": "Old"' in meta_json and '"verified": true' in meta_json
    engine.dispose()


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "expected"),
    [
        ("patch", "/api/v1/documents/talent-housing-en", {"json": {"colour": "red"}}, 422),
        ("patch", "/api/v1/documents/talent-housing-en", {"json": {"title": ""}}, 422),
        (
            "patch",
            "/api/v1/documents/talent-housing-en",
            {"json": {"translation_of": "no-such-doc"}},
            422,
        ),
        ("patch", "/api/v1/documents/" + "x" * 5000, {"json": {"title": "x"}}, 404),
        (
            "post",
            "/api/v1/documents/talent-housing-en/supersede",
            {"json": {"superseded_by": "../../etc"}},
            422,
        ),
        ("post", "/api/v1/documents/talent-housing-en/supersede", {"json": {}}, 422),
        (
            "post",
            "/api/v1/documents/no-such-doc/supersede",
            {"json": {"superseded_by": "talent-housing-en"}},
            404,
        ),
        (
            "post",
            "/api/v1/documents/talent-housing-en/versions",
            {"files": {"file": ("", b"")}},
            422,
        ),
        (
            "post",
            "/api/v1/documents/no-such-doc/versions",
            {"files": {"file": ("a.txt", b"Some text about Nansha subsidies for companies.")}},
            404,
        ),
        (
            "post",
            "/api/v1/documents",
            {"data": meta("x-en"), "files": {"file": ("a", b"abc")}},
            422,
        ),
    ],
)
def test_odd_calls_get_a_4xx_with_a_reason_never_a_5xx(
    staff: TestClient, method: str, path: str, kwargs: dict[str, Any], expected: int
) -> None:
    response = getattr(staff, method)(path, **kwargs)
    assert response.status_code == expected, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_knowledge_page_is_fully_translated(staff: TestClient, lang: str) -> None:
    pages = [
        "/staff/knowledge",
        "/staff/knowledge/new",
        "/staff/knowledge/talent-housing-en",
        "/staff/knowledge/talent-housing-en/versions/1",
        "/staff/knowledge?withdrawn=true&index=ready",
    ]
    for path in pages:
        response = staff.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status_code == 200, path
        assert not re.search(r"\b(kb|status|category|jurisdiction)\.[a-z_]+\b", response.text), path
    assert ("知识库维护" if lang == "zh" else "Knowledge base") in response.text


# --- the upload form's help: metadata from the file, the banner that follows the job -------

NOTICE_MD = """# 关于支持南沙细胞治疗中试平台建设的通知

穗南开管〔2025〕7号

广州南沙经济技术开发区管理委员会

2025年3月18日

为支持细胞治疗中试平台建设，对符合条件的平台给予一次性补助。本通知自2025年4月1日起施行。
"""


def test_the_chosen_file_prefills_title_dates_and_issuer_for_staff_to_confirm(
    staff: TestClient,
) -> None:
    page = staff.get("/staff/knowledge/new?lang=zh").text
    assert 'type="date"' in page and 'class="required"' in page
    response = staff.post(
        "/staff/knowledge/new/prefill?lang=zh",
        data={"csrf_token": token(page), "title": "", "language": "en"},
        files={"file": ("pilot-notice.md", NOTICE_MD.encode())},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.text
    assert fragment.lstrip().startswith('<fieldset class="kb-meta" id="upload-meta">')
    assert 'value="关于支持南沙细胞治疗中试平台建设的通知"' in fragment
    assert re.search(r'name="issued" type="date" value="2025-03-18"', fragment)
    assert re.search(r'name="effective" type="date" value="2025-04-01"', fragment)
    assert 'value="穗南开管〔2025〕7号"' in fragment
    assert '<option value="zh" selected>' in fragment  # the file's language, not the default
    assert fragment.count('class="from-file"') >= 4
    assert "请逐项核对" in fragment and "重新选择文件" not in fragment  # htmx keeps the file


def test_prefill_keeps_what_staff_typed_and_without_js_asks_for_the_file_again(
    staff: TestClient,
) -> None:
    page = staff.get("/staff/knowledge/new?lang=en").text
    response = staff.post(
        "/staff/knowledge/new/prefill?lang=en",
        data={"csrf_token": token(page), "title": "My own title"},
        files={"file": ("pilot-notice.md", NOTICE_MD.encode())},
    )
    assert response.status_code == 200 and "<html" in response.text
    assert 'value="My own title"' in response.text
    assert "choose it again" in response.text
    bad = staff.post(
        "/staff/knowledge/new/prefill?lang=en",
        data={"csrf_token": token(page)},
        files={"file": ("scan.pdf", b"%PDF-1.4 nothing here")},
    )
    assert bad.status_code == 200 and "No text could be read from the file" in bad.text


def test_the_indexing_banner_follows_the_job_and_changes_when_it_is_done(
    staff: TestClient,
) -> None:
    text = b"The Nansha biobank shares storage of up to 500 cell lines for each member company."
    uploaded = upload(staff, "cell-line-bank-en", text, "cell-lines.txt")
    assert uploaded.status_code == 202, uploaded.text
    wait_for(staff, "cell-line-bank-en", "ready")
    page = staff.get("/staff/knowledge/cell-line-bank-en?done=queued&lang=en").text
    assert "is being indexed in the background" not in page
    assert "Indexing is done" in page
    fragment = staff.get(
        "/staff/knowledge/cell-line-bank-en/status?lang=en", headers={"HX-Request": "true"}
    ).text
    assert 'id="index-banner"' in fragment and "Indexing is done" in fragment
