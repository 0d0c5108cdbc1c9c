"""One app over its own small knowledge base per module, and its staff and company users.

The shared index stays read-only: these tests change documents, with real SQLite, embedded
Chroma, the USE model and the background indexing worker. The `staff` and `company` here are
module-scoped users of this app (with the CSRF header set), not the shared app's.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from knowledge.loaders import load_bytes
from retrieval.embeddings import EmbeddingModel
from tests.support.forms import csrf_token
from tests.support.session import company_browser, staff_browser
from web.app import create_app
from web.core.components import Components, build
from web.settings import Settings

BASE = (
    "---\nid: talent-housing-en\ntitle: Nansha talent housing support\nlanguage: en\n"
    "category: policy\njurisdiction: nansha\n---\n"
    "Nansha talent housing support reaches RMB 5 million per person.\n\n## Scope\n\n"
    "Nansha talent housing support covers senior researchers of biomedicine companies.\n"
)


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


@pytest.fixture(scope="module")
def staff(parts: Components, app_client: TestClient) -> Iterator[TestClient]:
    """A member of staff signed in to this module's app."""
    browser = staff_browser(parts, app_client)
    browser.headers["X-CSRF-Token"] = csrf_token(browser.get("/staff/knowledge").text)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def company(parts: Components, app_client: TestClient) -> Iterator[TestClient]:
    """A company user signed in to this module's app."""
    browser = company_browser(parts, app_client, "知识库测试生物有限公司")
    browser.headers["X-CSRF-Token"] = csrf_token(browser.get("/account").text)
    yield browser
    browser.close()
