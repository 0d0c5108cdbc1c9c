"""Uploads are streamed to disk and each company has a storage quota (finding 8)."""

from __future__ import annotations

import hashlib
import html
import io
import itertools

import pytest
from starlette.datastructures import UploadFile

from portal.attachments import CHUNK, AttachmentStore
from portal.texts import FILE_ERRORS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_keys = itertools.count(1)


class CountingFile(io.BytesIO):
    """A file that remembers the largest single read."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        data = super().read(size)
        self.largest = max(self.largest, len(data))
        return data


def test_the_store_checks_and_writes_a_file_in_chunks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    content = PDF + b"0" * (3 * 1024 * 1024)
    upload = CountingFile(content)
    store = AttachmentStore(tmp_path, max_bytes=8 * 1024 * 1024)

    assert store.inspect("big.pdf", upload) == "application/pdf"
    digest = store.save(upload)

    assert digest == hashlib.sha256(content).hexdigest()
    assert store.read(digest) == content
    assert upload.largest <= CHUNK  # never the whole file at once


def _submit(browser, data: bytes):  # type: ignore[no-untyped-def]
    form = {
        "csrf_token": browser.csrf,
        "idempotency_key": f"stream-{next(_keys)}",
        "service_code": "general_consultation",
        "title": "大文件",
        "description": "附件。",
    }
    return browser.client.post(
        "/requests?lang=en",
        data=form,
        files=[("files", ("plan.pdf", data, "application/pdf"))],
        follow_redirects=False,
    )


def test_a_form_upload_is_never_read_whole_into_memory(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    company = world.new_company("流式上传公司")

    async def refuse(self, size: int = -1) -> bytes:  # the old code read every file whole
        raise AssertionError("an uploaded file was read into memory whole")

    monkeypatch.setattr(UploadFile, "read", refuse)
    response = _submit(company, PDF + b"0" * (200 * 1024))

    assert response.status_code == 303, response.text[:300]


@pytest.fixture
def quota(world):  # type: ignore[no-untyped-def]
    store = world.app.state.portal.store
    before = store.company_quota_bytes
    store.company_quota_bytes = 300 * 1024
    yield
    store.company_quota_bytes = before


def test_a_company_over_its_storage_quota_is_refused_with_a_reason(world, quota) -> None:  # type: ignore[no-untyped-def]
    company = world.new_company("配额测试公司")

    first = _submit(company, PDF + b"1" * (200 * 1024))
    second = _submit(company, PDF + b"2" * (200 * 1024))

    assert first.status_code == 303, first.text[:300]
    assert second.status_code == 422
    assert FILE_ERRORS["quota_exceeded"][1] in html.unescape(second.text)
