"""A question naming a regulatory term no text of the library mentions: the answer says so
before its quotes, which are only the nearest the library has."""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.loaders import load_bytes
from retrieval.assistant import Assistant, Phraser
from retrieval.cited_answer import Answer
from web.core.components import Components

RULES = load_bytes(
    (
        "南沙区临床研究备案办法\n\n（2024年6月1日南沙区卫生健康局公布）\n\n"
        "第一条 为规范医疗机构开展临床研究的备案，制定本办法。\n\n"
        "第二条 医疗机构开展临床研究备案的，应当提交研究方案、伦理审查意见和知情同意书。\n\n"
        "第三条 本办法自2024年7月1日起施行。\n"
    ).encode(),
    filename="clinical-research-filing.md",
)


@pytest.fixture
def assistant(fresh_components: Components) -> Assistant:
    """The assistant over the filing rules alone."""
    fresh_components.indexer.ingest([RULES], origin="local", prune=False)
    fresh_components.assistant.refresh()
    return fresh_components.assistant


def test_an_answer_says_first_that_no_text_mentions_the_term_asked_about(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("干细胞临床研究备案需要提交哪些材料？")
    assert not answer.refused, answer
    assert answer.answer.startswith(
        "（文档库中没有提到“干细胞临床研究”的文本，以下引文未必回答您的问题。）"
    ), answer.answer
    assert answer.reason == "unmentioned", "staff see it among the unanswered questions"
    answer = assistant.answer("What must a filing for a CAR-T cell therapy clinical study include?")
    assert not answer.refused, answer
    assert answer.answer.startswith(
        "(No text in the library mentions “CAR-T cell therapy”; the quotes below may not answer"
    ), answer.answer
    # Asked in the library's own terms, the answer is the text's.
    answer = assistant.answer("临床研究备案需要提交哪些材料？")
    assert not answer.refused and answer.answer.startswith("《南沙区临床研究备案办法》第二条")
    assert answer.reason is None


class _Rewording(Phraser):
    """A language model's rewording, as retrieval.llm returns it once verified."""

    def phrase(self, *, question: str, answer: Answer) -> Answer | None:
        return replace(answer, answer="据该办法，" + answer.answer)


def test_the_note_is_said_first_when_a_language_model_words_the_answer(
    assistant: Assistant,
) -> None:
    assistant.phraser = _Rewording()

    answer = assistant.answer("干细胞临床研究备案需要提交哪些材料？")
    assert answer.answer.startswith(
        "（文档库中没有提到“干细胞临床研究”的文本，以下引文未必回答您的问题。）据该办法，"
    ), answer.answer
    # A reworded answer is no quote: nothing is said of the quotes' script.
    answer = assistant.answer("幹細胞臨床研究備案需要提交哪些材料？")
    assert "使用简体字" not in answer.answer, answer.answer
    assert answer.answer.startswith("（文档库中没有提到“干细胞临床研究”的文本"), answer.answer
