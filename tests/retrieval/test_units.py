"""Quotable units and the words around a quote."""

from __future__ import annotations

import pytest

from knowledge.documents import DocumentMeta
from retrieval.cited_answer import Citation
from retrieval.framing import frame_quote
from retrieval.question_types import (
    answer_type_match,
    asked_types,
    asks_fee,
    fee_for,
    states_fee,
)
from retrieval.units import legal_units, passage_units

ARTICLE = (
    "第十六条 医疗、药品、医疗器械广告不得含有下列内容：\n\n"
    "（一）表示功效、安全性的断言或者保证；\n\n"
    "（二）说明治愈率或者有效率；\n\n"
    "前款规定以外的广告应当显著标明。"
)


def test_an_articles_units_are_its_paragraphs_and_items_without_the_label() -> None:
    units = legal_units(ARTICLE)
    assert [u.text for u in units] == [
        "医疗、药品、医疗器械广告不得含有下列内容：",
        "（一）表示功效、安全性的断言或者保证；",
        "（二）说明治愈率或者有效率；",
        "前款规定以外的广告应当显著标明。",
    ]
    assert [(u.paragraph, u.item) for u in units] == [(1, None), (1, 1), (1, 2), (2, None)]
    for unit in units:  # offsets point into the passage, verbatim
        assert ARTICLE[unit.start : unit.end] == unit.text
    lead = units[2].lead_in
    assert lead is not None and ARTICLE[lead[0] : lead[1]] == units[0].text


def test_a_later_part_of_a_split_article_numbers_its_paragraphs_on() -> None:
    units = legal_units("（三）甲；\n（四）乙。\n第三款内容。", paragraph_start=2)
    assert [(u.paragraph, u.item) for u in units] == [(2, 3), (2, 4), (3, None)]


def test_other_documents_are_quoted_by_sentence() -> None:
    text = "The center opened in 2026. It offers testing.\nFees are not published."
    units = passage_units(text, article_key=None, paragraph_start=None)
    assert [u.text for u in units] == [
        "The center opened in 2026.",
        "It offers testing.",
        "Fees are not published.",
    ]
    assert all(text[u.start : u.end] == u.text for u in units)


def _citation(**values: object) -> Citation:
    base: dict[str, object] = dict(
        n=1,
        document_id="ads",
        chunk_id="c",
        title="中华人民共和国广告法",
        section=None,
        quote="说明治愈率或者有效率；",
        start=0,
        url="/documents/ads",
        source_url=None,
        status="in_force",
        issued="2021-04-29",
        issuer=None,
        doc_number=None,
        verified=True,
        language="zh",
    )
    base.update(values)
    return Citation(**base)  # type: ignore[arg-type]


ADS = DocumentMeta(
    id="ads",
    title="中华人民共和国广告法",
    language="zh",
    category="regulation",
    issued="2021-04-29",
)


def test_a_chinese_answer_names_the_document_and_the_article() -> None:
    excerpt = "医疗、药品、医疗器械广告不得含有下列内容：……（二）说明治愈率或者有效率；"
    citation = _citation(
        article="第十六条", paragraph=1, item=2, locator="第十六条第一款第二项", excerpt=excerpt
    )
    text = frame_quote(citation, ADS, "zh", None)
    assert text.startswith("《中华人民共和国广告法》第十六条第一款第二项规定：“医疗、药品")
    assert text.endswith("有效率；”[1]")


def test_an_english_answer_over_a_chinese_text_says_so_around_the_quote() -> None:
    citation = _citation(article="第十六条", paragraph=1, locator="第十六条第一款")
    text = frame_quote(citation, ADS, "en", None)
    assert text.startswith("Article 16, paragraph 1 of the Advertising Law")
    assert "(2021) provides (Chinese original): “说明治愈率或者有效率；” [1]" in text


def test_fee_questions_are_told_from_fines_and_need_a_stated_fee() -> None:
    assert asks_fee("中医诊所备案要交多少备案费？")
    assert asks_fee("How much is the application fee?")
    assert not asks_fee("超范围执业会被罚多少钱？")
    assert not asks_fee("业务招待费能扣多少？")
    # The amount of a subsidy or award is money only a published text can state.
    assert asks_fee("南沙的生物医药企业可以享受多少租金补贴？")
    assert asks_fee("How much funding can a start-up get?")
    assert not asks_fee("研发补贴需要提交哪些材料？")
    assert states_fee("检测费为每批5000元。")
    assert states_fee("临床研究阶段不得向受试者收费。")
    assert states_fee("No published information was found on fees.")
    assert not states_fee("处2万元以上10万元以下的罚款。")
    assert states_fee("The cleanroom reward is 15% of the fixed-asset investment.")
    assert states_fee("按设备投资额的百分之三十给予补贴。")
    assert not states_fee("处货值金额百分之五十以上三倍以下的罚款。")
    assert not states_fee("申请人应当提交申请材料。")


def test_a_stated_fee_answers_only_when_it_is_for_what_the_question_asks_about() -> None:
    question = "中医诊所备案要交多少备案费？"
    assert fee_for(question, "中医诊所备案不收取费用。")
    assert not fee_for(question, "医疗纠纷人民调解委员会调解医疗纠纷，不得收取费用。")
    english = "How much is the fee for HGR filing support?"
    assert fee_for(english, "No fee for HGR filing support has been published.")
    assert not fee_for(english, "Mediation of medical disputes is free of charge.")


@pytest.mark.parametrize(
    ("question", "kind", "holds", "lacks"),
    [
        # Who bears a cost: the law names a party, not an authority.
        (
            "入职体检的钱谁出？",
            "payer",
            "职业健康检查费用由用人单位承担。",
            "用人单位应当组织体检。",
        ),
        ("Who pays for the medical check-ups?", "payer", "所需费用由申请人负担。", "应当检查。"),
        # An age limit, written in 周岁.
        (
            "Can a 17-year-old donate a kidney?",
            "age",
            "不得获取未满18周岁公民的活体器官。",
            "捐献应当自愿。",
        ),
        (
            "未成年人可以参加临床试验吗？",
            "age",
            "未满十八周岁的受试者参加试验，应当取得其监护人的书面同意。",
            "试验应当自愿。",
        ),
        # A rate, with the full-width percent sign laws print.
        ("非居民企业适用什么税率？", "amount", "适用税率为20％。", "依照本法缴纳企业所得税。"),
        # How often: a period (每半年), not a time limit or any other length of time.
        (
            "多久报告一次？",
            "frequency",
            "应当每半年向省级卫生行政部门报告。",
            "应当自发现之日起十五日内报告。",
        ),
        (
            "How often do we have to report plasma collection?",
            "frequency",
            "The station shall report to the provincial authority every six months.",
            "The station shall report within 15 days.",
        ),
        # By when: a time limit, which no calendar date or other number gives.
        (
            "PCT国际申请最晚什么时候要进入中国国家阶段？",
            "deadline",
            "申请人应当在优先权日起30个月内办理进入中国国家阶段的手续。",
            "国务院专利行政部门应当明确进入中国国家阶段的日期。",
        ),
        (
            "By when must a customs declaration be made?",
            "deadline",
            "The consignee shall declare within 14 days of the entry of the means of transport.",
            "The consignee shall declare the goods truthfully.",
        ),
        # A year, but not a document number's (国发〔2022〕13号 says nothing about when).
        (
            "When was 国发〔2022〕13号 issued?",
            "date",
            "The plan is dated 6 June 2022.",
            "The plan was issued as 国发〔2022〕13号 (Guofa [2022] No. 13).",
        ),
        # Which authority: laws name it 机关 or 人民政府 as often as 部 or 局.
        (
            "采购剧毒化学品要找哪个部门？",
            "who",
            "应当向所在地县级人民政府公安机关申请取得剧毒化学品购买许可证。",
            "应当如实记录购买单位的名称、地址。",
        ),
        # Which number a product or document carries: its approval number, not an amount.
        (
            "这款产品的批准文号是多少？",
            "identifier",
            "阿基仑赛注射液的批准文号为国药准字S20210019。",
            "阿基仑赛注射液于2021年获批，覆盖3个适应症。",
        ),
        (
            "What is the document number of the pilot notice?",
            "identifier",
            "The pilot was announced in 商资函〔2024〕568号.",
            "The pilot covers 4 free trade zones.",
        ),
        # How large: an area, not whatever number a sentence holds (a date's 25日, 8家).
        (
            "产业园有多大？",
            "size",
            "产业园占地约15万平方米。",
            "产业园于6月25日开园，8家企业签约。",
        ),
        ("How large is the park?", "size", "The park covers 150,000 m².", "It opened on 25 June."),
        # What to hand in: the sentence that lists it, not the one on how long it takes.
        (
            "做放行检测需要提交哪些材料？",
            "materials",
            "放行检测申请表应写明样品类型和数量。",
            "放行检测的办理时限尚未公布。",
        ),
        (
            "What do we need to submit for release testing?",
            "materials",
            "The release testing form should state the sample type and quantity.",
            "No turnaround has been published for release testing.",
        ),
        # A text's own commencement holds its dates, not a rate: "1991年…通过的《…》同时废止".
        (
            "Under the Enterprise Income Tax Law, what rate applies to royalties?",
            "amount",
            "非居民企业取得本法第三条第三款规定的所得，适用税率为20%。",
            "本法自2008年1月1日起施行。1991年4月9日第七届全国人民代表大会第四次会议通过的"
            "《中华人民共和国外商投资企业和外国企业所得税法》同时废止。",
        ),
        (
            "企业所得税的税率是多少？",
            "amount",
            "企业所得税的税率为25%。",
            "This Law shall come into force on 1 January 2008; 2 earlier laws are repealed.",
        ),
    ],
)
def test_a_unit_holding_the_kind_of_fact_asked_for_matches(
    question: str, kind: str, holds: str, lacks: str
) -> None:
    asked = asked_types(question)
    assert kind in asked
    assert answer_type_match(asked, holds) == 1.0
    assert answer_type_match({kind}, lacks) == 0.0
    assert answer_type_match(asked, lacks) == 0.0, "nothing else the question asks matches it"


def test_a_texts_commencement_answers_when_it_applies() -> None:
    asked = asked_types("企业所得税法什么时候开始施行？")
    assert answer_type_match(asked, "本法自2008年1月1日起施行。") == 1.0
