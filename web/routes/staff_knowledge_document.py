"""Staff pages of one knowledge-base document: metadata, new version, supersede, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from knowledge import registry
from knowledge.tables import DocumentRow
from knowledge.uploads import EDITABLE, UploadRejected
from retrieval.knowledge_admin import KnowledgeAdmin
from web.deps import CurrentStaff, KnowledgeDep, LanguageDep, StaffDocument
from web.exceptions import NotFound
from web.i18n import UiLanguage, translate
from web.knowledge_forms import choices, read_form, read_upload, reason
from web.templating import render

router = APIRouter(prefix="/staff/knowledge", tags=["staff"])


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
            **choices(),
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
    values, _ = await read_form(request)
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
    values, file = await read_form(request)
    data, filename = await read_upload(file, knowledge.max_bytes)
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
    values, _ = await read_form(request)
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
    values, _ = await read_form(request)
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
        {"document": document, "version": row, **choices()},
        language=language,
    )
