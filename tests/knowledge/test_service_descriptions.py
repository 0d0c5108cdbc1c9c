"""The bundled service descriptions state no turnaround or fee their front matter leaves open."""

from __future__ import annotations

import re

import pytest

from knowledge.documents import SourceDocument
from knowledge.loaders import bundled_sources, load_path

# A number of days next to a word that makes it the service's own time or target.
_DAYS = re.compile(r"\d+\s*个?(?:工作日|自然日|天)|\d+\s*(?:working |calendar )?days?", re.I)
_TARGET = re.compile(r"目标|时限|周期|答复|办结|turnaround|target|reply|complete[sd]? within", re.I)
# An amount of money next to a word that makes it a price.
_MONEY = re.compile(r"\d[\d,.]*\s*(?:万|亿)?元|RMB\s*\d|¥\s*\d", re.I)
_PRICE = re.compile(
    r"收费|费用|价格|报价|服务费|\bfees?\b|\bprices?\b|\bcharges?\b|\bquote\b", re.I
)
_SENTENCE = re.compile(r"(?<=[。！？.!?])\s*")


@pytest.fixture(scope="module")
def services() -> list[SourceDocument]:
    """Every bundled service description."""
    documents = [load_path(path) for path in bundled_sources()]
    found = [d for d in documents if d.meta.category == "service"]
    assert len(found) == 24
    return found


def _sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in _SENTENCE.split(line) if s.strip()]


def test_a_service_with_no_turnaround_in_front_matter_states_none(
    services: list[SourceDocument],
) -> None:
    for document in services:
        if document.meta.extra.get("turnaround_days") is not None:
            continue
        stated = [s for s in _sentences(document.text) if _DAYS.search(s) and _TARGET.search(s)]
        assert stated == [], document.id


def test_a_service_with_no_fee_in_front_matter_states_no_price(
    services: list[SourceDocument],
) -> None:
    for document in services:
        if document.meta.extra.get("fee") is not None:
            continue
        stated = [s for s in _sentences(document.text) if _MONEY.search(s) and _PRICE.search(s)]
        assert stated == [], document.id


def test_the_check_catches_a_stated_turnaround_and_a_stated_fee() -> None:
    assert _DAYS.search("目标时限为15个工作日") and _TARGET.search("目标时限为15个工作日")
    english = "The target turnaround is 15 working days."
    assert _DAYS.search(english) and _TARGET.search(english)
    price = "Release testing fees are RMB 3,000 per lot."
    assert _MONEY.search(price) and _PRICE.search(price)


def test_no_service_publishes_a_turnaround_or_fee_yet(services: list[SourceDocument]) -> None:
    # No source gives one (fact sheet, fact 10): unknown stays null, shown as "to be confirmed".
    for document in services:
        assert document.meta.extra["turnaround_days"] is None, document.id
        assert document.meta.extra["fee"] is None, document.id


def test_service_descriptions_are_marked_as_the_centers_proposals(
    services: list[SourceDocument],
) -> None:
    for document in services:
        assert document.meta.status == "proposed", document.id
        questions = document.meta.extra.get("questions")
        assert isinstance(questions, list) and questions, document.id


def test_the_guangdong_2021_2025_cluster_plan_is_marked_expired() -> None:
    plans = [load_path(p) for p in bundled_sources() if "guangdong-biomed-cluster-plan" in p.name]
    assert len(plans) == 2
    assert {d.meta.status for d in plans} == {"expired"}
