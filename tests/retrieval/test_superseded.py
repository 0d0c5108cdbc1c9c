"""How answers label superseded documents (retrieval.document_status: status_label, past)."""

from __future__ import annotations

import pytest

from knowledge.documents import DocumentMeta
from retrieval.document_status import (
    asks_about_the_past,
    asks_if_in_force,
    current_edition,
    edition_sentence,
    status_label,
    status_note,
    status_sentence,
)
from retrieval.index import KnowledgeIndex
from tests.retrieval.library import empty_library as _empty_library

# A text staff marked superseded by another, and rules a regulation's closing article repealed.
CELL_BANK: dict[str, dict[str, object]] = {
    "old-zh": {
        "title": "旧办法",
        "language": "zh",
        "status": "superseded",
        "superseded_by": "new-zh",
    },
    "new-zh": {"title": "《细胞库登记办法》", "language": "zh"},
}
REPEALED_RULES: dict[str, dict[str, object]] = {
    "cjv-rules": {
        "title": "中华人民共和国中外合作经营企业法实施细则",
        "language": "zh",
        "status": "superseded",
        "superseded_by": "fie-rules",
        "repealed_by": "fie-rules",
    },
    "fie-rules": {"title": "中华人民共和国外商投资法实施条例", "language": "zh"},
}


def _index(**documents: dict[str, object]) -> KnowledgeIndex:
    metas = {
        doc_id: DocumentMeta.model_validate({"id": doc_id, "category": "regulation", **values})
        for doc_id, values in documents.items()
    }
    return KnowledgeIndex(generation=1, documents=metas, sessions=_empty_library(), model_id="t")


def test_a_superseded_document_names_its_replacement_in_both_languages() -> None:
    index = _index(
        **{
            **CELL_BANK,
            "old-en": {
                "title": "Old rules",
                "language": "en",
                "status": "superseded",
                "superseded_by": "new-en",
            },
            "new-en": {"title": "Cell bank measures", "language": "en"},
        }
    )

    assert status_label(index, "old-zh", "zh") == "已被《细胞库登记办法》取代"
    assert status_label(index, "old-en", "en") == "superseded by “Cell bank measures”"
    assert status_label(index, "new-en", "en") is None


def test_a_repealed_text_is_said_repealed_and_a_chinese_text_named_in_english() -> None:
    index = _index(
        **{
            **REPEALED_RULES,
            **CELL_BANK,
        }
    )

    assert status_label(index, "cjv-rules", "zh") == "已被《中华人民共和国外商投资法实施条例》废止"
    assert status_label(index, "cjv-rules", "en") == (
        "repealed by the Regulation for the Implementation of the Foreign Investment Law of the"
        " People's Republic of China"
    )
    # Without an English name in the glossary, the Chinese title in book-title marks.
    assert status_label(index, "old-zh", "en") == "superseded by 《细胞库登记办法》"


def test_without_a_known_replacement_the_label_just_says_superseded() -> None:
    index = _index(
        **{
            "old-en": {"title": "Old", "language": "en", "status": "superseded"},
            "gone-en": {
                "title": "Gone",
                "language": "en",
                "status": "superseded",
                "superseded_by": "withdrawn-en",
            },
            "draft-zh": {"title": "草案", "language": "zh", "status": "draft"},
        }
    )

    assert status_label(index, "old-en", "en") == "superseded"
    assert status_label(index, "gone-en", "en") == "superseded"
    assert status_label(index, "draft-zh", "zh") == "征求意见稿"


def test_questions_about_the_past_are_recognised() -> None:
    assert asks_about_the_past("What was the previous cell bank deadline?")
    assert asks_about_the_past("2019年的细胞治疗草案怎么规定？")
    assert not asks_about_the_past("What is the cell bank deadline now?")


def test_a_text_no_longer_in_force_is_said_so_first_an_older_edition_is_not() -> None:
    index = _index(
        **{
            **REPEALED_RULES,
            "ads-2015": {
                "title": "中华人民共和国广告法",
                "language": "zh",
                "issued": "2015-04-24",
                "status": "superseded",
                "superseded_by": "ads-2021",
            },
            "ads-2021": {"title": "中华人民共和国广告法", "language": "zh", "issued": "2021-04-29"},
            "pilot": {"title": "试点通知", "language": "zh", "status": "expired"},
        }
    )

    assert status_note(index, "cjv-rules", "zh") == (
        "（《中华人民共和国中外合作经营企业法实施细则》已被《中华人民共和国外商投资法实施条例》"
        "废止。）"
    )
    assert status_sentence(index, "cjv-rules", "en") == (
        "The Detailed Rules for the Implementation of the Law of the People's Republic of China on"
        " Sino-Foreign Cooperative Joint Ventures was repealed by the Regulation for the"
        " Implementation of the Foreign Investment Law of the People's Republic of China."
    )
    assert status_note(index, "pilot", "en") == "(Note: 《试点通知》 has expired.) "
    # The question named the year it wanted; each quote's label says a newer edition exists.
    assert status_note(index, "ads-2015", "zh") == ""
    assert status_note(index, "fie-rules", "zh") == ""
    # Asked whether it still applies, an older edition is said replaced by the edition held.
    assert current_edition(index, "ads-2015") == "ads-2021"
    assert edition_sentence(index, "ads-2015", "zh") == (
        "《中华人民共和国广告法》（2015年版）已被2021年版《中华人民共和国广告法》取代。"
    )
    assert edition_sentence(index, "ads-2015", "en").startswith("The 2015 edition of ")
    # Not for the current edition, nor for a text repealed by another one.
    assert current_edition(index, "ads-2021") is None
    assert current_edition(index, "cjv-rules") is None
    assert edition_sentence(index, "cjv-rules", "zh") == ""


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("外资企业法实施细则还有效吗？", True),
        ("《外资企业法》实施细则第三条还适用吗？", True),
        ("中外合资经营企业法实施条例是否已经废止？", True),
        ("Is the Contract Law still in force?", True),
        ("Has the WFOE Law been repealed?", True),
        ("外资企业法实施细则第三条规定了什么？", False),
        ("What is the validity period of a drug registration certificate?", False),
        ("药品注册证书有效期是多久？", False),
    ],
)
def test_a_question_whether_a_text_still_applies_is_recognised(question: str, asks: bool) -> None:
    assert asks_if_in_force(question) is asks
