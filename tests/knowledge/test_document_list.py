"""Listing documents: filters, text search and order (registry.list_documents)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.documents import SourceDocument
from knowledge.tables import DocumentRow
from tests.knowledge.registry_support import save

MakeDocument = Callable[..., SourceDocument]  # the make_document fixture in conftest.py


@pytest.fixture
def catalogue(session: Session, make_document: MakeDocument) -> Session:
    """A registry holding four documents that differ in every filterable column."""
    save(
        session,
        make_document(
            "南沙区对鼓励类产业企业减按15%的税率征收企业所得税。",
            id="nansha-cit-15-zh",
            title="南沙企业所得税优惠",
            language="zh",
            category="policy",
            jurisdiction="nansha",
            doc_number="财税〔2022〕40号",
            issuer="财政部",
            issued="2022-11-18",
        ),
    )
    save(
        session,
        make_document(
            "Decree 818 governs clinical research on new biomedical technologies.",
            id="decree-818-en",
            title="State Council Decree 818",
            category="regulation",
            jurisdiction="national",
            issuer="State Council",
            issued="2025-09-28",
        ),
    )
    save(
        session,
        make_document(
            "The 2019 draft on new biomedical technologies was replaced by Decree 818.",
            id="draft-2019-en",
            title="Biomedical new technology draft",
            category="regulation",
            jurisdiction="national",
            status="superseded",
            issued="2019",
        ),
    )
    save(
        session,
        make_document(
            "Release testing covers sterility, endotoxin and mycoplasma for 150 batches.",
            id="release-testing-en",
            title="Release testing",
            category="service",
            jurisdiction="nansha",
        ),
    )
    session.commit()
    return session


def ids(rows: list[DocumentRow]) -> list[str]:
    return [row.id for row in rows]


def test_list_documents_returns_newest_issue_date_first_and_undated_last(
    catalogue: Session,
) -> None:
    assert ids(registry.list_documents(session=catalogue)) == [
        "decree-818-en",
        "nansha-cit-15-zh",
        "draft-2019-en",
        "release-testing-en",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "regulation"}, ["decree-818-en", "draft-2019-en"]),
        ({"jurisdiction": "nansha"}, ["nansha-cit-15-zh", "release-testing-en"]),
        ({"status": "superseded"}, ["draft-2019-en"]),
        ({"language": "zh"}, ["nansha-cit-15-zh"]),
        ({"category": "regulation", "status": "in_force"}, ["decree-818-en"]),
        ({"category": "news"}, []),
    ],
)
def test_list_documents_filters_combine(
    catalogue: Session, filters: dict[str, str], expected: list[str]
) -> None:
    assert ids(registry.list_documents(session=catalogue, **filters)) == expected


def test_list_documents_ignores_empty_filters(catalogue: Session) -> None:
    rows = registry.list_documents(session=catalogue, category=None, language="", query="")
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("decree 818", ["decree-818-en", "draft-2019-en"]),  # title and text, any case
        ("  STATE council ", ["decree-818-en"]),  # issuer; the query is trimmed
        ("财税〔2022〕40号", ["nansha-cit-15-zh"]),  # document number
        ("财政部", ["nansha-cit-15-zh"]),  # Chinese issuer
        ("企业所得税", ["nansha-cit-15-zh"]),  # Chinese body text
        ("mycoplasma", ["release-testing-en"]),
        ("no such words", []),
    ],
)
def test_list_documents_text_search_looks_at_title_number_issuer_and_text(
    catalogue: Session, query: str, expected: list[str]
) -> None:
    assert ids(registry.list_documents(session=catalogue, query=query)) == expected


def test_list_documents_text_search_combines_with_filters(catalogue: Session) -> None:
    rows = registry.list_documents(session=catalogue, query="decree 818", status="superseded")
    assert ids(rows) == ["draft-2019-en"]


@pytest.mark.parametrize(("query", "expected"), [("15%", ["nansha-cit-15-zh"]), ("_", [])])
def test_list_documents_text_search_treats_like_wildcards_literally(
    catalogue: Session, query: str, expected: list[str]
) -> None:
    assert ids(registry.list_documents(session=catalogue, query=query)) == expected
