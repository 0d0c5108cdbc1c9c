"""Hostile uploads are refused with a reason and leave nothing behind; names never become paths.

Each file goes through the real request form of a fresh company (multipart, as a browser sends
it). Refused: the form comes back (422) with the reason in the user's language, the company has
no new request, and the uploads folder holds exactly the files it held before.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest

from portal.texts import FILE_ERRORS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="x"/>'


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb(part: str, size: int = 30 * 1024 * 1024) -> bytes:
    """An Office document whose one part inflates from ~30 KiB to `size` bytes of zeros."""
    return _zip({"[Content_Types].xml": CONTENT_TYPES, part: b"\0" * size})


JAR = _zip({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\nMain-Class: Evil\n"})

# name, bytes, the reason's message key (portal/texts.py FILE_ERRORS)
REFUSED = {
    "pdf that is also html": (
        "report.pdf",
        b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n",
        "file_polyglot",
    ),
    "pdf that is also svg": (
        "report.pdf",
        b"%PDF-1.7\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        "file_polyglot",
    ),
    "pdf with a jar appended (GIFAR)": ("report.pdf", PDF + JAR, "file_polyglot"),
    "jpeg with a jar appended (GIFAR)": ("photo.jpg", JPEG + JAR, "file_polyglot"),
    "png that is also html": (
        "scan.png",
        PNG + b"<html><script>alert(1)</script>",
        "file_polyglot",
    ),
    "html named .pdf": (
        "report.pdf",
        b"<html><script>alert(1)</script></html>",
        "file_content_mismatch",
    ),
    "svg named .png": ("logo.png", b"<svg onload='alert(1)'/>", "file_content_mismatch"),
    "pdf named .png": ("scan.png", PDF, "file_content_mismatch"),
    "zip named .docx": ("plan.docx", JAR, "file_content_mismatch"),
    "xlsx named .docx": (
        "plan.docx",
        _zip({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<x/>"}),
        "file_content_mismatch",
    ),
    "exe": ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "file_type_not_allowed"),
    "html": ("page.html", b"<html><script>alert(1)</script></html>", "file_type_not_allowed"),
    "svg": ("logo.svg", b"<svg onload='alert(1)'/>", "file_type_not_allowed"),
    "double extension": ("invoice.pdf.html", b"<html></html>", "file_type_not_allowed"),
    "rtl override hiding .exe": ("invoice\u202efdp.exe", b"MZ\x90\x00", "file_type_not_allowed"),
    "path traversal, no extension": ("../../etc/passwd", b"root:x:0:0", "file_type_not_allowed"),
    "only dots": ("..", PDF, "file_bad_name"),
    "empty": ("empty.pdf", b"", "file_empty"),
    "over the size limit": ("big.pdf", "OVERSIZED", "file_too_large"),
    "docx zip bomb": ("plan.docx", _bomb("word/document.xml"), "file_unsafe_archive"),
    "xlsx zip bomb": ("sheet.xlsx", _bomb("xl/worksheets/sheet1.xml"), "file_unsafe_archive"),
    "docx with 2100 parts": (
        "plan.docx",
        _zip(
            {
                "[Content_Types].xml": CONTENT_TYPES,
                **{f"word/p{i}.xml": b"<p/>" for i in range(2100)},
            }
        ),
        "file_unsafe_archive",
    ),
}


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def _post(world, company, name: str, data: bytes, lang: str = "en"):  # type: ignore[no-untyped-def]
    form = {
        "csrf_token": company.csrf,
        "idempotency_key": f"upload-{name[:20]}-{len(data)}",
        "service_code": "general_consultation",
        "title": "附件测试",
        "description": "附件。",
    }
    return company.client.post(
        f"/requests?lang={lang}",
        data=form,
        files=[("files", (name, data, "application/pdf"))],
        follow_redirects=False,
    )


@pytest.fixture(scope="module")
def uploader(world):  # type: ignore[no-untyped-def]
    """A company that only ever sends hostile files."""
    return world.new_company("上传测试公司")


@pytest.mark.parametrize("case", list(REFUSED))
def test_hostile_files_are_refused_with_a_reason_and_nothing_is_stored(
    world, uploader, attack, case: str
) -> None:  # type: ignore[no-untyped-def]
    name, data, reason = REFUSED[case]
    if data == "OVERSIZED":
        data = PDF + b"0" * attack.UPLOAD_LIMIT
    uploads = world.components.settings.uploads_path
    before = _files_under(uploads)

    response = _post(world, uploader, name, data)

    assert response.status_code == 422, (response.status_code, response.text[:300])
    assert FILE_ERRORS[reason][1] in html.unescape(response.text)
    assert uploader.client.get("/api/v1/requests").json() == []
    assert _files_under(uploads) == before


def test_the_reason_is_given_in_chinese_on_the_chinese_page(world, uploader) -> None:  # type: ignore[no-untyped-def]
    response = _post(world, uploader, "report.pdf", PDF + JAR, lang="zh")

    assert response.status_code == 422
    assert FILE_ERRORS["file_polyglot"][0] in response.text


def test_a_body_over_the_apps_limit_is_refused_before_it_is_read(world, uploader, attack) -> None:  # type: ignore[no-untyped-def]
    uploads = world.components.settings.uploads_path
    before = _files_under(uploads)

    response = _post(world, uploader, "huge.pdf", PDF + b"0" * attack.BODY_LIMIT)

    assert response.status_code == 413, response.text[:300]
    assert response.text == "Content Too Large"  # fixed text, nothing of the request echoed
    assert uploader.client.get("/api/v1/requests").json() == []
    assert _files_under(uploads) == before


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        ("../../../../tmp/evil.pdf", "evil.pdf"),
        ("/etc/cron.d/job.pdf", "job.pdf"),
        ("invoice\u202egnp.pdf", "invoicegnp.pdf"),
        ("a" * 400 + ".pdf", "a" * 196 + ".pdf"),
    ],
)
def test_path_tricks_in_names_are_neutralised_and_names_never_become_paths(
    world, sent: str, shown: str
) -> None:  # type: ignore[no-untyped-def]
    company = world.new_company("文件名测试公司")
    uploads = world.components.settings.uploads_path
    before = _files_under(uploads)
    unique = PDF + sent.encode("utf-8", "replace")[:64]  # a new file each time

    created = _post(world, company, sent, unique)

    assert created.status_code == 303, created.text[:300]
    number = created.headers["location"].split("/")[2].split("?")[0]
    timeline = company.client.get(f"/api/v1/requests/{number}").json()["timeline"]
    names = [entry["summary"] for entry in timeline if entry["kind"] == "attachment"]
    assert names == [shown]
    new = _files_under(uploads) - before
    assert len(new) == 1
    (path,) = new
    assert re.fullmatch(r"[0-9a-f]{64}", path.name) and path.parent.parent.parent == uploads
    page = company.client.get(f"/requests/{number}").text
    link = re.search(rf"/requests/{number}/attachments/\d+", page)
    assert link
    download = company.client.get(link.group(0))
    assert download.content == unique
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "/" not in download.headers["content-disposition"].split("filename=")[1].split(";")[0]


def test_html_in_a_text_file_is_served_as_inert_text(world) -> None:  # type: ignore[no-untyped-def]
    company = world.new_company("文本文件公司")
    html = b"<html><script>alert(1)</script></html>"

    created = _post(world, company, "notes.txt", html)

    assert created.status_code == 303
    number = created.headers["location"].split("/")[2].split("?")[0]
    link = re.search(
        rf"/requests/{number}/attachments/\d+", company.client.get(f"/requests/{number}").text
    )
    assert link
    download = company.client.get(link.group(0))
    assert download.headers["content-type"].startswith("text/plain")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert download.headers["content-disposition"].startswith("attachment;")


def test_replies_refuse_hostile_files_too(world, attack) -> None:  # type: ignore[no-untyped-def]
    company = world.new_company("回复附件公司")
    number = world.submit(company, title="回复测试", description="回复附件。")
    before = company.client.get(f"/api/v1/requests/{number}").json()["timeline"]

    response = company.client.post(
        f"/requests/{number}/messages?lang=en",
        data={"body": "see file", "csrf_token": company.csrf},
        files=[("files", ("report.pdf", PDF + JAR, "application/pdf"))],
    )

    assert response.status_code == 422
    assert FILE_ERRORS["file_polyglot"][1] in html.unescape(response.text)
    assert company.client.get(f"/api/v1/requests/{number}").json()["timeline"] == before


# --- documents uploaded by staff into the knowledge base ------------------------------------


def _staff_upload(world, name: str, data: bytes):  # type: ignore[no-untyped-def]
    return world.staff.client.post(
        "/api/v1/documents",
        data={"title": "上传测试", "language": "zh", "category": "news", "id": "upload-test"},
        files=[("file", (name, data, "application/octet-stream"))],
        headers={"X-CSRF-Token": world.staff.csrf},
    )


def _docx_bomb(inflated: int = 300 * 1024 * 1024) -> bytes:
    """A real DOCX whose document.xml inflates from ~300 KiB to `inflated` bytes."""
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("bomb")
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    padding = b"<!--" + b" " * inflated + b"-->"
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"<w:body>", b"<w:body>" + padding
    )
    return _zip(parts)


def test_a_docx_bomb_uploaded_by_staff_is_refused_before_it_inflates(world) -> None:  # type: ignore[no-untyped-def]
    import time

    bomb = _docx_bomb()
    started = time.perf_counter()
    response = _staff_upload(world, "bomb.docx", bomb)

    assert response.status_code == 422, response.text[:300]
    assert "inflate unsafely" in response.json()["detail"][0]["message"]
    assert time.perf_counter() - started < 5  # refused without inflating 300 MiB
    assert world.fresh().get("/api/v1/documents/upload-test").status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        ("page.docx", b"<html><script>alert(1)</script></html>"),
        ("../../etc/passwd", b"root:x:0:0"),
    ],
)
def test_staff_document_uploads_refuse_bombs_and_disguised_files(world, name, data) -> None:  # type: ignore[no-untyped-def]
    import time

    started = time.perf_counter()
    response = _staff_upload(world, name, data)

    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.json()["detail"]
    assert time.perf_counter() - started < 10
    assert world.fresh().get("/api/v1/documents/upload-test").status_code == 404
