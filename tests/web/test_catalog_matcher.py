"""Triage's catalog match: every worker follows the catalog and the service descriptions."""

from __future__ import annotations

from knowledge.loaders import bundled_sources, load_path
from portal import accounts, admin
from web.core.components import Components
from web.core.portal_parts import CatalogMatcher, sync_catalog

HGR_TEXT = "我们需要办理人类遗传资源国际合作审批，想请中心协助准备申报材料。"


def _services(parts: Components) -> None:
    documents = [load_path(p) for p in bundled_sources()]
    services = [d for d in documents if d.meta.category == "service"]
    parts.indexer.ingest(services, origin="bundled", prune=False)
    sync_catalog(parts.sessions)


def test_a_service_an_admin_hides_leaves_every_workers_matches(
    fresh_components: Components,
) -> None:
    parts = fresh_components
    _services(parts)
    worker_a = CatalogMatcher(embeddings=parts.embeddings, sessions=parts.sessions)
    worker_b = CatalogMatcher(embeddings=parts.embeddings, sessions=parts.sessions)
    assert worker_a.match(HGR_TEXT)[0].service_code == "hgr_compliance_support"
    assert worker_b.match(HGR_TEXT)[0].service_code == "hgr_compliance_support"

    with parts.sessions() as session:
        boss = accounts.create_user(
            session=session,
            email="admin@gba-cgt.cn",
            password="correct horse battery",
            name="管理员",
            role="admin",
        )
        admin.update_service(
            session=session, actor=boss, service_code="hgr_compliance_support", active=False
        )

    for worker in (worker_a, worker_b):  # neither was told; both see it on their next match
        codes = [m.service_code for m in worker.match(HGR_TEXT, k=20)]
        assert "hgr_compliance_support" not in codes and codes


def test_an_unchanged_catalog_is_not_embedded_again(fresh_components: Components) -> None:
    parts = fresh_components
    _services(parts)
    matcher = CatalogMatcher(embeddings=parts.embeddings, sessions=parts.sessions)
    matcher.match(HGR_TEXT)
    built = matcher._vectors

    matcher.match("细胞治疗产品放行检测")

    assert matcher._vectors is built
