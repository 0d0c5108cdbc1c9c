"""Staff maintenance of the knowledge base through the pages: upload, edit, withdraw, prefill."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.forms import csrf_token
from tests.support.knowledge_uploads import meta, upload, wait_for
from web.core.components import Components

# --- the pages ----------------------------------------------------------------------------


def test_the_pages_upload_edit_and_list_with_versions_and_bad_files_re_render(
    parts: Components, staff: TestClient, company: TestClient
) -> None:
    new_page = staff.get("/staff/knowledge/new?lang=en").text
    bad = staff.post(
        "/staff/knowledge",
        data={**meta("page-doc-en"), "csrf_token": csrf_token(new_page)},
        files={"file": ("bad.pdf", b"%PDF-1.4 nothing here")},
        follow_redirects=False,
    )
    assert bad.status_code == 422
    assert "No text could be read from the file" in bad.text
    assert 'value="page-doc-en notice"' in bad.text  # what was typed is kept

    text = b"The Nansha organoid lab voucher is worth RMB 150,000 for each start-up."
    good = staff.post(
        "/staff/knowledge",
        data={**meta("page-doc-en"), "csrf_token": csrf_token(new_page)},
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
            "csrf_token": csrf_token(page),
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
        data={"csrf_token": csrf_token(page)},
        follow_redirects=False,
    )
    assert refused.status_code == 422 and "Tick the box to confirm" in refused.text
    done = staff.post(
        "/staff/knowledge/cold-chain-en/withdraw",
        data={"csrf_token": csrf_token(page), "confirm": "yes"},
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
        data={"csrf_token": csrf_token(page), "title": "", "language": "en"},
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
        data={"csrf_token": csrf_token(page), "title": "My own title"},
        files={"file": ("pilot-notice.md", NOTICE_MD.encode())},
    )
    assert response.status_code == 200 and "<html" in response.text
    assert 'value="My own title"' in response.text
    assert "choose it again" in response.text
    bad = staff.post(
        "/staff/knowledge/new/prefill?lang=en",
        data={"csrf_token": csrf_token(page)},
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


REPEALED_MD = """# 南沙区类器官平台补贴办法

（2021年3月1日南沙区人民政府公布）

第一条 为支持类器官平台建设，制定本办法。

第二条 类器官平台补贴按设备投资额的百分之十给予。

第三条 本办法自2021年3月1日起施行。
"""
REPEALING_MD = """# 南沙区类器官产业扶持办法

（2024年6月1日南沙区人民政府公布）

第一条 为支持类器官产业发展，制定本办法。

第二条 类器官平台补贴按设备投资额的百分之二十给予。

第三条 本办法自2024年7月1日起施行。《南沙区类器官平台补贴办法》同时废止。
"""


# What the metadata form of the 2024 text sends besides the titles it repeals.
FORM_2024 = {
    "title": "南沙区类器官产业扶持办法",
    "language": "zh",
    "category": "regulation",
    "status": "in_force",
    "jurisdiction": "nansha",
    "issuer": "南沙区人民政府",
    "issued": "2024-06-01",
    "effective": "2024-07-01",
}


def _until(check: Any, seconds: float = 30) -> None:
    """Wait for the app to answer from the newest index (it reloads within a second)."""
    import time

    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the index never caught up"
        time.sleep(0.2)


def test_staff_see_and_correct_what_a_text_repeals(staff: TestClient) -> None:
    for doc_id, text in (("organoid-2021", REPEALED_MD), ("organoid-2024", REPEALING_MD)):
        title = text.splitlines()[0].removeprefix("# ")
        response = upload(
            staff,
            doc_id,
            text.encode(),
            f"{doc_id}.md",
            language="zh",
            title=title,
            category="regulation",
        )
        assert response.status_code == 202, response.text
        wait_for(staff, doc_id, "ready")
    repealed_notice = "宣布废止本文件"
    _until(lambda: repealed_notice in staff.get("/documents/organoid-2021?lang=zh").text)

    page = staff.get("/staff/knowledge/organoid-2024?lang=zh").text
    assert re.search(
        r'<textarea id="f-repeals" name="repeals"[^>]*>南沙区类器官平台补贴办法</textarea>', page
    )
    # Staff clear it: the text repeals nothing, and the older one is in force again.
    edited = staff.post(
        "/staff/knowledge/organoid-2024/metadata",
        data={
            **FORM_2024,
            "repeals": "",
            "csrf_token": csrf_token(page),
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    wait_for(staff, "organoid-2024", "ready")
    _until(lambda: repealed_notice not in staff.get("/documents/organoid-2021?lang=zh").text)
    page = staff.get("/staff/knowledge/organoid-2024?lang=zh").text
    assert re.search(r'<textarea id="f-repeals" name="repeals"[^>]*></textarea>', page)
    # Typed back, one title a line (marks and blank lines are tidied away).
    typed = staff.post(
        "/staff/knowledge/organoid-2024/metadata",
        data={
            **FORM_2024,
            "repeals": "《南沙区类器官平台补贴办法》\n\n",
            "csrf_token": csrf_token(page),
        },
        follow_redirects=False,
    )
    assert typed.status_code == 303, typed.text
    wait_for(staff, "organoid-2024", "ready")
    _until(lambda: repealed_notice in staff.get("/documents/organoid-2021?lang=zh").text)
