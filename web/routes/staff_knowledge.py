"""Staff pages of the knowledge base: list, upload, edit, new version, supersede, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from knowledge import registry
from knowledge.registry import DocumentRow
from knowledge.uploads import EDITABLE, UploadRejected, validate_upload
from retrieval.knowledge_admin import IndexState, KnowledgeAdmin
from web.deps import CurrentStaff, KnowledgeDep, LanguageDep, StaffDocument
from web.exceptions import NotFound
from web.i18n import UiLanguage, translate
from web.pages import local_time
from web.templating import is_htmx, render

router = APIRouter(prefix="/staff/knowledge", tags=["staff"])

CATEGORIES = ("policy", "regulation", "guideline", "service", "news")
STATUSES = ("in_force", "draft", "superseded", "announced", "proposed", "expired")
JURISDICTIONS = ("national", "guangdong", "guangzhou", "nansha", "gba", "hk_macao")
INDEX_STATES = ("queued", "indexing", "ready", "failed")
# Codes whose English detail adds to the translated reason (a loader's or a validator's words).
_DETAILED = ("file_unreadable", "invalid_metadata", "file_too_large", "file_mismatch")


def reason(error: UploadRejected, language: UiLanguage) -> str:
    """A refusal in the user's language, with the precise detail where it helps."""
    text = translate(f"kb.error.{error.code}", language)
    if error.code in _DETAILED or text == f"kb.error.{error.code}":
        text = f"{text} ({error.detail})" if text != f"kb.error.{error.code}" else error.detail
    return text


def _choices() -> dict[str, Any]:
    return {
        "categories": CATEGORIES,
        "statuses": STATUSES,
        "jurisdictions": JURISDICTIONS,
        "index_states": INDEX_STATES,
        "local_time": local_time,
    }


async def _form(request: Request) -> tuple[dict[str, Any], UploadFile | None]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("file")
    return values, upload if isinstance(upload, UploadFile) else None


async def _read(upload: UploadFile | None, limit: int) -> tuple[bytes, str]:
    if upload is None:
        return b"", ""
    return await upload.read(limit + 1), upload.filename or ""


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
        {"documents": rows, "states": states, "ready": ready, "filters": filters, **_choices()},
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
            **_choices(),
            **extra,
        },
        language=language,
        status_code=status_code,
        block=block,
    )


# What the file says about itself: derived from the file, so they replace the form's defaults.
_FROM_FILE_ALWAYS = ("language", "category")
# Typed by staff before choosing the file: kept; only empty ones are filled from the file.
_FROM_FILE_IF_EMPTY = ("title", "issuer", "doc_number", "issued", "effective")


@router.post("/new/prefill", response_class=HTMLResponse)
async def prefill_metadata(
    request: Request, user: CurrentStaff, knowledge: KnowledgeDep, language: LanguageDep
) -> HTMLResponse:
    """Read title, dates and issuer from the chosen file into the form for staff to confirm.

    Nothing is stored. With htmx only the metadata block is swapped, so the chosen file stays
    in its input; without JavaScript the page says to choose the file again.
    """
    values, file = await _form(request)
    data, filename = await _read(file, knowledge.max_bytes)
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
            values[key] = str(found[key])
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
    values, file = await _form(request)
    data, filename = await _read(file, knowledge.max_bytes)
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


# --- one document ---------------------------------------------------------------------------


@router.get("/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document: StaffDocument,
    knowledge: KnowledgeDep,
    language: LanguageDep,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """A document: metadata form, new version, supersede, withdraw, versions, index progress."""
    return _document_page(request, knowledge, document, language, done=done)


def _document_page(
    request: Request,
    knowledge: KnowledgeAdmin,
    document: DocumentRow,
    language: UiLanguage,
    *,
    done: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    block: str | None = None,
) -> HTMLResponse:
    with knowledge.sessions() as session:
        others = [r for r in registry.list_documents(session=session) if r.id != document.id]
        replacement = (
            registry.get(session=session, document_id=document.superseded_by)
            if document.superseded_by
            else None
        )
    others.sort(key=lambda r: (r.language != document.language, r.title))
    return render(
        request,
        "staff/knowledge_document.html",
        {
            "document": document,
            "state": knowledge.state(document.id),
            "versions": knowledge.versions(document.id),
            "others": others,
            "replacement": replacement,
            "done": done,
            "values": values if values is not None else document.meta.model_dump(),
            "errors": errors or {},
            "max_mb": knowledge.max_bytes // (1024 * 1024),
            **_choices(),
        },
        language=language,
        status_code=status_code,
        block=block,
    )


@router.get("/{document_id}/status", response_class=HTMLResponse)
def index_status(
    request: Request, document: StaffDocument, knowledge: KnowledgeDep, language: LanguageDep
) -> HTMLResponse:
    """The document's indexing progress (the page's status block for htmx polling)."""
    return _document_page(request, knowledge, document, language, block="index_status")


@router.post("/{document_id}/metadata", response_class=HTMLResponse)
async def edit_metadata(
    request: Request,
    document: StaffDocument,
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    language: LanguageDep,
) -> Response:
    """Save edited metadata as a new version; errors re-render the page with the reason."""
    values, _ = await _form(request)
    changes: dict[str, Any] = {k: values.get(k) for k in EDITABLE}
    changes["verified"] = "verified" in values
    before = document.version
    try:
        row = await run_in_threadpool(
            knowledge.update_metadata,
            document_id=document.id,
            changes=changes,
            changed_by=user.email,
            note=values.get("note") or None,
        )
    except UploadRejected as error:
        return _document_page(
            request,
            knowledge,
            document,
            language,
            values={**document.meta.model_dump(), **values},
            errors={error.field: reason(error, language)},
            status_code=422,
        )
    done = "changed" if row.version != before else ""
    return RedirectResponse(f"/staff/knowledge/{document.id}?done={done}", status_code=303)


@router.post("/{document_id}/replace", response_class=HTMLResponse)
async def replace(
    request: Request,
    document: StaffDocument,
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    language: LanguageDep,
) -> Response:
    """Upload a new version's file; it is indexed in the background."""
    values, file = await _form(request)
    data, filename = await _read(file, knowledge.max_bytes)
    try:
        await run_in_threadpool(
            knowledge.replace,
            document_id=document.id,
            data=data,
            filename=filename,
            changed_by=user.email,
            note=values.get("note") or None,
        )
    except UploadRejected as error:
        field = "replace_file" if error.field in ("file", *EDITABLE) else error.field
        return _document_page(
            request,
            knowledge,
            document,
            language,
            errors={field: reason(error, language)},
            status_code=422,
        )
    return RedirectResponse(f"/staff/knowledge/{document.id}?done=replaced", status_code=303)


@router.post("/{document_id}/supersede", response_class=HTMLResponse)
async def supersede(
    request: Request,
    document: StaffDocument,
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    language: LanguageDep,
) -> Response:
    """Mark the document superseded by the chosen one."""
    values, _ = await _form(request)
    try:
        await run_in_threadpool(
            knowledge.supersede,
            document_id=document.id,
            superseded_by=(values.get("superseded_by") or "").strip(),
            changed_by=user.email,
            note=values.get("note") or None,
        )
    except UploadRejected as error:
        return _document_page(
            request,
            knowledge,
            document,
            language,
            errors={"superseded_by": reason(error, language)},
            status_code=422,
        )
    return RedirectResponse(f"/staff/knowledge/{document.id}?done=changed", status_code=303)


@router.post("/{document_id}/withdraw", response_class=HTMLResponse)
async def withdraw(
    request: Request,
    document: StaffDocument,
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    language: LanguageDep,
) -> Response:
    """Withdraw the document (after the confirmation box is ticked)."""
    values, _ = await _form(request)
    if values.get("confirm") != "yes":
        return _document_page(
            request,
            knowledge,
            document,
            language,
            errors={"confirm": translate("kb.error.confirm", language)},
            status_code=422,
        )
    try:
        await run_in_threadpool(
            knowledge.withdraw,
            document_id=document.id,
            changed_by=user.email,
            note=values.get("note") or None,
        )
    except UploadRejected as error:
        return _document_page(
            request,
            knowledge,
            document,
            language,
            errors={"confirm": reason(error, language)},
            status_code=422,
        )
    return RedirectResponse(f"/staff/knowledge/{document.id}?done=changed", status_code=303)


@router.get("/{document_id}/versions/{version}", response_class=HTMLResponse)
def version_page(
    request: Request,
    document: StaffDocument,
    version: int,
    knowledge: KnowledgeDep,
    language: LanguageDep,
) -> HTMLResponse:
    """One version of a document: who made it, when, its metadata and its full text."""
    row = knowledge.version(document.id, version)
    if row is None:
        raise NotFound("version", f"{document.id}@{version}")
    return render(
        request,
        "staff/knowledge_version.html",
        {"document": document, "version": row, **_choices()},
        language=language,
    )
