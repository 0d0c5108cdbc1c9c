"""The public service catalog and one service guide (办事指南) per service, in zh and en."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from knowledge import registry
from portal import catalog, service_guides
from portal.errors import NotFound as DomainNotFound
from portal.service_guides import ServiceGuide
from web.deps import LanguageDep, SessionDep
from web.exceptions import NotFound
from web.i18n import UiLanguage
from web.templating import render
from web.views.display import pick

router = APIRouter(tags=["pages"])

# Downloadable templates of named materials, served as static files.
TEMPLATES: dict[str, str] = {"sample_info": "sample-information-template.csv"}


def guides_for(*, session: SessionDep, language: UiLanguage) -> list[ServiceGuide]:
    """Every active service's guide in the interface language, in catalog order."""
    codes = [s.code for s in catalog.list_services(session=session)]
    documents = registry.list_documents(session=session, category="service", with_text=True)
    return service_guides.build_all(codes=codes, documents=documents, language=language)


def guide_for(*, session: SessionDep, language: UiLanguage, code: str) -> ServiceGuide:
    """One active service's guide, or 404."""
    try:
        catalog.get_service(session=session, service_code=code[:60])
    except DomainNotFound:
        raise NotFound("service", code[:60]) from None
    found = guides_for(session=session, language=language)
    return next(g for g in found if g.code == code)


def _picker(language: UiLanguage) -> Callable[..., str]:
    return lambda obj, attr="name": pick(obj, language, attr)


@router.get("/services", response_class=HTMLResponse)
def service_catalog(
    request: Request,
    session: SessionDep,
    language: LanguageDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """List the services with a search over their guides; open to visitors."""
    guides = service_guides.search(guides_for(session=session, language=language), q)
    context = {"guides": guides, "q": q.strip(), "pick": _picker(language)}
    return render(request, "services/index.html", context, language=language, block="results")


@router.get("/services/{service_code}", response_class=HTMLResponse)
def service_guide(
    service_code: str,
    request: Request,
    session: SessionDep,
    language: LanguageDep,
) -> Response:
    """Show one service's guide: what, who, materials, fee, time, steps, common questions."""
    guide = guide_for(session=session, language=language, code=service_code)
    context = {"guide": guide, "templates": TEMPLATES, "pick": _picker(language)}
    return render(request, "services/guide.html", context, language=language)
