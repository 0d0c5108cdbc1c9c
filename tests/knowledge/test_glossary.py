"""The bilingual regulatory glossary: its data and finding its terms in questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.glossary import (
    GlossaryError,
    chinese_terms_for,
    english_name,
    find_chinese,
    find_english,
    get_glossary,
    load_glossary,
)
from knowledge.script import to_simplified


def _found(question: str) -> list[tuple[str, str]]:
    return [(m.text, m.entry.preferred_zh) for m in find_english(question)]


def test_the_bundled_glossary_loads_and_holds_hundreds_of_pairs() -> None:
    entries = get_glossary().entries
    assert len(entries) >= 300
    kinds = {"term", "authority", "document", "phrase", "place", "jurisdiction"}
    assert all(e.zh and e.en and e.kind in kinds for e in entries)


def test_finds_terms_and_abbreviations_in_an_english_question() -> None:
    assert _found("Who is the MAH, and when is an IND deemed approved?") == [
        ("MAH", "药品上市许可持有人"),
        ("IND", "临床试验申请"),
        ("deemed approved", "默示许可"),
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Rules for marketing authorization holders",
        "Rules for Marketing Authorisation Holder",
        "what must a MAH do",
        "are MAHs liable",
        "the MAH's duties",
    ],
)
def test_tolerates_case_plural_and_british_spelling(question: str) -> None:
    assert "药品上市许可持有人" in [m.entry.preferred_zh for m in find_english(question)]


@pytest.mark.parametrize(
    ("question", "chinese"),
    [
        ("practising medicine", "执业"),
        ("medical practice", "执业"),
        ("the licences", "许可"),
        ("licensing of the lab", "许可"),
        ("revoked licence", "吊销许可证"),
        ("labour contract law", "中华人民共和国劳动合同法"),
    ],
)
def test_tolerates_verb_endings_and_spelling(question: str, chinese: str) -> None:
    assert chinese in chinese_terms_for(question)


def test_longest_match_wins_and_matches_do_not_overlap() -> None:
    matches = find_english("Is conditional approval possible for a gene therapy product?")
    assert [m.text for m in matches] == ["conditional approval", "gene therapy product"]
    assert [m.entry.preferred_zh for m in matches] == ["附条件批准", "基因治疗产品"]


def test_short_abbreviations_match_only_in_capitals() -> None:
    assert _found("is it mah or ind?") == []
    assert _found("Is IT or OR a term?") == []


def test_a_match_carries_its_whole_entry() -> None:
    (match,) = find_english("human genetic resources")
    assert match.entry.kind == "term"
    assert "HGR" in match.entry.en
    assert match.entry.preferred_zh == "人类遗传资源"
    assert (match.start, match.end, match.form) == (0, 23, "human genetic resources")


def test_finds_chinese_terms_longest_first() -> None:
    matches = find_chinese("药品上市许可持有人应当建立药物警戒体系吗？")
    assert [m.text for m in matches] == ["药品上市许可持有人", "药物警戒"]
    assert matches[0].entry.preferred_en == "marketing authorization holder"


def test_a_traditional_question_finds_its_terms_once_converted() -> None:
    question = to_simplified("人類遺傳資源出境需要審批嗎？")
    assert [m.entry.preferred_en for m in find_chinese(question)] == [
        "human genetic resources",
        "export",
        "approval",
    ]


def test_chinese_matching_ignores_the_width_of_brackets() -> None:
    match = find_chinese("运输菌(毒)种")[-1]
    assert (match.text, match.form) == ("菌(毒)种", "菌（毒）种")


@pytest.mark.parametrize(
    "title",
    [
        "中华人民共和国药品管理法",
        "药品管理法",
        "《中华人民共和国药品管理法》",
        "《药品管理法》",
        "中华人民共和国药品管理法（2019年修订）",
    ],
)
def test_english_name_of_a_law_with_or_without_its_prefix(title: str) -> None:
    assert english_name(title) == "Drug Administration Law of the People's Republic of China"


def test_english_name_of_regulations_and_unknown_titles() -> None:
    assert english_name("人类遗传资源管理条例") == (
        "Regulation on the Administration of Human Genetic Resources"
    )
    assert english_name("《中华人民共和国中医药法》") == (
        "Law of the People's Republic of China on Traditional Chinese Medicine"
    )
    assert english_name("某某不存在的条例") is None
    assert english_name("药品") is None  # a term, not a title


def test_chinese_terms_for_an_english_question() -> None:
    terms = chinese_terms_for(
        "Does exporting human genetic resources need approval, and what fine applies?"
    )
    assert terms[:3] == ["出境", "人类遗传资源", "审批"]
    assert "罚款" in terms


def test_chinese_terms_for_can_give_every_form() -> None:
    terms = chinese_terms_for("Who is the MAH?", all_forms=True)
    assert terms == ["药品上市许可持有人", "上市许可持有人", "持有人"]


def test_english_document_names_are_found_in_questions() -> None:
    terms = chinese_terms_for("What does the Drug Administration Law say about online sales?")
    assert terms[0] == "中华人民共和国药品管理法"


def _write(folder: Path, text: str) -> Path:
    (folder / "a.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("- {zh: [], en: [x], kind: term}", "empty"),
        ("- {zh: [药品], en: [''], kind: term}", "empty"),
        ("- {zh: [药品], en: [drug], kind: word}", "unknown kind"),
        ("- {zh: [药品], en: [drug]}\n- {zh: [药物], en: [drugs]}", "already"),
        ("- {zh: [药品], en: [drug]}\n- {zh: [药品], en: [medicine]}", "already"),
        ("{zh: 药品}", "list"),
    ],
)
def test_refuses_malformed_or_duplicate_data(tmp_path: Path, data: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=message):
        load_glossary(_write(tmp_path, data))


def test_an_everyday_word_finds_the_entry_of_the_laws_word() -> None:
    # Companies write 牌子 and 刷脸; the law writes 商标 and 人脸识别.
    question = "别人注册了和我们很像的牌子，App还能用刷脸登录吗"
    found = {m.text: m.entry for m in find_chinese(question)}
    assert found["牌子"].preferred_zh == "商标"
    assert found["刷脸"].preferred_zh == "人脸识别"
    # The everyday word is how it is found, never its Chinese.
    assert "牌子" not in found["牌子"].zh
    assert "牌子" in found["牌子"].everyday


def _write_everyday(folder: Path, terms: str, everyday: str) -> Path:
    (folder / "a.yaml").write_text(terms, encoding="utf-8")
    (folder / "everyday.yaml").write_text(everyday, encoding="utf-8")
    return folder


def test_everyday_words_attach_to_the_entry_they_name(tmp_path: Path) -> None:
    glossary = load_glossary(
        _write_everyday(
            tmp_path,
            "- {zh: [商标], en: [trademark]}",
            "- {of: 商标, everyday: [牌子]}\n- {of: 商标, everyday: [品牌名]}",
        )
    )
    (entry,) = glossary.entries
    assert entry.zh == ("商标",) and entry.everyday == ("牌子", "品牌名")
    assert [m.entry for m in glossary.find_chinese("品牌名被抢注")] == [entry]


@pytest.mark.parametrize(
    ("everyday", "message"),
    [
        ("- {of: 药物, everyday: [药]}", "no entry has"),
        ("- {of: 药品, everyday: []}", "empty"),
        ("- {of: 药品, everyday: [吃的药], kind: term}", "of and everyday"),
        ("- {of: 药品, everyday: [医疗器械]}", "already"),
    ],
)
def test_refuses_everyday_words_without_an_entry_or_claimed_twice(
    tmp_path: Path, everyday: str, message: str
) -> None:
    terms = "- {zh: [药品], en: [drug]}\n- {zh: [医疗器械], en: [medical device]}"
    with pytest.raises(GlossaryError, match=message):
        load_glossary(_write_everyday(tmp_path, terms, everyday))
