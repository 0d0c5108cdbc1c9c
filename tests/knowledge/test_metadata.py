"""Metadata a real regulatory text carries in its own words (knowledge.metadata).

The inline texts below are written for these tests; test_metadata_corpus.py reads the real
published texts.
"""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.documents import DocumentMeta, SourceDocument
from knowledge.metadata import category_for, document_id, metadata_from_text

# A law as the national database prints it: history lines, then chapters and articles.
LAW = """# 中华人民共和国细胞治疗促进法

二〇一八年十月二十六日第十三届全国人民代表大会常务委员会第六次会议通过

2020年8月26日 第十三届全国人民代表大会常务委员会第二十一次会议第一次修正

## 第一章 总则

第一条 为了促进细胞治疗产业发展，制定本法。

## 第五章 附则

第五十条 本法自2019年1月1日起施行。
"""

# A State Council regulation as the official gazette prints it: one bracketed history line.
REGULATION = """信访条例示例

（2005年1月10日中华人民共和国国务院令第431号公布　根据2011年1月8日《国务院关于废止和修改\
部分行政法规的决定》第一次修订　根据2016年2月6日《国务院关于修改部分行政法规的决定》第二次修订）

第一章 总则

第一条 为了规范信访工作，制定本条例。

第五十一条 本条例自二〇〇五年五月一日起施行。
"""

# A notice: its number above the title, the issuing body and date signed at the end.
NOTICE = """国药监药注〔2020〕12号

国家药监局关于发布细胞治疗产品研究与评价技术指导原则的通告

为指导细胞治疗产品的研究与评价，国家药品监督管理局组织制定了技术指导原则，现予发布，\
自发布之日起施行。

特此通告。

国家药品监督管理局

2020年3月30日
"""

# A city's regulation: adopted by the city, approved by the province, published by notice.
LOCAL = """# 南沙细胞产业促进条例

2021年10月28日 广州市第十五届人民代表大会常务委员会第五十七次会议通过

2021年11月26日 广东省第十三届人民代表大会常务委员会第三十七次会议批准

2021年12月6日 广州市第十五届人民代表大会常务委员会公告第68号公布

2022年3月1日 施行

第一条 为了促进细胞产业发展，制定本条例。
"""


def test_a_law_gets_title_dates_issuer_and_history_from_its_opening_lines() -> None:
    meta = metadata_from_text(LAW, "细胞治疗促进法(2020-08-26).md")

    assert meta["title"] == "中华人民共和国细胞治疗促进法"
    assert meta["category"] == "regulation"
    assert meta["issued"] == "2020-08-26"  # the latest amendment, not the first adoption
    assert meta["adopted"] == "2018-10-26"  # written in Chinese numerals
    assert meta["amended"] == "2020-08-26"
    assert meta["effective"] == "2019-01-01"  # from the final article
    assert meta["issuer"] == "全国人民代表大会常务委员会"
    assert meta["history"] == [
        {"date": "2018-10-26", "body": "全国人民代表大会常务委员会", "action": "通过"},
        {"date": "2020-08-26", "body": "全国人民代表大会常务委员会", "action": "修正"},
    ]
    assert "doc_number" not in meta


def test_a_bracketed_history_line_gives_each_event_its_order_and_author() -> None:
    meta = metadata_from_text(REGULATION, "信访条例.txt")

    assert meta["title"] == "信访条例示例"
    assert meta["doc_number"] == "国务院令第431号"
    assert meta["issuer"] == "国务院"
    assert meta["issued"] == "2016-02-06"
    assert meta["effective"] == "2005-05-01"  # 二〇〇五年五月一日
    assert [(e["date"], e["body"], e["action"]) for e in meta["history"]] == [
        ("2005-01-10", "国务院", "公布"),
        ("2011-01-08", "国务院", "修订"),  # the decision named in 《》 says who amended it
        ("2016-02-06", "国务院", "修订"),
    ]


def test_a_notice_gets_its_number_signature_and_date() -> None:
    meta = metadata_from_text(NOTICE, "notice.txt")

    assert meta["title"] == "国家药监局关于发布细胞治疗产品研究与评价技术指导原则的通告"
    assert meta["doc_number"] == "国药监药注〔2020〕12号"
    assert meta["issuer"] == "国家药品监督管理局"  # the signature's full name
    assert meta["issued"] == "2020-03-30"
    assert meta["effective"] == "2020-03-30"  # 自发布之日起施行
    assert meta["category"] == "policy"
    assert "history" not in meta


def test_a_city_regulation_is_issued_by_the_city_and_dated_by_its_publication() -> None:
    meta = metadata_from_text(LOCAL, "local.md")

    assert meta["issuer"] == "广州市人民代表大会常务委员会"
    assert meta["doc_number"] == "广州市第十五届人民代表大会常务委员会公告第68号"
    assert meta["issued"] == "2021-12-06"
    assert meta["effective"] == "2022-03-01"
    assert [e["action"] for e in meta["history"]] == ["通过", "批准", "公布", "施行"]
    assert meta["history"][1]["body"] == "广东省人民代表大会常务委员会"


# A policy page copied from a government site: labelled fields above the document.
POLICY_PAGE = """索引号：000014349/2020-00012
发文机关：
国务院办公厅
成文日期：2020年03月10日
标　　题：国务院办公厅关于促进细胞产业发展的意见
发文字号：国办发〔2020〕7号　　发布日期：2020-03-12
国务院办公厅关于促进细胞产业发展的意见
各省、自治区、直辖市人民政府：
为促进细胞产业发展，经国务院同意，现提出以下意见。
"""


def test_a_policy_page_s_labelled_fields_are_read_as_stated() -> None:
    meta = metadata_from_text(POLICY_PAGE, "page.txt")

    assert meta == {
        "title": "国务院办公厅关于促进细胞产业发展的意见",
        "category": "policy",
        "issuer": "国务院办公厅",  # the value sits on the line below its label, as in a table
        "doc_number": "国办发〔2020〕7号",
        "issued": "2020-03-10",  # the date it was signed, not the date the site posted it
    }


def test_a_promulgation_order_s_number_on_its_own_lines_is_the_documents() -> None:
    text = (
        "细胞产业管理条例\n\n中华人民共和国国务院令\n\n第699号\n\n"
        "《细胞产业管理条例》已经国务院常务会议通过，现予公布，自2018年5月1日起施行。\n"
    )
    meta = metadata_from_text(text, "x.txt")
    assert (meta["doc_number"], meta["effective"]) == ("国务院令第699号", "2018-05-01")


def test_a_joint_interpretation_is_issued_by_both_courts() -> None:
    text = (
        "# 最高人民法院、最高人民检察院关于办理某类刑事案件适用法律若干问题的解释\n\n"
        "2023年1月3日 最高人民法院审判委员会第1878次会议、2023年3月2日最高人民检察院第十三届"
        "检察委员会第一百一十四次会议通过\n\n2023年4月1日 施行\n\n第一条 为了……\n"
    )
    meta = metadata_from_text(text, "x.md")

    assert meta["issuer"] == "最高人民法院、最高人民检察院"
    assert meta["history"][:2] == [
        {"date": "2023-01-03", "body": "最高人民法院审判委员会", "action": "通过"},
        {"date": "2023-03-02", "body": "最高人民检察院检察委员会", "action": "通过"},
    ]
    assert (meta["issued"], meta["effective"]) == ("2023-03-02", "2023-04-01")


def test_a_presidential_order_keeps_its_full_name() -> None:
    text = "# 某某法\n\n（2019年8月26日中华人民共和国主席令第三十一号公布）\n\n第一条 为了……\n"
    meta = metadata_from_text(text, "x.md")
    assert meta["doc_number"] == "中华人民共和国主席令第三十一号"
    assert meta["issuer"] == "中华人民共和国主席"


def test_published_and_in_force_the_same_day_is_two_events() -> None:
    text = (
        "# 某某实施条例\n\n1996年10月11日 国务院批准\n\n"
        "1996年10月30日 劳动部令第4号发布  自发布之日施行\n\n第一条 为了……\n"
    )
    meta = metadata_from_text(text, "x.md")

    assert meta["history"] == [
        {"date": "1996-10-11", "body": "国务院", "action": "批准"},
        {"date": "1996-10-30", "body": "劳动部", "action": "公布"},
        {"date": "1996-10-30", "body": None, "action": "施行"},
    ]
    assert (meta["issued"], meta["effective"]) == ("1996-10-30", "1996-10-30")
    assert (meta["issuer"], meta["doc_number"]) == ("劳动部", "劳动部令第4号")


def test_the_texts_own_effective_date_wins_over_a_repealed_ones() -> None:
    text = (
        "# 某市幼儿园条例\n\n第六十二条 本条例自2021年6月1日起施行。"
        "自1997年2月5日起施行的《某市幼儿教育管理规定》同时废止。\n"
    )
    assert metadata_from_text(text, "x.md")["effective"] == "2021-06-01"


def test_a_document_number_cited_inside_a_title_is_not_the_documents_own() -> None:
    text = (
        "# 某某实施办法\n\n2011年1月8日 根据《国务院关于印发某规定的通知（国发〔2010〕3号）》修订\n"
        "\n第一条 为了……\n"
    )
    meta = metadata_from_text(text, "x.md")
    assert "doc_number" not in meta
    assert meta["issued"] == "2011-01-08"


@pytest.mark.parametrize(
    "body",
    [
        "第一条 企业应当于2020年3月1日前完成登记并公布结果。",
        "2021年8月27日，试点扩大到5家医疗机构。省药监局2025年7月18日公布，增至45家。",
        "2026年5月1日之前，医疗技术路径依靠备案。\n\n自2026年5月1日起，改为依照国务院令第818号。",
    ],
)
def test_body_text_dates_are_not_taken_for_history(body: str) -> None:
    meta = metadata_from_text(f"# 某某办法\n\n{body}\n", "x.md")
    assert "issued" not in meta and "history" not in meta and "doc_number" not in meta


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("中华人民共和国药品管理法", "regulation"),
        ("人类遗传资源管理条例", "regulation"),
        ("药品注册管理办法（试行）", "regulation"),
        ("全国人民代表大会常务委员会关于修改部分法律的决定", "regulation"),
        ("人源干细胞产品药学研究与评价技术指导原则（试行）", "guideline"),
        ("药物临床试验质量管理规范", "guideline"),
        ("免疫细胞治疗产品临床试验技术指南", "guideline"),
        ("关于促进生物医药产业发展的若干措施", "policy"),
        ("国家药监局关于发布某指导原则的通告", "policy"),
        ("Nansha biomedicine support notice", "policy"),
        ("Drug Administration Law of the People's Republic of China", "regulation"),
        ("Notice on Measures to Support Biomedicine in Nansha", "policy"),
        ("Regulations on Human Genetic Resources", "regulation"),
        ("Technical Guidelines for Cell Therapy Products", "guideline"),
    ],
)
def test_the_title_s_kind_word_decides_the_category(title: str, category: str) -> None:
    assert category_for(title) == category


def test_a_chinese_file_name_gives_a_readable_unique_and_stable_id() -> None:
    first = document_id("中医药法(2016-12-25).md", "zh")
    other = document_id("疫苗管理法(2016-12-25).md", "zh")

    assert first.startswith("2016-12-25-") and first.endswith("-zh")
    assert first != other
    assert first == document_id("中医药法(2016-12-25).md", "zh")  # same name, same id
    assert re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,119}", first)
    assert re.fullmatch(r"doc-[0-9a-f]{10}-zh", document_id("药品管理法.md", "zh"))


def test_an_ascii_file_name_keeps_the_id_it_always_had() -> None:
    assert document_id("Release Testing.txt", "en") == "release-testing-en"
    assert document_id("cit.txt", "zh") == "cit-zh"


def test_a_title_and_a_history_line_a_pdf_wrapped_are_joined_again() -> None:
    text = (
        "最高人民法院关于审理细胞治疗产品纠纷案件适用法律若干\n问题的解释\n"
        "2021年12月28日\n浙江省第十三届人民代表大会常务委员会第三十三次会议《关于修改〈浙江省\n"
        "细胞产业条例〉的决定》第\n一次修正\n第一条 为了……\n第九条 本解释自2022年1月1日起施\n行。\n"
    )
    meta = metadata_from_text(text, "x.pdf")

    assert meta["title"] == "最高人民法院关于审理细胞治疗产品纠纷案件适用法律若干问题的解释"
    assert meta["history"] == [
        {"date": "2021-12-28", "body": "浙江省人民代表大会常务委员会", "action": "修正"}
    ]
    assert meta["effective"] == "2022-01-01"


def test_aliases_history_and_dates_are_checked_and_kept_as_extra_keys(
    session: Session,
) -> None:
    values = {"id": "rules-zh", "title": "某某条例", "language": "zh", "category": "regulation"}
    meta = DocumentMeta.model_validate(
        {
            **values,
            "aliases": "某条例， 某某规定",  # as typed into one form field
            "history": [{"date": "2019-05-28", "body": "国务院", "action": "公布"}],
            "adopted": "2019-05-28",
        }
    )
    assert meta.extra == {
        "aliases": ["某条例", "某某规定"],
        "history": [{"date": "2019-05-28", "body": "国务院", "action": "公布"}],
        "adopted": "2019-05-28",
    }
    registry.save_document(
        session=session,
        document=SourceDocument(meta=meta, text="第一条 为了……"),
        chunks=[],
        origin="upload",
    )
    row = registry.get(session=session, document_id="rules-zh")
    assert row is not None and row.meta == meta  # the registry keeps them as they were

    with pytest.raises(ValidationError, match="date"):
        DocumentMeta.model_validate(
            {**values, "history": [{"date": "2019-5-28", "action": "公布"}]}
        )
    with pytest.raises(ValidationError, match="adopted"):
        DocumentMeta.model_validate({**values, "adopted": "28.05.2019"})
    plain = DocumentMeta.model_validate({**values, "aliases": [], "history": None})
    assert plain.extra == {} and "history" not in plain.model_dump()
