"""Deflection rows: one per form, only the user's own, tied to the request that followed."""

from __future__ import annotations

from portal import deflection
from portal.models import Deflection


def test_one_row_per_form_updated_as_the_company_types(session, make_company, make_user) -> None:
    user = make_user(company=make_company())
    row_id = deflection.record_shown(
        session=session,
        user=user,
        deflection_id=None,
        service_code="training",
        query="GMP 培训",
        shown=2,
    )
    again = deflection.record_shown(
        session=session,
        user=user,
        deflection_id=row_id,
        service_code="training",
        query="GMP 培训 课程",
        shown=3,
    )
    assert again == row_id
    assert session.query(Deflection).count() == 1
    assert deflection.shown_count(session=session, user=user, deflection_id=row_id) == 3


def test_feedback_and_the_request_that_followed_are_recorded(
    session, make_company, make_user, submit_one
) -> None:
    user = make_user(company=make_company())
    row_id = deflection.record_shown(
        session=session, user=user, deflection_id=None, service_code=None, query="放行检测", shown=1
    )
    assert deflection.record_feedback(
        session=session, user=user, deflection_id=row_id, helpful=False
    )
    request = submit_one(user)
    shown = deflection.link_request(
        session=session, user=user, deflection_id=row_id, request_id=request.id
    )
    row = session.get(Deflection, row_id)
    assert shown == 1 and row.helpful is False and row.request_id == request.id
    # A linked row is closed: it is not reused by a later form.
    assert deflection.shown_count(session=session, user=user, deflection_id=row_id) == 0


def test_another_users_row_is_neither_read_nor_changed(session, make_company, make_user) -> None:
    owner = make_user(company=make_company())
    other = make_user(company=make_company())
    row_id = deflection.record_shown(
        session=session, user=owner, deflection_id=None, service_code=None, query="q", shown=1
    )
    assert not deflection.record_feedback(
        session=session, user=other, deflection_id=row_id, helpful=True
    )
    assert deflection.shown_count(session=session, user=other, deflection_id=row_id) == 0
    assert session.get(Deflection, row_id).helpful is None
