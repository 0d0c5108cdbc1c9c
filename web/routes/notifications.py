"""The signed-in user's notifications: the list, and marking them read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import notifications
from web.deps import CurrentUser, LanguageDep, SessionDep
from web.templating import render
from web.views.display import local_time

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, session: SessionDep, user: CurrentUser, language: LanguageDep
) -> Response:
    """List the user's notifications, newest first, unread ones marked, linked to the request."""
    items = notifications.list_for(session=session, user=user)
    numbers = notifications.tracking_numbers(session=session, messages=items)
    context = {"items": items, "numbers": numbers, "local_time": local_time}
    return render(request, "notifications.html", context, language=language, block="list")


@router.post("/notifications/read")
def mark_all_read(session: SessionDep, user: CurrentUser) -> RedirectResponse:
    """Mark all of the user's notifications read."""
    notifications.mark_read(session=session, user=user)
    return RedirectResponse("/notifications", status_code=303)
