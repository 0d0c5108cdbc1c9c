"""Per-test SQLite database and small factories for the portal's entities."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from portal import catalog
from portal.attachments import AttachmentStore
from portal.db import PortalBase
from portal.models import Company, User
from portal.sla import WorkingCalendar

_seq = itertools.count(1)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A fresh SQLite file with WAL and a busy timeout, like the app's (PostgreSQL on the
    server pass: see tests/conftest.py)."""
    if not database_url.startswith("sqlite"):
        eng = create_engine(database_url)
        PortalBase.metadata.create_all(eng)
        yield eng
        eng.dispose()
        return
    eng = create_engine(
        database_url,
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(eng, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    PortalBase.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    """A session factory over the test database."""
    return sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session with the catalog (teams and services) in place."""
    with sessions() as s:
        catalog.sync_catalog(session=s, documents=[])
        yield s


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    """An attachment store in the test's folder."""
    return AttachmentStore(tmp_path / "files")


@pytest.fixture
def calendar() -> WorkingCalendar:
    """A plain Mon-Fri calendar without holidays."""
    return WorkingCalendar()


@pytest.fixture
def make_company(session: Session) -> Callable[..., Company]:
    """Create a company."""

    def make(name: str | None = None) -> Company:
        n = next(_seq)
        company = Company(
            name=name or f"Company {n}",
            credit_code=f"91440000MA{n:08d}",
            contact_name="Contact",
            phone="020-00000000",
            email=f"contact{n}@example.com",
        )
        session.add(company)
        session.commit()
        return company

    return make


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    """Create a user with a dummy password hash (accounts are tested elsewhere)."""

    def make(
        role: str = "company",
        company: Company | None = None,
        name: str | None = None,
        email: str | None = None,
        team_code: str | None = None,
    ) -> User:
        n = next(_seq)
        user = User(
            email=email or f"user{n}@example.com",
            name=name or f"User {n}",
            password_hash="dummy",
            role=role,
            company_id=company.id if company else None,
            team_code=team_code,
        )
        session.add(user)
        session.commit()
        return user

    return make


@pytest.fixture
def now() -> datetime:
    """A Wednesday morning in Guangzhou (10:00 CST)."""
    return datetime(2026, 3, 4, 2, 0, tzinfo=UTC)


TESTING_FIELDS: dict[str, str | list[str]] = {
    "product_type": "car_t",
    "development_stage": "clinical",
    "sample_type": "cell suspension",
    "sample_quantity": "3",
    "cold_chain": "liquid_nitrogen",
    "tests_requested": ["sterility", "mycoplasma"],
    "report_language": "zh",
}


# A minimal valid PDF: release testing requires its sample information sheet.
SAMPLE_PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def testing_fields() -> dict[str, str | list[str]]:
    """Valid fields for a release-testing request."""
    return dict(TESTING_FIELDS)


@pytest.fixture
def submit_one(
    session: Session, store: AttachmentStore, testing_fields: dict[str, str | list[str]]
) -> Callable[..., Any]:
    """Submit a release-testing request as the given company user."""
    from portal import service_requests

    def make(user: User, **overrides: Any) -> Any:
        args: dict[str, Any] = {
            "service_code": "release_lot_testing",
            "title": "Release testing for CAR-T lot 7",
            "description": "Sterility and mycoplasma for our CAR-T lot 7.",
            "fields": testing_fields,
            "idempotency_key": f"key-{next(_seq)}",
            "store": store,
            "files": [("sample-information.pdf", SAMPLE_PDF)],  # the service requires one
        }
        args.update(overrides)
        return service_requests.submit(session=session, user=user, **args)

    return make


@pytest.fixture
def people(make_company: Callable[..., Company], make_user: Callable[..., User]) -> dict[str, Any]:
    """Two companies with a user each, a second user of company A, two staff and an admin."""
    a, b = make_company("Alpha Bio"), make_company("Beta Cells")
    return {
        "a": make_user(company=a),
        "a2": make_user(company=a),
        "b": make_user(company=b),
        "staff": make_user(
            role="staff", name="Li Wei", email="li.wei@center.example", team_code="testing"
        ),
        "staff2": make_user(role="staff", name="王芳", email="wang.fang@center.example"),
        "admin": make_user(role="admin"),
        "company_a": a,
        "company_b": b,
    }
