"""A text another one repeals by name in its closing articles: answers quote the repealing
text, the repealed one is labelled as such, its page names what repealed it, and withdrawing the
repealing text makes it current again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge.loaders import load_bytes
from web.app import create_app
from web.core.components import Components

# As real files carry them: no front matter, the date in the opening lines, the repeal at the end.
OLD = load_bytes(
    (
        "南沙区洁净车间补贴办法\n\n（2021年3月1日南沙区人民政府公布）\n\n"
        "第一条 为支持生物医药企业建设洁净车间，制定本办法。\n\n"
        "第二条 洁净车间补贴按固定资产投资额的百分之十给予。\n\n"
        "第三条 本办法自2021年3月1日起施行。\n"
    ).encode(),
    filename="cleanroom-2021.md",
)
NEW = load_bytes(
    (
        "南沙区生物医药产业扶持办法\n\n（2024年6月1日南沙区人民政府公布）\n\n"
        "第一条 为支持生物医药产业发展，制定本办法。\n\n"
        "第二条 企业建设洁净车间的，洁净车间补贴按固定资产投资额的百分之二十给予。\n\n"
        "第三条 本办法自2024年7月1日起施行。《南沙区洁净车间补贴办法》同时废止。\n"
    ).encode(),
    filename="biomed-2024.md",
)


@pytest.fixture
def app_client(fresh_components: Components) -> Iterator[TestClient]:
    """The app over the two texts only (the test withdraws one)."""
    assert NEW.meta.extra["repeals"] == ["南沙区洁净车间补贴办法"]
    fresh_components.indexer.ingest([NEW, OLD], origin="local", prune=False)
    fresh_components.assistant.refresh()
    app = create_app(components=fresh_components)
    with TestClient(app) as client:
        assert app.state.ready.wait(120), app.state.startup_error
        yield client


def _ask(client: TestClient, question: str) -> dict[str, Any]:
    response = client.post("/api/v1/chat", json={"question": question})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["refused"], body
    return dict(body)


def test_answers_quote_the_repealing_text_and_the_repealed_page_names_it(
    app_client: TestClient, fresh_components: Components
) -> None:
    body = _ask(app_client, "洁净车间补贴的比例是多少？")
    cited = [c["document_id"] for c in body["citations"]]
    assert cited[:1] == [NEW.id] and OLD.id not in cited, body

    old_page = app_client.get(f"/documents/{OLD.id}").text
    assert "repeal this one" in old_page or "宣布废止本文件" in old_page
    assert f'href="/documents/{NEW.id}"' in old_page and "status-superseded" in old_page
    new_page = app_client.get(f"/documents/{NEW.id}").text
    assert "status-in_force" in new_page and "宣布废止本文件" not in new_page
    # The repealing text's page lists what it repeals, with a link to the text the library holds.
    assert f'<a href="/documents/{OLD.id}">《南沙区洁净车间补贴办法》</a>' in new_page
    superseded = app_client.get("/documents", params={"status": "superseded"}).text
    assert f'href="/documents/{OLD.id}"' in superseded

    # Withdrawing the repealing text makes the repealed one current again, at once.
    knowledge = app_client.app.state.knowledge
    assert knowledge.withdraw(document_id=NEW.id, changed_by="孙工")
    fresh_components.assistant.refresh()
    assert fresh_components.assistant.index().documents[OLD.id].status == "in_force"
    old_page = app_client.get(f"/documents/{OLD.id}").text
    assert "status-in_force" in old_page and "宣布废止本文件" not in old_page


def test_a_question_naming_the_repealed_text_is_told_it_was_repealed(
    app_client: TestClient,
) -> None:
    # Its article is quoted, and the answer first says the text no longer applies.
    body = _ask(app_client, "南沙区洁净车间补贴办法第二条")
    assert [c["document_id"] for c in body["citations"]] == [OLD.id], body
    assert body["answer"].startswith(
        "（《南沙区洁净车间补贴办法》已被《南沙区生物医药产业扶持办法》废止。）"
    ), body["answer"]
    body = _ask(app_client, "What does Article 2 of the 南沙区洁净车间补贴办法 say?")
    assert [c["document_id"] for c in body["citations"]] == [OLD.id], body
    assert body["answer"].startswith(
        "(Note: 《南沙区洁净车间补贴办法》 was repealed by 《南沙区生物医药产业扶持办法》.) "
    ), body["answer"]
    assert "(repealed by 《南沙区生物医药产业扶持办法》)" in body["answer"], body["answer"]
    # Asked whether a text still applies: its status is the answer, and the clause that decides
    # it the quote (the repealing clause; for the text in force, its commencement clause).
    for question, lead in (
        (
            "南沙区洁净车间补贴办法还有效吗？",
            "《南沙区洁净车间补贴办法》已被《南沙区生物医药产业扶持办法》废止。\n",
        ),
        (
            "Is the 南沙区洁净车间补贴办法 still in force?",
            "《南沙区洁净车间补贴办法》 was repealed by 《南沙区生物医药产业扶持办法》.\n",
        ),
        (
            "南沙区生物医药产业扶持办法现在还适用吗？",
            "据文档库记录，《南沙区生物医药产业扶持办法》（2024年版）现行有效：库中没有废止或取代"
            "它的文本。\n",
        ),
        (
            "Is the 南沙区生物医药产业扶持办法 still valid?",
            "According to the library's records, 《南沙区生物医药产业扶持办法》 (2024 edition) is"
            " in force: no text in the library repeals or replaces it.\n",
        ),
        # The clause the question names is quoted once.
        ("南沙区生物医药产业扶持办法第三条还有效吗？", "据文档库记录"),
        # An edition the library does not hold, and a Traditional question, are said first.
        (
            "2023年版南沙区生物医药产业扶持办法还有效吗？",
            "（本库没有2023年版的《南沙区生物医药产业扶持办法》，以下引自其2024年版。）据文档库记录",
        ),
        (
            "南沙區生物醫藥產業扶持辦法還有效嗎？",
            "（以下引文为文件原文，使用简体字。）据文档库记录",
        ),
    ):
        body = _ask(app_client, question)
        assert body["answer"].startswith(lead), body["answer"]
        assert [(c["document_id"], c["article"]) for c in body["citations"]] == [
            (NEW.id, "第三条")
        ], body
    # Asked about an article of the repealed text: the repeal, then that article.
    body = _ask(app_client, "南沙区洁净车间补贴办法第二条还适用吗？")
    assert body["answer"].startswith(
        "《南沙区洁净车间补贴办法》已被《南沙区生物医药产业扶持办法》废止。\n"
    ), body["answer"]
    assert [(c["document_id"], c["article"]) for c in body["citations"]] == [
        (NEW.id, "第三条"),
        (OLD.id, "第二条"),
    ], body
    # A question that does not ask whether it applies is answered from the current text.
    body = _ask(app_client, "洁净车间补贴的比例是多少？")
    assert not body["answer"].startswith("（"), body["answer"]


def test_a_text_the_library_does_not_hold_but_a_held_one_repealed_is_answered_with_the_repeal(
    fresh_components: Components,
) -> None:
    fresh_components.indexer.ingest([NEW], origin="local", prune=False)
    fresh_components.assistant.refresh()
    assistant = fresh_components.assistant
    assert set(assistant.index().repealed_elsewhere) == {"南沙区洁净车间补贴办法"}

    answer = assistant.answer("南沙区洁净车间补贴办法还有效吗？")
    assert not answer.refused, answer.answer
    assert answer.answer.startswith(
        "《南沙区洁净车间补贴办法》已被《南沙区生物医药产业扶持办法》废止，文档库未收录其原文。"
    )
    assert [(c.document_id, c.article) for c in answer.citations] == [(NEW.id, "第三条")]
    assert "《南沙区洁净车间补贴办法》同时废止" in answer.citations[0].quote

    answer = assistant.answer("What does Article 2 of the 《南沙区洁净车间补贴办法》 say?")
    assert not answer.refused and answer.answer.startswith(
        "《南沙区洁净车间补贴办法》 was repealed by 《南沙区生物医药产业扶持办法》;"
    ), answer.answer

    # A text nobody repealed is still reported missing, with nothing quoted.
    answer = assistant.answer("《南沙区细胞治疗产业扶持办法》第二条规定了什么？")
    assert answer.refused and answer.reason == "missing_regulation" and not answer.citations


def test_a_repeal_the_library_holds_no_text_for_is_listed_as_not_held(
    fresh_components: Components,
) -> None:
    fresh_components.indexer.ingest([NEW], origin="local", prune=False)
    fresh_components.assistant.refresh()
    app = create_app(components=fresh_components)
    with TestClient(app) as client:
        assert app.state.ready.wait(120), app.state.startup_error
        page = client.get(f"/documents/{NEW.id}?lang=en").text
    assert "<dt>Repeals</dt>" in page
    assert '《南沙区洁净车间补贴办法》 <small class="hint">(not in the library)</small>' in page


def test_an_english_question_names_a_repealed_law_by_its_english_name(
    fresh_components: Components,
) -> None:
    """The glossary knows the laws the Foreign Investment Law repealed by their English names."""
    text = (
        "中华人民共和国外商投资法\n\n（2019年3月15日第十三届全国人民代表大会第二次会议通过）\n\n"
        "第一条 为了进一步扩大对外开放，积极促进外商投资，制定本法。\n\n"
        "第二条 在中华人民共和国境内的外商投资，适用本法。\n\n"
        "第三条 本法自2020年1月1日起施行。《中华人民共和国中外合资经营企业法》、"
        "《中华人民共和国外资企业法》、《中华人民共和国中外合作经营企业法》同时废止。\n"
    )
    fresh_components.indexer.ingest(
        [load_bytes(text.encode(), filename="fil.md")], origin="local", prune=False
    )
    fresh_components.assistant.refresh()
    answer = fresh_components.assistant.answer(
        "Is the Wholly Foreign-Owned Enterprise Law still in force?"
    )
    assert not answer.refused, answer.answer
    assert answer.answer.startswith(
        "The Law of the People's Republic of China on Wholly Foreign-Owned Enterprises"
        " (《中华人民共和国外资企业法》) was repealed by the Foreign Investment Law of the People's"
        " Republic of China; the library does not hold its text."
    ), answer.answer
    assert [c.article for c in answer.citations] == ["第三条"]


def test_the_rules_implementing_a_repealed_law_are_not_taken_for_the_law(
    fresh_components: Components,
) -> None:
    """外资企业法实施细则, 《外资企业法》实施细则 and "the Rules for the Implementation of the
    Wholly Foreign-Owned Enterprise Law" name the rules the Regulation repealed, not the law the
    Foreign Investment Law repealed; rules nobody holds or repealed are said missing as named."""
    law = (
        "中华人民共和国外商投资法\n\n（2019年3月15日第十三届全国人民代表大会第二次会议通过）\n\n"
        "第一条 为了进一步扩大对外开放，积极促进外商投资，制定本法。\n\n"
        "第二条 本法自2020年1月1日起施行。《中华人民共和国外资企业法》同时废止。\n"
    )
    regulation = (
        "中华人民共和国外商投资法实施条例\n\n（2019年12月26日中华人民共和国国务院令第723号公布）\n\n"
        "第一条 根据《中华人民共和国外商投资法》，制定本条例。\n\n"
        "第二条 本条例自2020年1月1日起施行。《中华人民共和国外资企业法实施细则》同时废止。\n"
    )
    fresh_components.indexer.ingest(
        [
            load_bytes(law.encode(), filename="fil.md"),
            load_bytes(regulation.encode(), filename="fir.md"),
        ],
        origin="local",
        prune=False,
    )
    fresh_components.assistant.refresh()
    ask = fresh_components.assistant.answer
    rules_repealed = (
        "《中华人民共和国外资企业法实施细则》已被《中华人民共和国外商投资法实施条例》废止"
    )
    for question in ("外资企业法实施细则还有效吗？", "《外资企业法》实施细则第三条还适用吗？"):
        answer = ask(question)
        assert answer.answer.startswith(rules_repealed), (question, answer.answer)
        assert [c.title for c in answer.citations] == ["中华人民共和国外商投资法实施条例"]
    english = ask(
        "Are the Rules for the Implementation of the Wholly Foreign-Owned Enterprise Law still"
        " valid?"
    )
    assert english.answer.startswith(
        "The Detailed Rules for the Implementation of the Law of the People's Republic of China on"
        " Wholly Foreign-Owned Enterprises (《中华人民共和国外资企业法实施细则》) was repealed"
        " by the Regulation for the Implementation"
    ), english.answer
    # The law itself is still the law.
    assert ask("外资企业法还有效吗？").answer.startswith(
        "《中华人民共和国外资企业法》已被《中华人民共和国外商投资法》废止"
    )
    # Rules the glossary knows are named by their English name and Chinese title; others as
    # the question wrote them.
    for question, named in (
        (
            "What do the Implementing Regulations of the Patent Law say about fees?",
            "the Implementing Regulations of the Patent Law of the People's Republic of China"
            " (《专利法实施细则》)",
        ),
        (
            "What do the Implementing Rules of the Advertising Law say about fees?",
            "“Implementing Rules of the Advertising Law”",
        ),
    ):
        missing = ask(question)
        assert missing.refused, missing.answer
        assert missing.answer.startswith(f"The center's library does not hold {named}"), missing
