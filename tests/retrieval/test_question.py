"""How the assistant reads a question: script, follow-up or new topic, glossary terms."""

from __future__ import annotations

import pytest

from knowledge.documents import DocumentMeta
from retrieval.question import asks_about_document, asks_generally, is_follow_up, read
from retrieval.references import DocumentNames

NAMES = DocumentNames(
    {
        "tcm": DocumentMeta(
            id="tcm", title="中华人民共和国中医药法", language="zh", category="regulation"
        ),
    }
)


@pytest.mark.parametrize(
    "question",
    [
        "干细胞临床研究备案流程",  # a short keyword question with its own subject
        "研发费用加计扣除比例",
        "中医诊所备案",
        "How long do we keep network logs?",
    ],
)
def test_a_complete_question_however_short_starts_a_new_topic(question: str) -> None:
    got = read(question, context="企业所得税优惠税率是多少？", names=NAMES)
    assert not got.follow_up
    assert got.query == question


@pytest.mark.parametrize(
    "question",
    [
        "它什么时候施行？",
        "那英文版呢？",
        "适用于整个南沙吗？",
        "多少钱？",
        "And the fee?",
        "What about it?",
    ],
)
def test_a_question_without_a_subject_of_its_own_continues_the_topic(question: str) -> None:
    got = read(question, context="南沙的企业所得税优惠税率是多少？", names=NAMES)
    assert got.follow_up
    assert got.query.startswith("南沙的企业所得税优惠税率是多少？")
    # Its own words are searched too, without the previous question's.
    assert got.own_keyword_query is not None
    assert got.own_keyword_query.startswith(question) and "税率" not in got.own_keyword_query


def test_only_a_follow_up_has_own_words_apart_from_the_conversation() -> None:
    got = read("中医诊所备案", context="企业所得税优惠税率是多少？", names=NAMES)
    assert got.own_keyword_query is None
    english = read("What about the fee?", context="How do we file HGR?", names=NAMES)
    assert english.own_keyword_query is not None
    assert "费" in english.own_keyword_query, "an English follow-up's own terms in Chinese too"


def test_a_follow_up_naming_an_article_keeps_the_previous_document() -> None:
    got = read("第十五条呢？", context="《中医药法》第十四条规定了什么？", names=NAMES)
    assert got.refs.document == "tcm" and [r.key for r in got.refs.articles] == ["15"]


def test_a_question_naming_its_own_document_is_never_a_follow_up() -> None:
    refs = NAMES.find("中医药法第三条呢？")
    assert not is_follow_up("中医药法第三条呢？", refs, "zh")


def test_traditional_characters_are_read_as_simplified() -> None:
    got = read("人類遺傳資源出境需要審批嗎？", context=None, names=NAMES)
    assert got.traditional
    assert got.simplified == "人类遗传资源出境需要审批吗？"
    assert got.language == "zh"
    plain = read("人类遗传资源出境需要审批吗？", context=None, names=NAMES)
    assert not plain.traditional and plain.simplified == plain.text


def test_the_mainland_places_a_question_names_are_read_in_chinese() -> None:
    got = read("Can our Pudong site keep R&D reagents bonded?", context=None, names=NAMES)
    assert "浦东新区" in got.places
    assert "上海" in read("我们在上海的App要怎么取得同意？", context=None, names=NAMES).places
    # Another jurisdiction is not a place whose local rules the library would hold.
    assert read("在日本需要审批吗？", context=None, names=NAMES).places == ()


def test_english_questions_search_the_glossarys_chinese_terms_too() -> None:
    got = read(
        "Who is the marketing authorization holder responsible to?", context=None, names=NAMES
    )
    assert "药品上市许可持有人" in got.keyword_query
    assert "marketing authorization holder" not in got.gate_names.lower()


def test_english_terms_inside_a_chinese_question_search_in_chinese_too() -> None:
    got = read("我们要从国外进口细胞系，想走white list，中心能帮忙吗？", context=None, names=NAMES)
    assert got.language == "zh"
    assert "白名单" in got.keyword_query
    assert got.over_chinese is None, "the question's vector stays as asked"
    plain = read("我们要从国外进口细胞系，中心能帮忙吗？", context=None, names=NAMES)
    assert plain.keyword_query == plain.query


def test_everyday_words_also_search_the_laws_words_and_not_the_reverse() -> None:
    # 送好处 is what a company writes; the law writes 商业贿赂.
    got = read("销售给采购负责人送好处换订单，公司要罚多少？", context=None, names=NAMES)
    assert "商业贿赂" in got.keyword_query
    assert got.over_chinese is None, "the question's vector stays as asked"
    # A question in the law's words is searched as asked: no everyday words are added.
    formal = read("商业贿赂要罚多少？", context=None, names=NAMES)
    assert "送好处" not in formal.keyword_query and "好处费" not in formal.keyword_query


@pytest.mark.parametrize(
    ("question", "not_added"),
    [
        # A general word is not searched as one narrow term it can mean.
        ("我们的App想用刷脸登录，用户授权要怎么取得？", "授予专利权"),
        ("处方药可以在网上卖吗？", "中药处方"),
        ("出口许可证要提交哪些证明？", "医学证明"),
        ("软件著作权怎么登记？", "医疗器械软件"),
        ("数据存储在境外可以吗？", "服务器"),
    ],
)
def test_a_general_word_does_not_bring_a_narrower_term(question: str, not_added: str) -> None:
    assert not_added not in read(question, context=None, names=NAMES).keyword_query


def test_an_english_question_brings_its_chinese_terms_to_chinese_texts() -> None:
    got = read("Can a clinical trial application be deemed approved?", context=None, names=NAMES)
    assert got.over_chinese is not None
    assert got.over_chinese.startswith("Can a clinical trial application")
    assert "临床试验申请" in got.over_chinese
    # Nothing to add: no glossary term, or a Chinese question (its words are the texts' own).
    assert read("What is the weather like?", context=None, names=NAMES).over_chinese is None
    assert read("临床试验申请多久答复？", context=None, names=NAMES).over_chinese is None


@pytest.mark.parametrize(
    ("question", "general"),
    [
        ("《中医药法》第十四条规定了什么？", True),
        ("What does Article 14 of the law say?", True),
        ("中医药法第十四条", True),
        ("中医药法第十四条规定的备案部门是哪一级？", False),
    ],
)
def test_asking_what_an_article_says_is_told_from_asking_something_in_it(
    question: str, general: bool
) -> None:
    assert asks_generally(question, NAMES.find(question)) is general


def test_a_question_of_only_common_and_everyday_words_continues_the_topic() -> None:
    common = {"违反": 2.5, "罚": 7.6}  # 罚 is rare as a token in laws but everyday language
    got = read("违反了罚多少？", context="个人信息能存到境外吗？", names=NAMES, idf=common.get)
    assert got.follow_up
    topical = {"超范围": 6.9, "执业": 3.0}  # 超范围 is rare in the library and not everyday
    got = read(
        "超范围执业怎么办？",
        context="个人信息能存到境外吗？",
        names=NAMES,
        idf=lambda t: topical.get(t, 2.0),
    )
    assert not got.follow_up


@pytest.mark.parametrize(
    ("question", "about"),
    [
        ("中医药法是为了什么制定的？", True),
        ("《中医药法》管的是哪些事情？", True),
        ("中医药法是管什么的？", True),
        ("中医药法对中医诊所备案怎么规定？", False),  # asks something in it
        ("中医药法的适用范围包括民族医药吗？", False),
        ("中医药法第二条是管什么的？", False),  # names an article: that article answers
        ("中医诊所是管什么的？", False),  # names no document
    ],
)
def test_asking_what_a_document_is_for_is_told_from_asking_something_in_it(
    question: str, about: bool
) -> None:
    assert asks_about_document(question, NAMES.find(question)) is about
