"""Keyword search: identifiers stay whole whatever brackets users type."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from retrieval import fulltext
from retrieval.keyword import KeywordIndex, identifiers, tokenize
from tests.retrieval.library import keyword_index, library


@pytest.mark.parametrize(
    "typed", ["财税〔2022〕40号", "财税[2022]40号", "财税（2022）40号", "财税【2022】40号"]
)
def test_document_numbers_match_whatever_brackets_are_typed(typed: str) -> None:
    assert identifiers(typed) == ["§财税〔2022〕40号"]


def test_identifiers_of_decrees_articles_and_approval_numbers() -> None:
    found = identifiers("Decree No. 818, Art. 22, 国务院令第818号, 第十九条, 国药准字S20210019")
    assert {"§decree818", "§art.22", "§国务院令第818号", "§第十九条", "§国药准字s20210019"} <= set(
        found
    )


def test_chinese_is_segmented_and_stopwords_dropped() -> None:
    tokens = tokenize("南沙的企业所得税优惠税率是多少？")
    assert "所得税" in tokens and "税率" in tokens and "的" not in tokens and "多少" not in tokens


def test_search_ranks_the_passage_with_the_exact_identifier_first(database_url: str) -> None:
    index = keyword_index(
        [
            "财税〔2022〕40号规定南沙先行启动区的鼓励类产业企业减按15%征收企业所得税。",
            "粤财税〔2022〕38号转发了上述通知。",
            "Decree 818 takes effect on 1 May 2026.",
        ],
        url=database_url,
    )
    hits = index.search("财税[2022]40号", 3)
    assert hits[0].chunk_id == "p0"


def test_search_within_documents_finds_only_their_passages(database_url: str) -> None:
    index = keyword_index(
        ["企业所得税减按15%征收。", "个人所得税的专项附加扣除。", "Decree 818 takes effect."],
        url=database_url,
    )
    assert [h.chunk_id for h in index.search("所得税", 3, documents=["d1"])] == ["p1"]
    assert {h.chunk_id for h in index.search("所得税", 3)} == {"p0", "p1"}


def test_a_passage_added_or_removed_is_found_or_gone_at_once(database_url: str) -> None:
    sessions = library(["企业所得税减按15%征收。"], url=database_url)
    index = KeywordIndex(sessions)
    assert index.search("专项附加扣除", 3) == []
    with sessions() as session:
        fulltext.add(
            session, [fulltext.PassageTokens("p9", "d9", tokenize("个人所得税的专项附加扣除。"))]
        )
        session.commit()
    assert [h.chunk_id for h in KeywordIndex(sessions).search("专项附加扣除", 3)] == ["p9"]
    with sessions() as session:
        fulltext.remove_documents(session, ["d9"])
        session.commit()
    fresh = KeywordIndex(sessions)
    assert fresh.search("专项附加扣除", 3) == [] and fresh.size == 1
    assert fresh.frequencies(["专项"]) == {"专项": 0}, "the removed passage's words are forgotten"


def test_a_snapshot_asks_the_database_once_for_a_search_it_has_made(database_url: str) -> None:
    sessions = library(["企业所得税减按15%征收。", "个人所得税的专项附加扣除。"], url=database_url)
    index = KeywordIndex(sessions)
    statements: list[str] = []
    engine = sessions.kw["bind"]
    listen = event.listens_for(engine, "before_cursor_execute")

    @listen
    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    first = index.search("所得税", 3)
    asked = len(statements)
    assert asked and {h.chunk_id for h in first} == {"p0", "p1"}
    assert index.search("所得税", 3) == first and len(statements) == asked
    assert index.search("所得税", 3, documents=["d1"])[0].chunk_id == "p1"
    assert len(statements) > asked, "another search (here: within documents) is asked"
    event.remove(engine, "before_cursor_execute", record)


def test_unknown_names_and_coverage_flag_questions_about_things_never_mentioned(
    database_url: str,
) -> None:
    index = keyword_index(
        ["Nansha offers a 15% corporate income tax rate in its pilot area."], url=database_url
    )
    assert index.unknown_names("What did the European Medicines Agency decide?") == [
        "European",
        "Medicines",
        "Agency",
    ]
    assert index.unknown_names("What is the tax rate in Nansha?") == []
    passage = frozenset(
        tokenize("Nansha offers a 15% corporate income tax rate in its pilot area.")
    )
    assert index.coverage("Nansha tax rate", [passage]) == 1.0
    assert index.coverage("weather forecast", [passage]) == 0.0


def test_a_word_is_mentioned_only_whole_not_inside_another(database_url: str) -> None:
    index = keyword_index(["Micro-organisms in cell therapy products."], url=database_url)
    assert index.mentions("cell therapy") and not index.mentions("CRO")
    assert index.unknown_names("Does the FDA accept it?") == ["FDA"]
    # A glossary term (contract research organization) is vocabulary, not a name to know.
    assert index.unknown_names("Can our CRO file it?") == []


def test_a_regulatory_term_the_library_never_mentions_is_an_unknown_subject(
    database_url: str,
) -> None:
    index = keyword_index(
        [
            "药物临床试验申请自受理之日起六十日内未收到否定意见的，可以开展临床试验。",
            "关键信息基础设施的运营者在境内收集的个人信息应当在境内存储。",
        ],
        url=database_url,
    )
    # Terminology the library has nothing on, in Chinese or in English.
    assert index.unknown_terms("干细胞临床研究备案需要提交哪些材料？") == ["干细胞临床研究"]
    assert index.unknown_terms("How long does approval of a CAR-T cell therapy take?") == [
        "CAR-T cell therapy"
    ]
    # A term it mentions (in any of its forms) is known.
    assert index.unknown_terms("What is a clinical trial application?") == []
    # Common words the glossary also lists are not terminology: 没收 inside 没收到, a server.
    assert index.unknown_terms("一直没收到意见，多久可以开展临床试验？") == []
    assert index.unknown_terms("Can an operator store personal data on servers abroad?") == []
    # What the company asking does is who asks, not what it asks about.
    assert index.unknown_terms("我们做细胞治疗，要采集人体细胞，需要审批吗？") == []
    assert index.unknown_terms("Our CRO says the trial may start: since when?") == []


def test_a_mainland_place_or_the_asker_s_nationality_is_not_an_unknown_name(
    database_url: str,
) -> None:
    index = keyword_index(
        ["非居民企业取得的特许权使用费所得，适用税率为百分之二十。"], url=database_url
    )
    # National law applies in every mainland place, whether the library names it or not.
    assert index.unknown_names("我们在苏州的工厂适用什么税率？") == []
    assert index.unknown_names("What rate applies to our lab in Suzhou?") == []
    # Who asks is not what is asked about ...
    assert index.unknown_names("What rate applies to royalties our Swiss parent receives?") == []
    assert index.unknown_names("我们的美国母公司收取特许权使用费，适用什么税率？") == []
    # ... but another jurisdiction's rules are outside the library.
    assert index.unknown_names("What rate applies to royalties in Switzerland?") == ["Switzerland"]
    assert index.unknown_names("在日本特许权使用费适用什么税率？") == ["日本"]


def test_counts_and_words_jieba_made_up_are_not_unknown_topics(database_url: str) -> None:
    index = keyword_index(["进口药品应当在有效期内办理进口备案手续。"], url=database_url)
    # 好几个月 is a count; 时离 (到港时离有效期) is two characters jieba could not place.
    assert index.unknown_share("进口药品办理备案手续要好几个月吗？") == 0.0
    assert index.unknown_share("进口药品到港时离有效期还有多久？") == 0.0
    # A topic the text never mentions still counts.
    assert index.unknown_share("进口药品的基因测序报告由谁出具？") > 0.0


def test_question_words_are_not_unknown_topics(database_url: str) -> None:
    """多长时间 asks; it is no topic the library would have to use (nor its pieces 多长, 长时间)."""
    index = keyword_index(["网络运营者应当留存相关的网络日志不少于六个月。"], url=database_url)
    assert index.unknown_share("网络日志需要留存多长时间？") == 0.0
    assert index.unknown_share("网络日志怎么样留存？为什么？") == 0.0
    assert index.unknown_share("网络日志的基因测序多长时间？") > 0.0


def test_a_short_name_the_glossary_knows_is_known_when_the_library_uses_its_long_form(
    database_url: str,
) -> None:
    index = keyword_index(
        ["口岸药品检验所应当在收到样品之日起二十日内完成检验。"], url=database_url
    )
    assert index.unknown_names("口岸药检所多久出检验结果？") == []
    assert index.unknown_share("口岸药检所多久出检验结果？") < 0.34
    # A short name the glossary does not know still counts.
    assert index.unknown_share("口岸药检所的质检科多久出检验结果？") > 0.0
