"""Local rules of other places: read from titles, and ranked below the national rule unless the
question asks about that place."""

from __future__ import annotations

import pytest

from knowledge.documents import DocumentMeta
from knowledge.loaders import load_bytes
from retrieval.places import away, elsewhere, title_place
from web.core.components import Components


@pytest.mark.parametrize(
    ("title", "place"),
    [
        ("北京市精神卫生条例", ("北京", "北京市")),  # the glossary's place
        ("济南市院前医疗急救条例", ("济南市", "济南")),  # a place only jieba's dictionary knows
        ("《驻马店市饮用水水源保护条例》", ("驻马店市", "驻马店")),
        ("东营市养犬管理条例", ("东营市", "东营")),  # jieba knows 东营, not 东营市
        ("中华人民共和国城市房地产管理法", ()),
        ("中华人民共和国市场主体登记管理条例", ()),  # the country, not a 市
        ("城市市容和环境卫生管理条例", ()),  # an everyday word before 市 is not a city
        ("证券交易所上市规则", ()),
        ("市场监督管理行政处罚程序规定", ()),
    ],
)
def test_a_title_names_the_place_it_opens_with(title: str, place: tuple[str, ...]) -> None:
    assert title_place(title) == place


def _meta(
    doc_id: str, title: str, jurisdiction: str | None = None, issuer: str | None = None
) -> DocumentMeta:
    return DocumentMeta.model_validate(
        {"id": doc_id, "title": title, "language": "zh", "category": "regulation"}
        | ({"jurisdiction": jurisdiction} if jurisdiction else {})
        | ({"issuer": issuer} if issuer else {})
    )


def test_only_rules_of_places_outside_guangdong_are_elsewhere() -> None:
    library = {
        m.id: m
        for m in (
            _meta("bj", "北京市精神卫生条例"),
            _meta("jn", "济南市院前医疗急救条例"),
            _meta("gd", "广东省药品管理条例"),
            _meta("st", "汕头经济特区医疗卫生条例"),  # a Guangdong city's
            _meta("ns", "广州市南沙区促进生物医药产业发展办法"),
            _meta("law", "中华人民共和国精神卫生法"),
            _meta("gz", "上海市某某办法", jurisdiction="guangzhou"),  # staff say where it applies
        )
    }
    local = elsewhere(library)
    assert set(local) == {"bj", "jn"}
    assert away(local, "精神障碍患者可以住院吗？", ()) == {"bj", "jn"}
    # Asked about the place, in Chinese or (through the glossary) in English.
    assert away(local, "济南的急救中心要多久到？", ()) == {"bj"}
    assert away(local, "Can a patient in Beijing be admitted?", ("北京", "北京市")) == {"jn"}


def test_a_title_without_a_place_is_read_by_its_issuer_and_rules_for_the_forces_by_title() -> None:
    library = {
        m.id: m
        for m in (
            _meta("zgc", "中关村国家自主创新示范区条例", issuer="北京市人民代表大会常务委员会"),
            _meta("gd", "广东省实验动物管理条例", issuer="广东省人民代表大会常务委员会"),
            _meta("law", "中华人民共和国药品管理法", issuer="全国人民代表大会常务委员会"),
            _meta("pla", "中国人民解放军实施《中华人民共和国药品管理法》办法"),
            # Issued with the Central Military Commission, but for everyone.
            _meta("radio", "中华人民共和国无线电管理条例", issuer="国务院、中央军事委员会"),
        )
    }
    local = elsewhere(library)
    assert set(local) == {"zgc", "pla"}
    assert {"北京", "中关村"} <= local["zgc"]
    assert away(local, "药品的进口要经过哪些审批？", ()) == {"zgc", "pla"}
    assert away(local, "中关村的企业可以享受哪些政策？", ()) == {"pla"}
    assert away(local, "部队医院使用的药品由谁监督？", ()) == {"zgc"}


def _law(doc_id: str, title: str, rule: str) -> object:
    text = (
        f"{title}\n\n（2020年6月1日公布）\n\n"
        "第一条 为了保障精神障碍患者的合法权益，制定本条例。\n\n"
        f"第二条 {rule}\n"
    )
    return load_bytes(text.encode(), filename=f"{doc_id}.md")


def test_search_ranks_another_places_rule_below_the_national_one_unless_that_place_is_asked(
    fresh_components: Components,
) -> None:
    # Beijing's rule is worded closer to the question than the national one.
    national = _law("mh-law", "中华人民共和国精神卫生法", "精神障碍患者的住院实行自愿原则。")
    beijing = _law("mh-bj", "北京市精神卫生条例", "精神障碍患者住院治疗实行自愿原则。")
    fresh_components.indexer.ingest([beijing, national], origin="local", prune=False)  # type: ignore[list-item]
    assistant = fresh_components.assistant
    index = assistant.refresh()
    assert set(index.elsewhere) == {beijing.id}  # type: ignore[attr-defined]

    def first(question: str) -> str:
        vector = assistant.embeddings.embed_array([question])[0]
        hits = assistant.searcher.search(
            index, question, vector, k=2, away=away(index.elsewhere, question, ())
        )
        return index.passages([hits[0].passage_id])[hits[0].passage_id].document_id

    assert first("精神障碍患者住院治疗实行什么原则？") == national.id  # type: ignore[attr-defined]
    assert first("北京市对精神障碍患者住院治疗实行什么原则？") == beijing.id  # type: ignore[attr-defined]
