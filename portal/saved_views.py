"""Saved queue views: named filters and sort, personal or shared with a team, with counts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import service_specs
from portal.dashboard import QueueFilters, queue
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import SavedView, User
from portal.sla import WorkingCalendar
from portal.tracking import ensure_staff, record_event
from portal.workflow import Priority, Status

SORTS = ("sla", "newest", "oldest", "priority", "updated")
SLA_STATES = ("breached", "warning", "ok", "paused", "met")
MAX_NAME = 80
MAX_VIEWS = 50  # per person: a sidebar, not an archive
_TEAM = re.compile(r"[a-z0-9_]{2,40}")
_ID = re.compile(r"[1-9][0-9]{0,9}")


def _keep(key: str, value: str) -> bool:
    """Whether a query parameter is a valid queue filter (anything else is dropped)."""
    checks: dict[str, Any] = {
        "status": lambda v: v == "all" or v in Status._value2member_map_,
        "service": lambda v: v in service_specs.SPECS,
        "priority": lambda v: v in Priority._value2member_map_,
        "assignee": lambda v: v in ("me", "unassigned") or _ID.fullmatch(v),
        "team": lambda v: _TEAM.fullmatch(v),
        "sla": lambda v: v in SLA_STATES,
        "company": lambda v: _ID.fullmatch(v),
        "q": lambda v: 0 < len(v.strip()) <= 200,
        "sort": lambda v: v in SORTS,
    }
    check = checks.get(key)
    return bool(check and value and check(value))


def normalise_query(query: str) -> str:
    """Return the queue query string with only valid filters, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if _keep(k, v)]
    order = list(
        ("status", "service", "priority", "assignee", "team", "sla", "company", "q", "sort")
    )
    pairs.sort(key=lambda kv: (order.index(kv[0]), kv[1]))
    return urlencode(pairs)


def filters_from_query(query: str, *, limit: int = 500) -> QueueFilters:
    """Build the queue's filters from a (normalised) query string."""
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(normalise_query(query)):
        values.setdefault(key, []).append(value)
    first = {key: items[0] for key, items in values.items()}
    statuses = values.get("status", [])
    status = tuple(Status) if "all" in statuses else tuple(Status(s) for s in statuses)
    assignee: Any = first.get("assignee")
    if assignee not in (None, "me", "unassigned"):
        assignee = int(assignee)
    return QueueFilters(
        status=status,
        service=first.get("service"),
        priority=Priority(first["priority"]) if "priority" in first else None,
        assignee=assignee,
        team=first.get("team"),
        sla_state=first.get("sla"),
        company_id=int(first["company"]) if "company" in first else None,
        text=first.get("q"),
        sort=first.get("sort", "sla"),  # type: ignore[arg-type]
        limit=limit,
    )


def list_views(*, session: Session, actor: User) -> list[SavedView]:
    """Return the views the staff member sees: their own, then those shared with them."""
    ensure_staff(user=actor)
    shared_with_me = SavedView.shared.is_(True) & or_(
        SavedView.team_code.is_(None), SavedView.team_code == actor.team_code
    )
    rows = session.scalars(
        select(SavedView)
        .where(or_(SavedView.owner_id == actor.id, shared_with_me))
        .order_by(SavedView.name, SavedView.id)
    )
    views = list(rows)
    return [v for v in views if v.owner_id == actor.id] + [
        v for v in views if v.owner_id != actor.id
    ]


def create_view(*, session: Session, actor: User, name: str, query: str, shared: bool) -> SavedView:
    """Save the queue's current filters and sort under a name; shared views go to one's team."""
    ensure_staff(user=actor)
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["view_name"] = "required"
    elif len(name) > MAX_NAME:
        errors["view_name"] = "too_long"
    mine = session.scalars(select(SavedView.id).where(SavedView.owner_id == actor.id)).all()
    if len(mine) >= MAX_VIEWS:
        errors["view_name"] = "too_many_views"
    if errors:
        raise ValidationFailed(errors)
    view = SavedView(
        owner_id=actor.id,
        name=name,
        query=normalise_query(query)[:1000],
        shared=bool(shared),
        team_code=actor.team_code if shared else None,
    )
    session.add(view)
    session.flush()
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="view_saved",
        after={"id": view.id, "name": name, "query": view.query, "shared": view.shared},
    )
    session.commit()
    return view


def delete_view(*, session: Session, actor: User, view_id: int) -> None:
    """Delete a view: its owner may, and an admin may delete a shared one."""
    ensure_staff(user=actor)
    view = session.get(SavedView, view_id)
    if view is None or view not in list_views(session=session, actor=actor):
        raise NotFound("no such view")
    if view.owner_id != actor.id and actor.role != "admin":
        raise PermissionDenied("only its owner deletes a view")
    record_event(
        session=session,
        request=None,
        actor=actor,
        kind="view_deleted",
        before={"id": view.id, "name": view.name, "query": view.query},
    )
    session.delete(view)
    session.commit()


def counts(
    *,
    session: Session,
    actor: User,
    views: Sequence[SavedView],
    now: datetime,
    calendar: WorkingCalendar,
) -> dict[int, int]:
    """Return how many requests each view holds right now (for the sidebar)."""
    return {
        v.id: queue(
            session=session,
            user=actor,
            filters=filters_from_query(v.query, limit=0),
            now=now,
            calendar=calendar,
        ).total
        for v in views
    }
