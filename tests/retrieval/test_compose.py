"""Extractive composition over a real index: which units an answer quotes, in which order."""

from __future__ import annotations

from knowledge.loaders import load_bytes
from knowledge.numerals import format_number
from retrieval.assistant import Assistant
from retrieval.compose import referred_articles
from web.core.components import Components

# Articles worded closer to the question than the one that states the standard.
FILLER = [
    "用人单位与劳动者协商一致，可以解除劳动合同。",
    "劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。",
    "用人单位未及时足额支付劳动报酬的，劳动者可以解除劳动合同。",
    "劳动者在试用期间被证明不符合录用条件的，用人单位可以解除劳动合同。",
    "劳动者严重违反用人单位的规章制度的，用人单位可以解除劳动合同。",
    "用人单位单方解除劳动合同，应当事先将理由通知工会。",
    "用人单位违反本法规定未向劳动者出具解除或者终止劳动合同的书面证明，由劳动行政部门责令改正。",
    "用人单位解除劳动合同时，应当出具解除劳动合同的证明，并在十五日内为劳动者办理档案转移手续。",
    "劳动合同解除后，用人单位对已经解除的劳动合同的文本，至少保存二年备查。",
    "用人单位违反本法规定解除劳动合同，劳动者要求继续履行劳动合同的，用人单位应当继续履行。",
    "劳动者给用人单位造成损失的，应当承担赔偿责任。",
    "用人单位与劳动者应当按照劳动合同的约定，全面履行各自的义务。",
]


def _assistant_over(components: Components, text: str, filename: str) -> Assistant:
    """The assistant of a fresh portal holding one text, ingested as a file."""
    document = load_bytes(text.encode(), filename=filename)
    components.indexer.ingest([document], origin="local", prune=False)
    components.assistant.refresh()
    return components.assistant


def test_articles_a_text_applies_are_read_from_its_own_words() -> None:
    text = (
        "用人单位违反本法规定解除劳动合同的，应当依照本法第四十七条规定的经济补偿标准的二倍支付。"
    )
    assert referred_articles(text, "87") == ["47"]
    assert referred_articles("依照本条例第十条之一的规定执行；参照本法第八十七条。", "10") == [
        "10-1",
        "87",
    ]
    # A breached duty is named, not applied: the unit is whole without it.
    assert referred_articles("违反本法第三十七条规定，在境外存储网络数据的，处罚款。", "66") == []
    assert referred_articles("依照本法第八十七条规定执行。", "87") == [], "not itself"


def test_a_quote_applying_another_articles_standard_is_followed_by_that_article(
    fresh_components: Components,
) -> None:
    articles = [*FILLER]
    articles += [
        "经济补偿按劳动者在本单位工作的年限，每满一年支付一个月工资的标准向劳动者支付。",
        "用人单位违反本法规定解除或者终止劳动合同的，应当依照本法第十三条规定的经济补偿标准的"
        "二倍向劳动者支付赔偿金。",
    ]
    body = "\n\n".join(f"第{format_number(i + 1)}条 {a}" for i, a in enumerate(articles))
    text = f"中华人民共和国劳动合同法\n\n（2012年12月28日修正）\n\n{body}\n"
    assistant = _assistant_over(fresh_components, text, "labour.md")
    answer = assistant.answer("公司违法解除劳动合同，员工能拿到多少赔偿金？")
    assert not answer.refused
    assert [c.article for c in answer.citations[:2]] == ["第十四条", "第十三条"]
    assert "每满一年支付一个月工资" in answer.answer


GUIDE = """# 细胞库检定服务指南

细胞库检定是为细胞治疗企业提供的一项检测服务，覆盖主细胞库和工作细胞库。

## 服务内容

细胞库检定包括无菌检查、支原体检查和外源病毒因子检测。

细胞库检定还可包括细胞鉴别和遗传稳定性研究。

## 所需材料

企业需提供公司及联系人信息，并注明产品类型。

申请表应写明样品类型、数量和冷链运输条件。

申请还应列出拟检项目和可接受标准。

## 收费

细胞库检定的收费标准尚未公布。
"""


def test_a_short_section_the_question_asks_for_by_its_heading_is_quoted_whole(
    fresh_components: Components,
) -> None:
    # A guide lists what to submit under 所需材料: the list is the answer, not its best line.
    assistant = _assistant_over(fresh_components, GUIDE, "cell-bank-guide.md")
    answer = assistant.answer("申请细胞库检定需要提交哪些材料？")
    assert not answer.refused
    first = answer.citations[0]
    assert first.section and first.section.endswith("所需材料")
    for line in ("联系人信息", "样品类型、数量和冷链运输条件", "拟检项目和可接受标准"):
        assert line in (first.excerpt or first.quote), line
    # A question no heading names is answered from its best units, as before.
    other = assistant.answer("细胞库检定包括支原体检查吗？")
    assert "拟检项目" not in other.answer


RULES = """# 南沙区细胞治疗合作企业促进办法实施细则

第一条 根据《南沙区细胞治疗合作企业促进办法》，制定本实施细则。

第二条 合作企业应当在合作企业合同中约定合作各方的出资方式。

第三条 合作企业的经营期限由合作各方协商，并在合作企业合同中订明。

第四条 合作企业应当建立健全财务会计制度。

第五条 合作企业的清算依照合作企业合同的约定办理。
"""


def test_the_name_of_the_text_a_question_names_does_not_pick_its_quote(
    fresh_components: Components,
) -> None:
    """Every unit of a named text is about it: its first article, which repeats the name, does
    not lead an answer on one of its topics."""
    assistant = _assistant_over(fresh_components, RULES, "coop-rules.md")
    answer = assistant.answer(
        "南沙区细胞治疗合作企业促进办法实施细则对合作企业的期限是怎么规定的？"
    )
    assert not answer.refused
    assert answer.citations[0].article == "第三条", answer.answer
