"""Staff asking a company for a material: one the service guide does not list needs a reason."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal import material_requests
from portal.errors import ValidationFailed
from web.deps import CalendarDep, CurrentStaff, LanguageDep, SessionDep, StaffRequest
from web.pages import page
from web.views.request_detail import staff_context

router = APIRouter(prefix="/staff", tags=["staff"])


@router.post("/requests/{tracking_number}/materials", response_class=HTMLResponse)
def ask_for_material(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    item: StaffRequest,
    language: LanguageDep,
    calendar: CalendarDep,
    material: Annotated[str, Form(max_length=60)] = "",
    material_name: Annotated[str, Form(max_length=400)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Ask the company for a material; the request then waits for the company."""
    try:
        material_requests.ask(
            session=session,
            actor=user,
            request=item,
            material=material,
            name=material_name,
            reason=reason,
            calendar=calendar,
        )
    except ValidationFailed as failure:
        context = staff_context(
            session=session, user=user, item=item, calendar=calendar, language=language
        )
        values = {"material": material, "material_name": material_name, "reason": reason}
        context.update(ask_errors=failure.errors, ask_values=values)
        return page(request, "staff/request.html", context, language=language, status_code=422)
    return RedirectResponse(f"/staff/requests/{quote(item.tracking_number)}#timeline", 303)
