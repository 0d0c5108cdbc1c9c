"""Hybrid search over a real index: how the keyword match weighs in the fusion."""

from __future__ import annotations

import pytest

from knowledge.loaders import load_bytes
from knowledge.text import Language
from web.core.components import Components

LAW = (
    "中华人民共和国企业所得税法实施条例\n\n（2019年4月23日修订）\n\n"
    "第一条 根据《中华人民共和国企业所得税法》的规定，制定本条例。\n\n"
    "第二条 企业发生的与生产经营活动有关的业务招待费支出，按照发生额的60%扣除，"
    "但最高不得超过当年销售（营业）收入的5‰。\n\n"
    "第三条 企业发生的职工福利费支出，不超过工资薪金总额14%的部分，准予扣除。\n"
)


def test_a_chinese_questions_own_words_weigh_more_than_an_english_questions_glossary_terms(
    fresh_components: Components,
) -> None:
    fresh_components.indexer.ingest(
        [load_bytes(LAW.encode(), filename="cit.md")], origin="local", prune=False
    )
    assistant = fresh_components.assistant
    index = assistant.refresh()
    searcher = assistant.searcher
    question = "业务招待费能扣多少？"
    vector = assistant.embeddings.embed_array([question])[0]

    def scores(language: Language, within: set[str] | None) -> dict[str | None, float]:
        hits = searcher.search(index, question, vector, k=3, language=language, documents=within)
        found = index.passages(h.passage_id for h in hits)
        return {found[h.passage_id].article_key: h.score for h in hits}

    weights = searcher.weights
    assert weights.keyword_weight_zh > weights.keyword_weight
    # Over the whole library and within the documents a conversation is about (a follow-up's
    # own words), alike.
    for within in (None, set(index.documents)):
        zh, en = scores("zh", within), scores("en", within)
        # The passage holding the question's words gains the difference, all else equal.
        gain = weights.keyword_weight_zh - weights.keyword_weight
        assert zh["2"] - en["2"] == pytest.approx(gain), within
        assert zh["3"] - en["3"] < zh["2"] - en["2"]
