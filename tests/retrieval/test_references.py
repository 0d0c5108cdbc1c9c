"""Questions that name documents and articles resolve exactly, or say what is missing."""

from __future__ import annotations

import pytest

from knowledge.documents import DocumentMeta
from retrieval.references import ArticleRef, DocumentNames, article_refs, strip_title


def _meta(doc_id: str, title: str, **extra: object) -> DocumentMeta:
    return DocumentMeta.model_validate(
        {"id": doc_id, "title": title, "language": "zh", "category": "regulation", **extra}
    )


DOCUMENTS = {
    "tcm": _meta("tcm", "中华人民共和国中医药法", issued="2016-12-25"),
    "ads": _meta("ads", "中华人民共和国广告法", issued="2021-04-29"),
    "hgr": _meta("hgr", "人类遗传资源管理条例", doc_number="国务院令第717号"),
    "lab": _meta("lab", "病原微生物实验室生物安全管理条例"),
    "pat-2010": _meta("pat-2010", "中华人民共和国专利法实施细则", issued="2010-01-09"),
    "pat-2023": _meta("pat-2023", "中华人民共和国专利法实施细则", issued="2023-12-11"),
    "gmo": _meta("gmo", "农业转基因生物安全管理条例"),
}
NAMES = DocumentNames(
    DOCUMENTS,
    english_names={
        "中华人民共和国广告法": ["Advertising Law of the People's Republic of China"],
        "中华人民共和国药品管理法": ["Drug Administration Law of the People's Republic of China"],
    },
    known_titles=["中华人民共和国药品管理法", "中华人民共和国专利法"],
)


@pytest.mark.parametrize(
    ("question", "keys"),
    [
        ("《药品管理法》第一百一十八条规定了什么？", ["118"]),
        ("第十条之一怎么规定", ["10-1"]),
        ("What does Article 19 of the law say?", ["19"]),
        ("第19条和第二十条", ["19", "20"]),
        ("没有条文号的问题", []),
    ],
)
def test_article_references_are_read_as_numbers_and_keys(question: str, keys: list[str]) -> None:
    assert [ref.key for ref in article_refs(question)] == keys


def test_titles_are_compared_without_prefix_or_marks() -> None:
    assert strip_title("《中华人民共和国广告法》") == "广告法"
    assert ArticleRef(10, 1).key == "10-1"


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("中华人民共和国广告法第十六条", "ads"),  # full title
        ("广告法第十六条", "ads"),  # without 中华人民共和国
        ("《中医药法》第十四条规定了什么？", "tcm"),
        ("人遗条例对出境有什么要求", "hgr"),  # a short name: the title's characters in order
        ("病原微生物条例第十条之一", "lab"),
        ("国务院令第717号第三条", "hgr"),  # its document number
        ("What does Article 16 of the Advertising Law say?", "ads"),  # its English name
        ("专利法实施细则第十条", "pat-2023"),  # two versions: the newest
    ],
)
def test_a_document_is_found_by_any_of_its_names(question: str, document: str) -> None:
    refs = NAMES.find(question)
    assert refs.document == document
    assert not refs.missing


def test_a_named_regulation_the_library_does_not_hold_is_reported_missing() -> None:
    assert NAMES.find("《药品管理法》第一百一十八条规定了什么？").missing == ("药品管理法",)
    assert NAMES.find("Under the Drug Administration Law, how long?").missing == ("药品管理法",)
    # 专利法 is not its implementing rules: never the nearest title.
    refs = NAMES.find("专利法第十条")
    assert refs.documents == () and refs.missing == ("专利法",)


def test_a_title_ending_in_a_name_or_made_under_it_does_not_hold_it() -> None:
    documents = {
        "labour": _meta("labour", "中华人民共和国劳动合同法"),
        "army": _meta("army", "中国人民解放军实施《中华人民共和国药品管理法》办法"),
        "army-short": _meta("army-short", "中国人民解放军实施《药品管理法》办法"),
        "guide": _meta("guide", "《广告法》要点解读"),
    }
    names = DocumentNames(
        documents,
        known_titles=["中华人民共和国合同法", "中华人民共和国药品管理法", "中华人民共和国广告法"],
    )
    assert names.find("《中华人民共和国合同法》第五十二条规定了什么？").missing == ("合同法",)
    assert names.find("合同法还有效吗？").missing == ("合同法",)
    assert names.find("药品管理法对药品上市许可持有人有什么要求？").missing == ("药品管理法",)
    # A text titled after the law it explains still answers for it.
    assert names.find("广告法对药品广告有什么规定？").documents == ("guide",)


@pytest.mark.parametrize(
    ("question", "edition"),
    [
        ("专利法实施细则第一条", "pat-2023"),  # no year: the current edition
        ("2010年的专利法实施细则第一条", "pat-2010"),
        ("《专利法实施细则》（2010年修订）第一条", "pat-2010"),
        ("2023年版专利法实施细则第一条", "pat-2023"),
        ("2015年的专利法实施细则第一条", "pat-2023"),  # no edition of that year: the current one
        # A document number's year is not an edition's.
        ("按国知发〔2010〕5号，专利法实施细则第一条", "pat-2023"),
    ],
)
def test_a_year_the_question_writes_picks_that_edition(question: str, edition: str) -> None:
    assert NAMES.find(question).document == edition


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("2015年的专利法实施细则第一条", (("pat-2023", "2015"),)),  # answered from 2023's
        ("《专利法实施细则》（2015年修订）第一条", (("pat-2023", "2015"),)),
        ("1999年版广告法第十六条", (("ads", "1999"),)),
        ("What does Article 16 of the 2015 Advertising Law say?", (("ads", "2015"),)),
        ("2010年的专利法实施细则第一条", ()),  # the library holds that edition
        ("广告法（2021）第十六条", ()),
        # A year not next to the name is not an edition: when the company did something.
        ("我们2015年按广告法做过备案，第十六条怎么说？", ()),
        ("按国知发〔2015〕5号，专利法实施细则第一条", ()),
    ],
)
def test_a_year_written_with_a_name_the_library_holds_no_edition_of_is_reported(
    question: str, other: tuple[tuple[str, str], ...]
) -> None:
    assert NAMES.find(question).other_editions == other


def test_an_english_name_with_a_year_picks_that_edition_too() -> None:
    names = DocumentNames(
        DOCUMENTS,
        english_names={
            "中华人民共和国专利法实施细则": [
                "Implementing Regulations of the Patent Law of the People's Republic of China"
            ]
        },
    )
    asked = "What does Article 1 of the {}Implementing Regulations of the Patent Law say?"
    assert names.find(asked.format("2010 ")).document == "pat-2010"
    assert names.find(asked.format("")).document == "pat-2023"


def test_a_short_name_that_fits_two_regulations_is_not_guessed() -> None:
    names = DocumentNames(
        {"a": _meta("a", "医疗机构管理条例"), "b": _meta("b", "医疗器械监督管理条例")}
    )
    assert names.find("医条例第三条").documents == ()


def test_ordinary_words_are_not_taken_for_names() -> None:
    refs = NAMES.find("按照法律规定本条例怎么办")
    assert refs.documents == () and refs.missing == ()


def test_a_short_name_may_drop_the_opening_words_of_a_long_title() -> None:
    documents = DOCUMENTS | {
        "zj": _meta("zj", "上海市浦东新区促进张江生物医药产业创新高地建设规定"),
        "pd": _meta("pd", "上海市浦东新区绿色金融发展若干规定"),
    }
    names = DocumentNames(documents)
    found = names.find("张江生物医药创新高地建设规定第七条规定了什么？")
    assert found.documents == ("zj",) and [a.key for a in found.articles] == ["7"]
    # Too short to tell which title it abbreviates: never guessed.
    assert names.find("新区建设规定第七条").documents == ()


def test_a_good_practice_rule_the_library_lacks_is_missing_a_technical_norm_is_not() -> None:
    names = DocumentNames(DOCUMENTS, known_titles=["药物临床试验质量管理规范", "细胞培养技术规范"])
    assert names.find("药物临床试验质量管理规范对申办者的监查有什么要求？").missing == (
        "药物临床试验质量管理规范",
    )
    assert names.find("细胞培养技术规范对洁净区有什么要求？").missing == ()


def test_an_english_title_is_matched_by_the_kind_of_joint_venture_it_names() -> None:
    # A "cooperative joint venture" is 中外合作经营, not 合资: the held rules are found, not
    # reported missing; an equity joint venture's rules, which the library lacks, are.
    names = DocumentNames({"cjv": _meta("cjv", "中华人民共和国中外合作经营企业法实施细则")})
    held = names.find(
        "Are the Detailed Rules for the Implementation of the Sino-Foreign Cooperative Joint"
        " Venture Enterprise Law still in force?"
    )
    assert held.documents == ("cjv",) and held.missing == ()
    lacking = names.find(
        "What do the Regulations for the Implementation of the Sino-Foreign Equity Joint Venture"
        " Enterprise Law say about the board?"
    )
    assert lacking.documents == () and lacking.missing != ()


IMPLEMENTING = DocumentNames(
    {
        "fil": _meta("fil", "中华人民共和国外商投资法"),
        "fir": _meta("fir", "中华人民共和国外商投资法实施条例"),
        "pat": _meta("pat", "中华人民共和国专利法"),
        "tm": _meta("tm", "中华人民共和国商标法"),
        "tm-rules": _meta("tm-rules", "中华人民共和国商标法实施条例"),
    },
    english_names={
        "中华人民共和国外商投资法": ["Foreign Investment Law of the People's Republic of China"],
        "中华人民共和国专利法": ["Patent Law of the People's Republic of China"],
        "中华人民共和国外资企业法": ["Wholly Foreign-Owned Enterprise Law"],
    },
    known_titles=["中华人民共和国外资企业法", "中华人民共和国外资企业法实施细则"],
)


@pytest.mark.parametrize(
    ("question", "documents", "missing"),
    [
        # The rules made under a law are another text, held or not.
        ("外商投资法实施条例第四条", ("fir",), ()),
        ("《外商投资法》实施条例第四条", ("fir",), ()),
        ("《专利法》实施细则第八十条", (), ("专利法实施细则",)),
        ("专利法实施细则第八十条", (), ("专利法实施细则",)),
        ("外资企业法实施细则还有效吗？", (), ("外资企业法实施细则",)),
        (
            "What do the Rules for the Implementation of the Foreign Investment Law say?",
            ("fir",),
            (),
        ),
        ("Article 3 of the Patent Law Implementing Rules", (), ("Patent Law Implementing Rules",)),
        (
            "Are the Detailed Rules for the Implementation of the Wholly Foreign-Owned Enterprise"
            " Law still valid?",
            (),
            ("外资企业法实施细则",),
        ),
        # The held rules under the other name companies write for them.
        ("商标法实施细则第五条", ("tm-rules",), ()),
        ("《商标法》实施条例第五条", ("tm-rules",), ()),
        # The law itself, and words that only follow its name.
        ("《专利法》第八十条", ("pat",), ()),
        ("《专利法》实施以来有什么变化？", ("pat",), ()),
        ("外资企业法规定的期限", (), ("外资企业法",)),
        ("What does the Foreign Investment Law say about implementation?", ("fil",), ()),
    ],
)
def test_a_text_implementing_a_law_is_not_the_law(
    question: str, documents: tuple[str, ...], missing: tuple[str, ...]
) -> None:
    found = IMPLEMENTING.find(question)
    assert (found.documents, found.missing) == (documents, missing)


@pytest.mark.parametrize(
    "question", ["专利法实施条例第十二条", "《专利法》实施条例第十二条", "专利法实施细则第十二条"]
)
def test_the_rules_are_found_when_the_library_lacks_the_law_they_implement(question: str) -> None:
    names = DocumentNames(
        {"pat-rules": _meta("pat-rules", "中华人民共和国专利法实施细则")},
        known_titles=["中华人民共和国专利法"],
    )
    found = names.find(question)
    assert (found.documents, found.missing) == (("pat-rules",), ())
    assert names.find("专利法第十二条").missing == ("专利法",)


def test_a_longer_english_name_is_read_before_a_shorter_one_inside_it() -> None:
    """ "Labor Contract Law" is not the Contract Law, held or not; "contract law" in lower case is
    a field of law, not the repealed statute; a longer name the library lacks is not read as a
    held text whose name it contains."""
    english = {
        "中华人民共和国合同法": ["Contract Law of the People's Republic of China", "Contract Law"],
        "中华人民共和国劳动合同法": ["Labor Contract Law"],
        "中华人民共和国经济合同法": ["Economic Contract Law"],
    }
    unheld = DocumentNames({}, english_names=english)
    assert unheld.find("Is the Contract Law still in force?").missing == ("合同法",)
    assert unheld.find("Does the Labor Contract Law cap probation?").missing == ("劳动合同法",)
    assert unheld.find("Under contract law, is a verbal agreement binding?").missing == ()
    assert unheld.find("Is the Economic Contract Law in force?").missing == ("经济合同法",)
    # The library holds the Contract Law: the laws whose names hold its name are still others.
    held = DocumentNames(
        {"contract": _meta("contract", "中华人民共和国合同法")}, english_names=english
    )
    found = held.find("Is the Economic Contract Law in force?")
    assert (found.documents, found.missing) == ((), ("经济合同法",))
    found = held.find("what does the contract law say about deposits?")
    assert found.documents == ("contract",)
