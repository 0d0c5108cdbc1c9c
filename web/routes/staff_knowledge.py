"""Staff pages of the knowledge base: the list and the upload of a new document.

One document's pages (edit, new version, supersede, withdraw) are in staff_knowledge_document.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from knowledge import registry
from knowledge.uploads import EDITABLE, UploadRejected, validate_upload
from retrieval.knowledge_admin import IndexState, KnowledgeAdmin
from web.deps import CurrentStaff, KnowledgeDep, LanguageDep
from web.i18n import UiLanguage, translate
from web.knowledge_forms import (
    CATEGORIES,
    INDEX_STATES,
    STATUSES,
    choices,
    read_form,
    read_upload,
    reason,
)
from web.templating import is_htmx, render

router = APIRouter(prefix="/staff/knowledge", tags=["staff"])

# --- list and upload ------------------------------------------------------------------------


@router.get("", response_class=HTMLResponse)
def knowledge_list(
    request: Request,
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    language: LanguageDep,
    q: Annotated[str, Query(max_length=200)] = "",
    category: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    doc_language: Annotated[str, Query(alias="language", max_length=2)] = "",
    index: Annotated[str, Query(max_length=10)] = "",
    withdrawn: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """List the knowledge base's documents with their version and index status, filtered."""
    filters: dict[str, Any] = {
        "q": q.strip() or None,
        "category": category if category in CATEGORIES else None,
        "status": status if status in STATUSES else None,
        "language": doc_language if doc_language in ("zh", "en") else None,
        "index": index if index in INDEX_STATES else None,
        "withdrawn": withdrawn,
    }
    with knowledge.sessions() as session:
        rows = registry.list_documents(
            session=session,
            category=filters["category"],
            status=filters["status"],
            language=filters["language"],
            query=filters["q"],
            include_withdrawn=withdrawn,
        )
    states = knowledge.states()
    ready = IndexState.of(None)  # a document never uploaded here: indexed by the file sync
    if filters["index"]:
        rows = [r for r in rows if states.get(r.id, ready).status == filters["index"]]
    rows.sort(key=lambda r: r.updated_at, reverse=True)
    return render(
        request,
        "staff/knowledge.html",
        {"documents": rows, "states": states, "ready": ready, "filters": filters, **choices()},
        language=language,
        block="results",
    )


@router.get("/new", response_class=HTMLResponse)
def upload_form(
    request: Request, user: CurrentStaff, knowledge: KnowledgeDep, language: LanguageDep
) -> HTMLResponse:
    """The form to upload a new document with its metadata."""
    return _upload_page(request, knowledge, language, {}, {})


def _upload_page(
    request: Request,
    knowledge: KnowledgeAdmin,
    language: UiLanguage,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    block: str | None = None,
    **extra: Any,
) -> HTMLResponse:
    return render(
        request,
        "staff/knowledge_new.html",
        {
            "values": values,
            "errors": errors,
            "max_mb": knowledge.max_bytes // (1024 * 1024),
            "prefilled": (),
            "prefill_notice": None,
            **choices(),
            **extra,
        },
        language=language,
        status_code=status_code,
        block=block,
    )


# What the file says about itself: derived from the file, so they replace the form's defaults.
_FROM_FILE_ALWAYS = ("language", "category")
# Typed by staff before choosing the file: kept; only empty ones are filled from the file.
_FROM_FILE_IF_EMPTY = ("title", "issuer", "doc_number", "issued", "effective", "repeals")


@router.post("/new/prefill", response_class=HTMLResponse)
async def prefill_metadata(
    request: Request, user: CurrentStaff, knowledge: KnowledgeDep, language: LanguageDep
) -> HTMLResponse:
    """Read title, dates and issuer from the chosen file into the form for staff to confirm.

    Nothing is stored. With htmx only the metadata block is swapped, so the chosen file stays
    in its input; without JavaScript the page says to choose the file again.
    """
    values, file = await read_form(request)
    data, filename = await read_upload(file, knowledge.max_bytes)
    try:
        document = await run_in_threadpool(
            validate_upload,
            data=data,
            filename=filename,
            metadata={},
            max_bytes=knowledge.max_bytes,
            limits=knowledge.limits,
        )
    except UploadRejected as error:
        notice = reason(error, language)
        return _upload_page(
            request, knowledge, language, values, {}, prefill_notice=notice, block="upload_meta"
        )
    found = {k: v for k, v in document.meta.model_dump().items() if v not in (None, "")}
    prefilled = []
    for key in (*_FROM_FILE_ALWAYS, *_FROM_FILE_IF_EMPTY):
        if key in found and (key in _FROM_FILE_ALWAYS or not (values.get(key) or "").strip()):
            value = found[key]
            values[key] = "\n".join(value) if isinstance(value, list) else str(value)
            prefilled.append(key)
    notice = translate("kb.prefill.done", language)
    if not is_htmx(request):
        notice += " " + translate("kb.prefill.choose_again", language)
    return _upload_page(
        request,
        knowledge,
        language,
        values,
        {},
        prefilled=tuple(prefilled),
        prefill_notice=notice,
        block="upload_meta",
    )


@router.post("", response_class=HTMLResponse)
async def upload(
    request: Request, user: CurrentStaff, knowledge: KnowledgeDep, language: LanguageDep
) -> Response:
    """Upload a new document; a bad file or bad metadata re-renders the form with the reason."""
    values, file = await read_form(request)
    data, filename = await read_upload(file, knowledge.max_bytes)
    metadata = {k: values.get(k) for k in ("id", *EDITABLE)}
    metadata["verified"] = "verified" in values
    try:
        row, _ = await run_in_threadpool(
            knowledge.upload,
            data=data,
            filename=filename,
            metadata=metadata,
            changed_by=user.email,
            note=values.get("note") or None,
        )
    except UploadRejected as error:
        return _upload_page(
            request, knowledge, language, values, {error.field: reason(error, language)}, 422
        )
    return RedirectResponse(f"/staff/knowledge/{row.id}?done=queued", status_code=303)
