"""Traditional → Simplified conversion for Hong Kong and Macao questions."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from knowledge.script import is_traditional, to_simplified

SOURCES = Path(__file__).parents[2] / "knowledge" / "sources"


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("人類遺傳資源出境需要審批嗎？", "人类遗传资源出境需要审批吗？"),
        (
            "藥品、醫療器械、臨床試驗、許可證、條例、規定",
            "药品、医疗器械、临床试验、许可证、条例、规定",
        ),
        ("衞生署的綫上申請", "卫生署的线上申请"),  # Hong Kong standard forms 衞 and 綫
        ("裡面的規範為何", "里面的规范为何"),  # Taiwan forms convert too
        ("《藥品管理法》第十九條", "《药品管理法》第十九条"),
    ],
)
def test_converts_traditional_questions_to_simplified(traditional: str, simplified: str) -> None:
    assert to_simplified(traditional) == simplified
    assert is_traditional(traditional)


@pytest.mark.parametrize(
    "text",
    [
        "人类遗传资源出境需要审批吗？",
        "著作权法第十条",  # 著 is a mainland character too; tw2s would make it 着
        "破坏土地的，责令限期改正",  # OpenCC would read 坏土 as 坯土
        "废弃物焚烧企业每年开展二噁英监测",  # not the extension-plane 𫫇
        "乾隆年间",
        "",
        "What is the MAH?",
    ],
)
def test_leaves_simplified_and_english_text_unchanged(text: str) -> None:
    assert to_simplified(text) == text
    assert not is_traditional(text)


def test_keeps_english_inside_a_traditional_question() -> None:
    question = "CAR-T 產品的 IND 申請需要多少個工作日？"
    assert to_simplified(question) == "CAR-T 产品的 IND 申请需要多少个工作日？"
    assert is_traditional(question)


def test_a_mainland_text_with_one_odd_character_is_not_traditional() -> None:
    text = "济南市新西门（乾健门）等历史城门" + "依法保护历史文化名城" * 3
    assert not is_traditional(text)


def test_no_bundled_chinese_source_reads_as_traditional() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SOURCES.rglob("*.zh.md")]
    assert texts
    assert [t[:40] for t in texts if to_simplified(t) != t] == []


def test_one_converter_serves_many_threads() -> None:
    questions = [f"第{n}條：人類遺傳資源出境需要審批嗎？醫療器械{n}" for n in range(200)]
    expected = [to_simplified(q) for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(to_simplified, questions * 5)) == expected * 5


def test_converts_a_question_in_well_under_a_millisecond() -> None:
    question = "人類遺傳資源出境需要審批嗎？臨床試驗的申請期限是多少個工作日？"
    to_simplified(question)
    start = time.perf_counter()
    for _ in range(200):
        is_traditional(question)
        to_simplified(question)
    assert (time.perf_counter() - start) / 200 < 0.001
