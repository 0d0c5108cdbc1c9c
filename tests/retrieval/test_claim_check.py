"""Checking a reply's figures: true ones pass, invented ones are flagged, in Chinese and English."""

from __future__ import annotations

import pytest

from retrieval.claim_check import (
    Source,
    assistant_finder,
    check_reply,
    check_sentence,
    figures,
    unsupported,
)
from web.core.components import Components

CIT_ZH = "根据财税〔2022〕40号，符合条件的鼓励类产业企业，企业所得税减按15%的税率征收。"
FORWARD_ZH = (
    "广东省财政厅和广东省税务局于2022年10月24日以粤财税〔2022〕38号转发了财税〔2022〕40号。"
)
LICENCE_ZH = "国家药品监督管理局应当自受理之日起二十个工作日内作出决定，罚款十万元以上。"


def _passages(*texts: str) -> list[Source]:
    return [Source(f"p{i}", f"d{i}", text) for i, text in enumerate(texts)]


def _keys(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.key) for f in figures(text)]


# --- reading figures ------------------------------------------------------------------------


def test_figures_are_read_by_value_in_chinese_and_english() -> None:
    assert _keys("自二〇二一年六月一日起施行") == [("date", "2021-06-01")]
    assert _keys("It took effect on 1 June 2021.") == [("date", "2021-06-01")]
    assert _keys("It took effect on June 1, 2021.") == [("date", "2021-06-01")]
    assert _keys("税率为百分之十五") == [("rate", "15")]
    assert _keys("a rate of 15 per cent") == [("rate", "15")]
    assert _keys("罚款十万元") == [("amount", "100000")]
    assert _keys("a fine of RMB 100,000") == [("amount", "100000")]
    assert _keys("10万元") == [("amount", "100000")]
    assert _keys("在二十个工作日内") == [("deadline", "20 workday")]
    assert _keys("within 20 working days") == [("deadline", "20 workday")]
    assert _keys("国家药监局审批") == [("authority", "国家药品监督管理局")]
    assert _keys("approved by the NMPA") == [("authority", "国家药品监督管理局")]


def test_a_year_followed_by_a_month_is_a_date_not_a_term() -> None:
    assert _keys("2022年10月起") == [("date", "2022-10")]
    assert _keys("期限为3年") == [("deadline", "3 year")]


def test_a_sentence_without_figures_states_nothing_to_check() -> None:
    assert figures("请您补充提交材料，我们收到后会尽快处理。") == []
    assert figures("Please upload the missing documents.") == []


# --- checking against passages --------------------------------------------------------------


def test_a_true_rate_is_supported_and_a_false_one_is_flagged_in_chinese() -> None:
    sources = _passages(CIT_ZH)
    assert check_sentence("南沙先行启动区鼓励类企业的企业所得税税率为15%。", sources).supported
    wrong = check_sentence("南沙先行启动区鼓励类企业的企业所得税税率为12%。", sources)
    assert not wrong.supported
    assert [f.text for f in wrong.unsupported] == ["12%"]
    assert wrong.sources == ()


def test_a_figure_written_differently_from_its_source_is_still_supported() -> None:
    sources = _passages(CIT_ZH, FORWARD_ZH)
    assert check_sentence(
        "The reduced rate is fifteen percent, i.e. 15 per cent.", sources
    ).supported
    assert check_sentence("It was forwarded on 24 October 2022.", sources).supported
    assert check_sentence("It was forwarded in October 2022.", sources).supported
    check = check_sentence("It was forwarded on 3 March 2022.", sources)
    assert [f.key for f in check.unsupported] == ["2022-03-03"]


def test_deadlines_amounts_and_authorities_are_checked_in_english() -> None:
    sources = _passages(LICENCE_ZH)
    good = "The NMPA decides within 20 working days; fines start at RMB 100,000."
    assert check_sentence(good, sources).supported
    bad = check_sentence(
        "The SAMR decides within 15 working days; fines start at RMB 50,000.", sources
    )
    assert sorted(f.kind for f in bad.unsupported) == ["amount", "authority", "deadline"]


def test_only_the_unsupported_figure_of_a_sentence_is_reported() -> None:
    check = check_sentence("国家药品监督管理局在30个工作日内作出决定。", _passages(LICENCE_ZH))
    assert [f.kind for f in check.unsupported] == ["deadline"]
    assert check.sources and check.sources[0].passage_id == "p0"


def test_a_reply_is_checked_sentence_by_sentence_with_offsets() -> None:
    reply = "您好！企业所得税税率为15%。转发日期是2022年10月1日。请补充材料。"
    checks = check_reply(reply, find=lambda sentence: _passages(CIT_ZH, FORWARD_ZH))
    assert [c.sentence for c in checks] == ["企业所得税税率为15%。", "转发日期是2022年10月1日。"]
    flagged = unsupported(checks)
    assert [c.sentence for c in flagged] == ["转发日期是2022年10月1日。"]
    assert reply[flagged[0].start :].startswith("转发日期")


# --- against the real knowledge base --------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "supported"),
    [
        ("南沙先行启动区符合条件的企业，企业所得税减按15%的税率征收。", True),
        ("南沙先行启动区符合条件的企业，企业所得税减按9%的税率征收。", False),
        (
            "Qualifying firms in the Nansha pilot start-up area pay corporate income tax at 15%.",
            True,
        ),
        (
            "Qualifying firms in the Nansha pilot start-up area pay corporate income tax at 9%.",
            False,
        ),
    ],
)
def test_the_bundled_knowledge_base_supports_true_rates_and_not_invented_ones(
    components: Components, sentence: str, supported: bool
) -> None:
    find = assistant_finder(components.assistant)
    (check,) = check_reply(sentence, find=find)
    assert check.supported is supported
    if supported:
        assert any(s.document_id.startswith("nansha-cit-15") for s in check.sources)
