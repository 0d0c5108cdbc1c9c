"""Staff pages: unanswered questions grouped by similarity, and curated staff answers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from portal.models import User
from retrieval import curated, gaps
from retrieval.curated import CitationDraft, CuratedDraft, CuratedInvalid
from web.core.components import Components
from web.deps import AssistantDep, ComponentsDep, CurrentStaff, FormDep, LanguageDep, SessionDep
from web.exceptions import NotFound
from web.forms import CITATION_ROWS, SubmittedForm
from web.i18n import UiLanguage
from web.numbers import parse_int
from web.pages import page

router = APIRouter(prefix="/staff", tags=["staff"])
PER_PAGE = 30


def gap_config(components: Components) -> gaps.GapConfig:
    """Grouping settings, with the assistant's own low-confidence line."""
    return gaps.GapConfig(low_confidence=components.assistant.config.low_confidence)


# --- unanswered questions -------------------------------------------------------------------


@router.get("/unanswered", response_class=HTMLResponse)
def unanswered_page(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    components: ComponentsDep,
    status: Annotated[str, Query(max_length=12)] = "open",
    sort: Annotated[str, Query(max_length=10)] = "count",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100000)] = 1,
) -> Response:
    """Refused and low-confidence questions, grouped by similarity (htmx: the groups)."""
    config = gap_config(components)
    gaps.sync(session=session, embeddings=components.embeddings, config=config)
    chosen = status if status in gaps.STATUSES else "open"
    order = sort if sort in ("count", "recent") else "count"
    result = gaps.list_groups(
        session=session,
        config=config,
        status=chosen,
        sort=order,  # type: ignore[arg-type]
        page=page_number,
        per_page=PER_PAGE,
    )

    def link(**changes: Any) -> str:
        params = {"status": chosen, "sort": order, "page": page_number, **changes}
        return "/staff/unanswered?" + urlencode({k: v for k, v in params.items() if v})

    context = {
        "result": result,
        "status": chosen,
        "sort": order,
        "page_number": page_number,
        "statuses": gaps.STATUSES,
        "link": link,
        "has_next": page_number * PER_PAGE < result.total,
    }
    return page(request, "staff/unanswered.html", context, language=language, block="groups")


@router.post("/unanswered/{group_id}/dismiss")
def dismiss_group(group_id: int, session: SessionDep, user: CurrentStaff) -> Response:
    """Dismiss a group: nothing the knowledge base should answer."""
    if not gaps.set_status(session=session, group_id=group_id, status="dismissed", actor=user.name):
        raise NotFound("group", str(group_id))
    return RedirectResponse("/staff/unanswered", status_code=303)


@router.post("/unanswered/{group_id}/reopen")
def reopen_group(group_id: int, session: SessionDep, user: CurrentStaff) -> Response:
    """Put a dismissed group back in the open list."""
    if not gaps.set_status(session=session, group_id=group_id, status="open", actor=user.name):
        raise NotFound("group", str(group_id))
    return RedirectResponse("/staff/unanswered?status=dismissed", status_code=303)


# --- curated answers ------------------------------------------------------------------------


@router.get("/curated", response_class=HTMLResponse)
def curated_list(
    request: Request, session: SessionDep, user: CurrentStaff, language: LanguageDep
) -> Response:
    """Every curated staff answer, active ones first."""
    rows = curated.list_(session=session)
    stale = {r.id: curated.current_citations(session=session, row=r)[1] for r in rows}
    return page(request, "staff/curated.html", {"rows": rows, "stale": stale}, language=language)


def _form_page(
    request: Request,
    language: UiLanguage,
    *,
    values: dict[str, Any],
    editing: Any = None,
    group: gaps.GapGroup | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    citations = list(values.get("citations", []))
    citations += [CitationDraft("", "")] * max(CITATION_ROWS - len(citations), 1)
    context = {
        "values": {**values, "citations": citations},
        "editing": editing,
        "group": group,
        "errors": errors or {},
        "passages": None,
        "q": "",
    }
    return page(
        request, "staff/curated_form.html", context, language=language, status_code=status_code
    )


def _draft(form: SubmittedForm) -> CuratedDraft:
    documents = _list(form.values.get("cite_document"))
    quotes = _list(form.values.get("cite_quote"))
    rows = max(len(documents), len(quotes))
    documents += [""] * (rows - len(documents))
    quotes += [""] * (rows - len(quotes))
    return CuratedDraft(
        questions=curated.clean_questions(form.text("questions")),
        answer=form.text("answer"),
        citations=[
            CitationDraft(d[:200], q[:4000]) for d, q in zip(documents, quotes, strict=True)
        ],
        language=form.text("language")[:4],
    )


def _list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _values(draft: CuratedDraft) -> dict[str, Any]:
    return {
        "questions": "\n".join(draft.questions),
        "answer": draft.answer,
        "language": draft.language,
        "citations": draft.citations,
    }


def _group(session: Any, components: Components, group_id: str) -> gaps.GapGroup | None:
    number = parse_int(group_id, field="group_id")
    if number is None:
        return None
    return gaps.get_group(session=session, group_id=number, config=gap_config(components))


@router.get("/curated/new", response_class=HTMLResponse)
def curated_new(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    components: ComponentsDep,
    group: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    """The form for a new curated answer; from a group, its questions are filled in."""
    chosen = _group(session, components, group)
    if group and chosen is None:
        raise NotFound("group", group)
    questions = list(dict.fromkeys([chosen.representative, *chosen.examples])) if chosen else []
    values = {
        "questions": "\n".join(questions),
        "answer": "",
        "language": (chosen.languages[0] if chosen and len(chosen.languages) == 1 else ""),
        "citations": [],
    }
    return _form_page(request, language, values=values, group=chosen)


@router.post("/curated", response_class=HTMLResponse)
def curated_create(
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    components: ComponentsDep,
    form: FormDep,
) -> Response:
    """Save a new curated answer (422 with the reasons when something is wrong)."""
    draft = _draft(form)
    chosen = _group(session, components, form.text("group_id"))
    try:
        row = curated.create(
            session=session,
            draft=draft,
            author=_author(user),
            author_id=user.id,
            group_id=chosen.id if chosen else None,
        )
    except CuratedInvalid as failure:
        return _form_page(
            request,
            language,
            values=_values(draft),
            group=chosen,
            errors=failure.errors,
            status_code=422,
        )
    return RedirectResponse(f"/staff/curated#curated-{row.id}", status_code=303)


def _author(user: User) -> str:
    return user.name or user.email


def _get(session: Any, curated_id: int) -> Any:
    return curated.get(session=session, curated_id=curated_id)


@router.get("/curated/passages", response_class=HTMLResponse)
def passage_picker(
    request: Request,
    user: CurrentStaff,
    language: LanguageDep,
    assistant: AssistantDep,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """Search the knowledge base for a passage to quote (htmx: the results only)."""
    passages = []
    if q.strip():
        index = assistant.index()
        for hit in assistant.retrieve(q.strip(), method="hybrid", k=8):
            passage = index.passage(hit.passage_id)
            if passage is None:
                continue
            meta = index.documents[passage.document_id]
            passages.append(
                {
                    "document_id": passage.document_id,
                    "title": meta.title,
                    "section": passage.section,
                    "status": meta.status,
                    "sentences": list(passage.sentences),
                }
            )
    blank = [CitationDraft("", "")] * CITATION_ROWS
    context = {
        "passages": passages,
        "q": q,
        "values": {"citations": blank},
        "errors": {},
        "editing": None,
        "group": None,
    }
    return page(request, "staff/curated_form.html", context, language=language, block="passages")


@router.get("/curated/{curated_id}/edit", response_class=HTMLResponse)
def curated_edit(
    curated_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
) -> Response:
    """Show a curated answer in the edit form."""
    row = _get(session, curated_id)
    values = {
        "questions": "\n".join(row.questions),
        "answer": row.answer,
        "language": row.language,
        "citations": [CitationDraft(c["document_id"], c["quote"]) for c in row.citations],
    }
    return _form_page(request, language, values=values, editing=row)


@router.post("/curated/{curated_id}", response_class=HTMLResponse)
def curated_update(
    curated_id: int,
    request: Request,
    session: SessionDep,
    user: CurrentStaff,
    language: LanguageDep,
    form: FormDep,
) -> Response:
    """Change a curated answer (422 with the reasons when something is wrong)."""
    row = _get(session, curated_id)
    draft = _draft(form)
    try:
        curated.update(session=session, curated_id=row.id, draft=draft, author=_author(user))
    except CuratedInvalid as failure:
        return _form_page(
            request,
            language,
            values=_values(draft),
            editing=row,
            errors=failure.errors,
            status_code=422,
        )
    return RedirectResponse(f"/staff/curated#curated-{row.id}", status_code=303)


@router.post("/curated/{curated_id}/deactivate")
def curated_deactivate(curated_id: int, session: SessionDep, user: CurrentStaff) -> Response:
    """Stop giving a curated answer (its groups reopen)."""
    row = _get(session, curated_id)
    curated.set_active(session=session, curated_id=row.id, active=False, author=_author(user))
    return RedirectResponse(f"/staff/curated#curated-{row.id}", status_code=303)


@router.post("/curated/{curated_id}/activate")
def curated_activate(curated_id: int, session: SessionDep, user: CurrentStaff) -> Response:
    """Give a deactivated curated answer again."""
    row = _get(session, curated_id)
    curated.set_active(session=session, curated_id=row.id, active=True, author=_author(user))
    return RedirectResponse(f"/staff/curated#curated-{row.id}", status_code=303)
