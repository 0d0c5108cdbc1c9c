"""The backup tests' source portal (the session's, with portal data added) and its archive."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from portal import accounts, catalog, request_messages, service_requests
from portal.attachments import AttachmentStore
from portal.models import Attachment, Event, Message
from retrieval.embeddings import EmbeddingModel
from tests.support.forms import credit_code
from tests.web.backup.tables import PASSWORD, PDF, target_settings
from web.core.components import Components, build
from web.db import backup

_serial = itertools.count(1)


def _populate(components: Components) -> dict[str, Any]:
    """A company with two users, a request with an attachment, messages and events."""
    store = AttachmentStore(components.settings.uploads_path)
    email = f"backup{next(_serial)}@example.cn"
    with components.sessions() as session:
        catalog.sync_catalog(session=session, documents=[])
        owner = accounts.register_company(
            session=session,
            company_name="南沙示例细胞治疗有限公司",
            credit_code=credit_code(),
            contact_name="黄敏",
            phone="020-87654321",
            email=email,
            password=PASSWORD,
        )
        accounts.add_company_member(
            session=session,
            actor=owner,
            email=f"m{next(_serial)}@example.cn",
            password=PASSWORD,
            name="李雷",
        )
        request = service_requests.submit(
            session=session,
            user=owner,
            service_code="release_lot_testing",
            title="Release testing for lot 12",
            description="Sterility and mycoplasma, lot 12.",
            fields={
                "product_type": "car_t",
                "development_stage": "clinical",
                "sample_type": "cell suspension",
                "sample_quantity": "3",
                "cold_chain": "liquid_nitrogen",
                "tests_requested": ["sterility"],
                "report_language": "zh",
            },
            idempotency_key=f"backup-{next(_serial)}",
            files=[("plan.pdf", PDF)],
            store=store,
        )
        request_messages.add_message(
            session=session,
            user=owner,
            request=request,
            body="补充：样品周三寄出。",
            files=[("notes.txt", "冷链运输 / cold chain".encode())],
            store=store,
        )
        counts = {
            "messages": len(list(session.scalars(select(Message.id)))),
            "events": len(list(session.scalars(select(Event.id)))),
            "attachments": list(session.scalars(select(Attachment.sha256))),
        }
    return {"email": email, "tracking_number": request.tracking_number, **counts}


@pytest.fixture(scope="module")
def source(components: Components) -> dict[str, Any]:
    """The session's indexed portal with portal data added."""
    return _populate(components)


@pytest.fixture
def archive(components: Components, source: dict[str, Any], tmp_path: Path) -> Path:
    """A backup of the source portal."""
    path = tmp_path / "backups" / "portal.tar.gz"
    backup.backup(components.settings, path)
    return path


@pytest.fixture
def restored(
    archive: Path, tmp_path: Path, use_model: EmbeddingModel
) -> Iterator[tuple[backup.Outcome, Components]]:
    """The archive restored into a fresh data folder and database."""
    settings = target_settings(tmp_path)
    outcome = backup.restore(settings, archive)
    parts = build(settings, embeddings=use_model)
    yield outcome, parts
    parts.engine.dispose()
