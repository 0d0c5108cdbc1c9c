"""The knowledge base that ships with the product (knowledge/sources): every file loads, paired."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import SourceDocument
from knowledge.loaders import bundled_sources, load_path


@pytest.fixture(scope="module")
def bundled() -> dict[str, SourceDocument]:
    """Every bundled source, loaded, by id."""
    documents = [load_path(path) for path in bundled_sources()]
    by_id = {document.id: document for document in documents}
    assert len(by_id) == len(documents), "two bundled files share an id"
    return by_id


def test_at_least_forty_bundled_pairs_ship_with_the_product() -> None:
    files = bundled_sources()
    assert len(files) >= 80
    assert files == sorted(files)
    assert all(path.suffix == ".md" for path in files)


def test_every_bundled_file_loads_with_its_own_front_matter(
    bundled: dict[str, SourceDocument],
) -> None:
    assert len(bundled) == len(bundled_sources())
    for document in bundled.values():
        path = Path(document.path or "")
        slug, language = path.name.removesuffix(".md").rsplit(".", 1)
        assert document.id == f"{slug}-{language}", path
        assert document.meta.language == language, path
        assert document.meta.category == path.parent.name, path
        assert document.text.strip(), path


def test_every_bundled_file_sets_every_front_matter_key(bundled: dict[str, SourceDocument]) -> None:
    required = set(type(next(iter(bundled.values())).meta).model_fields)
    for document in bundled.values():
        assert required <= document.meta.model_fields_set, document.id


def test_no_bundled_file_gains_metadata_from_its_text(bundled: dict[str, SourceDocument]) -> None:
    # Our own documents state everything in front matter; their sentences are no history.
    for document in bundled.values():
        assert set(document.meta.extra) <= {
            "service_code",
            "turnaround_days",
            "fee",
            "questions",
        }, document.id


def test_every_bundled_file_has_a_translation_that_points_back(
    bundled: dict[str, SourceDocument],
) -> None:
    for document in bundled.values():
        partner_id = document.meta.translation_of
        assert partner_id in bundled, f"{document.id}: translation {partner_id!r} missing"
        partner = bundled[partner_id]
        assert partner.meta.translation_of == document.id, document.id
        assert partner.meta.language != document.meta.language, document.id
        assert partner.meta.category == document.meta.category, document.id


def test_bundled_service_pairs_share_their_service_code(bundled: dict[str, SourceDocument]) -> None:
    services = [d for d in bundled.values() if d.meta.category == "service"]
    assert services
    for document in services:
        partner = bundled[document.meta.translation_of or ""]
        assert document.meta.extra["service_code"] == partner.meta.extra["service_code"]
        assert {"turnaround_days", "fee"} <= set(document.meta.extra), document.id
