"""What staff see about the company behind a request: contact, members, its other requests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Company, ServiceRequest, User
from portal.tracking import ensure_staff
from portal.workflow import OPEN


@dataclass(frozen=True)
class CustomerPanel:
    """The company's contact and members, and its other requests (newest first)."""

    company: Company
    members: list[User]
    other_requests: list[ServiceRequest]
    total_requests: int  # all of the company's requests, this one included
    open_requests: int


def customer_panel(
    *, session: Session, actor: User, request: ServiceRequest, limit: int = 8
) -> CustomerPanel:
    """Return the panel of the request's company (staff only)."""
    ensure_staff(user=actor)
    company_id = request.company_id
    members = list(
        session.scalars(
            select(User).where(User.company_id == company_id).order_by(User.created_at, User.id)
        ).unique()
    )
    others = list(
        session.scalars(
            select(ServiceRequest)
            .where(ServiceRequest.company_id == company_id, ServiceRequest.id != request.id)
            .order_by(ServiceRequest.id.desc())
            .limit(limit)
        ).unique()
    )
    counts = dict(
        session.execute(
            select(ServiceRequest.status, func.count())
            .where(ServiceRequest.company_id == company_id)
            .group_by(ServiceRequest.status)
        ).all()
    )
    return CustomerPanel(
        company=request.company,
        members=members,
        other_requests=others,
        total_requests=sum(counts.values()),
        open_requests=sum(n for status, n in counts.items() if status in OPEN),
    )
