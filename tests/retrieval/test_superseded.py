"""How answers label superseded documents (retrieval.document_status: status_label, past)."""

from __future__ import annotations

from knowledge.documents import DocumentMeta
from retrieval.document_status import asks_about_the_past, status_label
from retrieval.index import KnowledgeIndex
from tests.retrieval.library import empty_library as _empty_library


def _index(**documents: dict[str, object]) -> KnowledgeIndex:
    metas = {
        doc_id: DocumentMeta.model_validate({"id": doc_id, "category": "regulation", **values})
        for doc_id, values in documents.items()
    }
    return KnowledgeIndex(generation=1, documents=metas, sessions=_empty_library(), model_id="t")


def test_a_superseded_document_names_its_replacement_in_both_languages() -> None:
    index = _index(
        **{
            "old-zh": {
                "title": "旧办法",
                "language": "zh",
                "status": "superseded",
                "superseded_by": "new-zh",
            },
            "new-zh": {"title": "《细胞库登记办法》", "language": "zh"},
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
            "cjv-rules": {
                "title": "中华人民共和国中外合作经营企业法实施细则",
                "language": "zh",
                "status": "superseded",
                "superseded_by": "fie-rules",
                "repealed_by": "fie-rules",
            },
            "fie-rules": {"title": "中华人民共和国外商投资法实施条例", "language": "zh"},
            "old-zh": {
                "title": "旧办法",
                "language": "zh",
                "status": "superseded",
                "superseded_by": "new-zh",
            },
            "new-zh": {"title": "《细胞库登记办法》", "language": "zh"},
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
