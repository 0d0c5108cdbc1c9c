"""Texts another text repeals: read from its closing articles, and then read as superseded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from knowledge.documents import REPEALS, DocumentMeta
from knowledge.loaders import load_bytes
from knowledge.repeals import (
    REPEALED_BY,
    repealed,
    repealed_titles,
    unheld,
    with_repeals,
)

CLOSE = "第四十九条 本条例自2020年1月1日起施行。"


@pytest.mark.parametrize(
    ("closing", "titles"),
    [
        (
            CLOSE + "《中华人民共和国中外合资经营企业法实施条例》、《中外合资经营企业合营期限暂行"
            "规定》和《中华人民共和国外资企业法实施细则》同时废止。",
            [
                "中华人民共和国中外合资经营企业法实施条例",
                "中外合资经营企业合营期限暂行规定",
                "中华人民共和国外资企业法实施细则",
            ],
        ),
        # The document number or date in brackets after a title.
        (
            "本解释施行后，《最高人民法院关于审理洗钱等刑事案件具体应用法律若干问题的解释》"
            "（法释〔2009〕15号）同时废止；之前发布的司法解释与本解释不一致的，以本解释为准。",
            ["最高人民法院关于审理洗钱等刑事案件具体应用法律若干问题的解释"],
        ),
        (
            "本法自2015年7月1日起施行。1993年2月22日第七届全国人民代表大会常务委员会第三十次"
            "会议通过的《中华人民共和国国家安全法》同时废止。",
            ["中华人民共和国国家安全法"],
        ),
        ("《城市维护建设税暂行条例》自本法施行之日起废止。", ["城市维护建设税暂行条例"]),
        # A PDF wraps lines anywhere, even inside a title.
        (
            "本条例自2022年3月1日起施行。《中华人民共和国公司登记\n管理条例》同时废止。",
            ["中华人民共和国公司登记管理条例"],
        ),
        # Only what the repeal names: not the law it was made under, not a part of a text.
        (
            "根据《中华人民共和国税收征收管理法》，《某市税务登记办法》同时废止。",
            ["某市税务登记办法"],
        ),
        ("本法自2020年1月1日起施行。《中华人民共和国某某法》第二十条同时废止。", []),
        ("《中华人民共和国某某法》中有关外资企业的规定同时废止。", []),
        ("依照《中华人民共和国某某法》制定的有关办法同时废止。", []),
        # A title that holds the word repeals nothing: an amendment recorded in the history.
        ("2014年2月19日《国务院关于废止和修改部分行政法规的决定》第一次修订", []),
        (CLOSE, []),
    ],
)
def test_the_whole_texts_a_closing_article_repeals_are_read(
    closing: str, titles: list[str]
) -> None:
    text = "# 某某条例\n\n第一条 为了规范某某工作，制定本条例。\n\n" + closing
    assert repealed_titles(text) == titles


def _meta(doc_id: str, title: str, issued: str | None, **extra: Any) -> DocumentMeta:
    values = {"id": doc_id, "title": title, "language": "zh", "category": "regulation"}
    return DocumentMeta.model_validate({**values, "issued": issued, **extra})


def _library(*metas: DocumentMeta) -> dict[str, DocumentMeta]:
    return {m.id: m for m in metas}


TODAY = dt.date(2026, 12, 4)
FIE = _meta(
    "fie-rules-2019",
    "中华人民共和国外商投资法实施条例",
    "2019-12-26",
    effective="2020-01-01",
    repeals=["中华人民共和国中外合作经营企业法实施细则", "中华人民共和国外资企业法实施细则"],
)


def test_a_held_text_another_repeals_reads_as_superseded_by_it() -> None:
    library = _library(
        FIE,
        _meta("cjv-rules", "中华人民共和国中外合作经营企业法实施细则", "2017-11-17"),
        _meta("wfoe-rules", "《外资企业法实施细则》（2014年修订）", "2014-02-19"),
        _meta(
            "cjv-rules-en",
            "Detailed Rules on Sino-Foreign Cooperative Joint Ventures",
            None,
            language="en",
            translation_of="cjv-rules",
        ),
        _meta("other", "中华人民共和国行政许可法", "2019-04-23"),
    )
    assert repealed(library, TODAY) == {
        "cjv-rules": FIE.id,
        "wfoe-rules": FIE.id,
        "cjv-rules-en": FIE.id,  # a translation goes with its text
    }
    marked = with_repeals(library, TODAY)
    assert marked["cjv-rules"].status == "superseded"
    assert marked["cjv-rules"].extra["superseded_by"] == FIE.id
    assert marked["cjv-rules"].extra[REPEALED_BY] == FIE.id
    assert marked[FIE.id] == FIE and marked["other"] == library["other"]


def test_a_repeal_waits_for_its_text_to_take_effect() -> None:
    library = _library(FIE, _meta("cjv-rules", "中华人民共和国中外合作经营企业法实施细则", "2017"))
    assert repealed(library, dt.date(2019, 12, 31)) == {}
    assert repealed(library, dt.date(2020, 1, 1)) == {"cjv-rules": FIE.id}


def test_a_later_text_of_the_repealed_name_stays_in_force() -> None:
    # The 反间谍法 of 2014 repealed the 国家安全法 of 1993; the 国家安全法 of 2015 is another law.
    counter = _meta(
        "counter-2014",
        "中华人民共和国反间谍法",
        "2014-11-01",
        effective="2014-11-01",
        repeals=["中华人民共和国国家安全法"],
    )
    library = _library(
        counter,
        _meta("security-1993", "中华人民共和国国家安全法", "1993-02-22"),
        _meta("security-2015", "中华人民共和国国家安全法", "2015-07-01"),
    )
    assert repealed(library, TODAY) == {"security-1993": counter.id}


def test_its_own_older_editions_drafts_and_staff_choices_are_left_alone() -> None:
    law = _meta(
        "tax-2025",
        "中华人民共和国增值税法",
        "2024-12-25",
        effective="2026-01-01",
        repeals=["中华人民共和国增值税法（草案）", "中华人民共和国增值税暂行条例"],
    )
    library = _library(
        law,
        _meta("tax-draft", "中华人民共和国增值税法（草案）", "2023-08-28"),  # editions' work
        _meta("vat-rules", "中华人民共和国增值税暂行条例", "2017-11-19", status="draft"),
    )
    assert repealed(library, TODAY) == {}
    # A repealing text that is itself only a draft repeals nothing yet.
    draft = _meta("draft", "某某条例", "2026-01-01", status="draft", repeals=["某某办法"])
    assert repealed(_library(draft, _meta("old", "某某办法", "2010")), TODAY) == {}


def test_metadata_from_a_real_text_keeps_what_it_repeals() -> None:
    text = (
        "# 某某条例\n\n第一条 为了规范某某工作，制定本条例。\n\n"
        "第二条 本条例自2020年1月1日起施行。《某某办法》同时废止。\n"
    )
    document = load_bytes(text.encode(), filename="rules.md")
    assert document.meta.extra[REPEALS] == ["某某办法"]


def test_what_a_held_text_repeals_and_the_library_lacks_is_known_by_the_repealing_text() -> None:
    assert unheld(_library(FIE), TODAY) == {
        "中外合作经营企业法实施细则": ("中华人民共和国中外合作经营企业法实施细则", FIE.id),
        "外资企业法实施细则": ("中华人民共和国外资企业法实施细则", FIE.id),
    }
    held = _library(FIE, _meta("cjv-rules", "中华人民共和国中外合作经营企业法实施细则", "2017"))
    assert list(unheld(held, TODAY)) == ["外资企业法实施细则"]
    assert unheld(_library(FIE), dt.date(2019, 12, 31)) == {}  # not in effect yet


def test_titles_typed_one_a_line_are_tidied_and_keep_their_own_commas() -> None:
    typed = "《某某办法》\n\n 最高人民法院、最高人民检察院关于办理某某案件的解释 \n某某办法\n"
    meta = _meta("x", "某某条例", "2024", repeals=typed)
    assert meta.extra[REPEALS] == ["某某办法", "最高人民法院、最高人民检察院关于办理某某案件的解释"]
    assert REPEALS not in _meta("y", "某某条例", "2024", repeals=" \n ").extra
