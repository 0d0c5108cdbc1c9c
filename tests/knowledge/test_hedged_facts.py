"""Facts the fact sheet tags single source, unverified or inference are never stated as settled.

The assistant quotes single sentences, so the hedge has to sit in the very sentence that
states the fact, not in a heading or a summary elsewhere in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from knowledge.loaders import bundled_sources, load_path
from knowledge.text import split_sentences


@dataclass(frozen=True)
class Uncertain:
    """One uncertain fact of ../shared/domain/cgt_facts.md and how a sentence stating it looks."""

    fact: str
    pattern: re.Pattern[str]


def _rule(fact: str, pattern: str) -> Uncertain:
    return Uncertain(fact, re.compile(pattern, re.IGNORECASE))


# Each pattern matches a sentence that states the fact (a figure, a date, a label),
# and nothing verified that merely shares a word with it.
UNCERTAIN = (
    _rule("2 attendance", r"企业超过1000家|more than 1,000 companies"),
    _rule(
        "6 hospital's role", r"(中山大学附属第三医院|Sun Yat-sen).*(角色|role|共建方|co-builder)"
    ),
    _rule("7 building status", r"仍在建设|正在.{0,12}建设|being built|under construction"),
    _rule(
        "14 expert views",
        r"责任不清|blurred responsibility|成熟的药品监管路径|established drug-regulation",
    ),
    _rule(
        "15 company count and layout", r"500家|more than 500 biomedical|一城三谷六园|Three Valleys"
    ),
    _rule("25 validity of the 15% rate", r"2022\s*(?:至|to|–|-)\s*2026"),
    _rule(
        "30 clinical-trial reward", r"(临床试验|clinical.trial).*(200万元|100万元|RMB [12] million)"
    ),
    _rule(
        "30/31 reward types", r"临床试验批件和洁净厂房|clinical-trial approvals and new cleanroom"
    ),
    _rule("31 cleanroom reward", r"(洁净|cleanroom).*15%"),
    _rule("33 date of 1786", r"2023年12月|December 2023"),
    _rule(
        "36 Hengli park", r"4\.9万平方米|49,000 m²|9\.73亿|973 million|首批8家|first 8 companies"
    ),
    _rule(
        "37 Medical Valley incentives",
        r"95%返还|95% of a company|60万元|600,000|2000万元|RMB 20 million",
    ),
    _rule("38 life science park", r"30万平方米|300,000 m²|约有30家|about 30 companies"),
    _rule("46 Guangdong priority industry", r"优先发展|priority development|priority industry"),
    _rule("49 date of the bio-economy plan", r"(十四五|Five-Year).*(2022年5月|May 2022)"),
    _rule("52 DAL review period", r"60个工作日|60 working days|第十九条|Article 19"),
    _rule("53 number of the 2018 announcement", r"第50号|No\. 50"),
    _rule("57 expedited pathways", r"突破性治疗|breakthrough therapy"),
    _rule(
        "61 2015 filing details",
        r"机构\+项目|institution-plus-project|商业化治疗|commercial treatment",
    ),
    _rule(
        "68 Decree 818 commentary",
        r"五项条件|five conditions|(?<!\d)30年|\b30 years|备案\+审批|filing \+ approval",
    ),
    _rule("68 Decree 818 sponsors", r"境内法人|domestic legal persons"),
    _rule("71 HGR Regulation number", r"第717号|No\. 717|2019年7月1日|1 July 2019"),
    _rule("73 HGR rules effective date", r"2023年7月1日|1 July 2023"),
    _rule(
        "75 2022-draft foreign-party duties",
        r"境外组织|foreign organisations|备份.*备案|backup.*filing",
    ),
    _rule(
        "78 Frontier Health and Quarantine Law",
        r"第二十二条|第22条|Article 22|Art\. 22|第65号|No\. 65",
    ),
    _rule(
        "78 special-items approval of R&D goods",
        r"研发用细胞|cells, tissues and biological products for R&D",
    ),
    _rule("81 Shenzhen and Tianjin regulations", r"深圳和天津|Shenzhen and Tianjin"),
    _rule("96 third ATMP class", r"组织工程|tissue-engineering"),
    _rule(
        "111/117 Nansha HGR clause unique",
        r"南沙所?独有|unique to Nansha|only in Nansha|没有对应|no equivalent|所没有|Qianhai lack",
    ),
    _rule("113 Shenzhen white list", r"13家|13 firms|约70%|70% faster|4000家|4,000 biomedical"),
    _rule("120 Yikaida second line", r"12个月内|within 12 months"),
    _rule(
        "121 relma-cel date", r"(瑞基奥仑赛|relmacabtagene|relma-cel).*(2021年9月|September 2021)"
    ),
    _rule(
        "124 cilta-cel in China",
        r"(西达基奥仑赛|Carvykti|ciltacabtagene).*2024|2024.*(西达基奥仑赛|Carvykti)",
    ),
    _rule(
        "128 eight CAR-T",
        r"(8款CAR-T|8 CAR-T).*(批准|approved)|(批准|approved).*(8款CAR-T|8 CAR-T)",
    ),
    _rule(
        "130 market size", r"80亿元|289亿元|760亿美元|RMB 8 billion|28\.9 billion|USD 76 billion"
    ),
    _rule("132 CAR-T price", r"120万元|1\.2 million"),
    _rule("135 MSC surface markers", r"CD73"),
)

_HEDGE_ZH = re.compile(
    r"据报道|据同一|据称|据背景资料|据.{0,16}(?:介绍|来源|报道|分析)|报道|单一|尚待|未核实|中心的归纳"
    r"|推断|确认|征求意见稿|背景资料|未找到公开信息|未收录"
)
_HEDGE_EN = re.compile(
    r"reportedly|according to|single (?:source|report|media|industry|reference)|report"
    r"|not (?:yet )?(?:been )?confirmed|unverified|infer|background knowledge|to be confirmed"
    r"|draft|claims?|no published information|not yet checked|appear"
    r"|center's reading",
    re.IGNORECASE,
)


def _hedged(sentence: str, language: str) -> bool:
    return bool((_HEDGE_ZH if language == "zh" else _HEDGE_EN).search(sentence))


@pytest.fixture(scope="module")
def sentences() -> list[tuple[str, str, str]]:
    """(document id, language, sentence) for every body sentence of the bundled knowledge base."""
    found: list[tuple[str, str, str]] = []
    for path in bundled_sources():
        document = load_path(path)
        language = document.meta.language
        found += [(document.id, language, s) for s in split_sentences(document.text)]
    assert len(found) > 2000
    return found


def test_every_sentence_stating_an_uncertain_fact_carries_a_hedge(
    sentences: list[tuple[str, str, str]],
) -> None:
    settled = [
        f"{document_id} [{rule.fact}]: {sentence}"
        for document_id, language, sentence in sentences
        for rule in UNCERTAIN
        if rule.pattern.search(sentence) and not _hedged(sentence, language)
    ]
    assert settled == []


@pytest.mark.parametrize("rule", UNCERTAIN, ids=lambda rule: rule.fact)
def test_each_uncertain_fact_is_found_in_both_languages(
    sentences: list[tuple[str, str, str]], rule: Uncertain
) -> None:
    languages = {language for _, language, s in sentences if rule.pattern.search(s)}
    assert languages == {"zh", "en"}


def test_the_check_tells_a_settled_sentence_from_a_hedged_one() -> None:
    cleanroom = next(rule for rule in UNCERTAIN if rule.fact == "31 cleanroom reward")
    settled = "The cleanroom reward is 15% of the fixed-asset investment."
    hedged = "According to a single source, the cleanroom reward is 15% of the investment."
    assert cleanroom.pattern.search(settled) and not _hedged(settled, "en")
    assert cleanroom.pattern.search(hedged) and _hedged(hedged, "en")
    settled_zh = "洁净车间奖励为固定资产投资的15%。"
    assert cleanroom.pattern.search(settled_zh) and not _hedged(settled_zh, "zh")
    assert _hedged("据单一来源，" + settled_zh, "zh")
