"""Two editions of one text in the library: answers quote the current one, the older one's
page says which version replaced it, and withdrawing the newer makes the older current again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge.loaders import load_bytes
from web.app import create_app
from web.core.components import Components

QUESTION = "洁净车间补贴的比例是多少？"


def _version(doc_id: str, issued: str, rate: str):  # type: ignore[no-untyped-def]
    # As a real file carries it: no front matter, the date in the opening lines.
    text = (
        "南沙区洁净车间补贴办法\n\n"
        f"（{issued[:4]}年{int(issued[5:7])}月{int(issued[8:])}日南沙区人民政府公布）\n\n"
        "第一条 为支持生物医药企业建设洁净车间，制定本办法。\n\n"
        f"第二条 洁净车间补贴按固定资产投资额的{rate}给予。\n\n"
        f"第三条 本办法自{issued[:4]}年{int(issued[5:7])}月{int(issued[8:])}日起施行。\n"
    )
    return load_bytes(text.encode(), filename=f"{doc_id}.md")


OLD = _version("cleanroom-2021", "2021-03-01", "百分之十")
NEW = _version("cleanroom-2024", "2024-06-01", "百分之二十")


@pytest.fixture
def app_client(fresh_components: Components) -> Iterator[TestClient]:
    """The app over the two editions only (the test withdraws one)."""
    assert OLD.meta.title == NEW.meta.title and OLD.meta.issued < NEW.meta.issued
    fresh_components.indexer.ingest([NEW, OLD], origin="local", prune=False)
    fresh_components.assistant.refresh()
    app = create_app(components=fresh_components)
    with TestClient(app) as client:
        assert app.state.ready.wait(120), app.state.startup_error
        yield client


def _cited(client: TestClient) -> list[dict[str, Any]]:
    response = client.post("/api/v1/chat", json={"question": QUESTION})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["refused"], body
    return list(body["citations"])


def test_answers_quote_the_current_edition_and_the_old_page_names_it(
    app_client: TestClient, fresh_components: Components
) -> None:
    cited = _cited(app_client)
    assert [c["document_id"] for c in cited][:1] == [NEW.id], cited
    assert all(c["document_id"] != OLD.id for c in cited), "the older edition is not quoted"

    old_page = app_client.get(f"/documents/{OLD.id}").text
    assert f'href="/documents/{NEW.id}"' in old_page
    assert "newer version of this text" in old_page or "较新版本" in old_page
    assert "status-superseded" in old_page
    new_page = app_client.get(f"/documents/{NEW.id}").text
    assert "status-in_force" in new_page and "较新版本" not in new_page

    # Withdrawing the newer edition makes the older one current again, at once.
    knowledge = app_client.app.state.knowledge
    assert knowledge.withdraw(document_id=NEW.id, changed_by="孙工")
    fresh_components.assistant.refresh()
    assert fresh_components.assistant.index().documents[OLD.id].status == "in_force"
    assert [c["document_id"] for c in _cited(app_client)][:1] == [OLD.id]
    old_page = app_client.get(f"/documents/{OLD.id}").text
    assert "status-in_force" in old_page and f'href="/documents/{NEW.id}"' not in old_page


def test_a_question_naming_an_older_editions_year_is_answered_from_that_edition(
    app_client: TestClient,
) -> None:
    """ "2021年的…办法第二条" asks about the 2021 edition; without a year, the current one."""
    asked = {}
    for question in ("2021年的南沙区洁净车间补贴办法第二条", "南沙区洁净车间补贴办法第二条"):
        response = app_client.post("/api/v1/chat", json={"question": question})
        assert response.status_code == 200, response.text
        body = response.json()
        assert not body["refused"], body
        asked[question] = body
    old, new = asked.values()
    assert [c["document_id"] for c in old["citations"]] == [OLD.id], old
    assert "百分之十" in old["answer"] and "百分之二十" not in old["answer"]
    assert [c["document_id"] for c in new["citations"]] == [NEW.id], new
    assert "百分之二十" in new["answer"]
    # The older edition is quoted as what it is: replaced by the 2024 edition of the text.
    assert "已被2024年版《南沙区洁净车间补贴办法》取代" in old["answer"], old["answer"]


def test_asked_whether_an_older_edition_applies_the_answer_names_the_edition_in_force(
    app_client: TestClient,
) -> None:
    """ "2021年版…还有效吗？": that edition was replaced, by which one, and that one's record and
    commencement clause; without a year the current edition is the one asked about."""
    for question, lead in (
        (
            "2021年版南沙区洁净车间补贴办法还有效吗？",
            "《南沙区洁净车间补贴办法》（2021年版）已被2024年版《南沙区洁净车间补贴办法》取代。"
            "据文档库记录，《南沙区洁净车间补贴办法》（2024年版）现行有效：库中没有废止或取代它的"
            "文本。\n",
        ),
        (
            "Is the 2021 南沙区洁净车间补贴办法 still in force?",
            "The 2021 edition of 《南沙区洁净车间补贴办法》 was superseded by the 2024 edition of "
            "《南沙区洁净车间补贴办法》. According to the library's records, "
            "《南沙区洁净车间补贴办法》 (2024 edition) is in force: no text in the library repeals "
            "or replaces it.\n",
        ),
        (
            "南沙区洁净车间补贴办法还有效吗？",
            "据文档库记录，《南沙区洁净车间补贴办法》（2024年版）现行有效",
        ),
    ):
        response = app_client.post("/api/v1/chat", json={"question": question})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["answer"].startswith(lead), body["answer"]
        assert [(c["document_id"], c["article"]) for c in body["citations"]] == [
            (NEW.id, "第三条")
        ], body


def test_the_library_list_shows_and_filters_the_status_answers_use(app_client: TestClient) -> None:
    """The older edition's row stores "in force"; the list says superseded, as answers do."""
    superseded = app_client.get("/documents", params={"status": "superseded"}).text
    in_force = app_client.get("/documents", params={"status": "in_force"}).text
    assert f'href="/documents/{OLD.id}"' in superseded
    assert f'href="/documents/{NEW.id}"' not in superseded
    assert f'href="/documents/{NEW.id}"' in in_force
    assert f'href="/documents/{OLD.id}"' not in in_force
    listing = app_client.get("/documents", params={"q": "洁净车间"}).text
    old_row = listing[listing.index(f'href="/documents/{OLD.id}"') :].split("</li>")[0]
    assert "status-superseded" in old_row, old_row
