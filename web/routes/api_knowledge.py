"""Staff JSON API of the knowledge base: upload, edit, supersede and withdraw documents."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from retrieval.knowledge_admin import KnowledgeAdmin
from web.deps import CurrentStaff, KnowledgeDep
from web.schemas import DocumentWithText

router = APIRouter(prefix="/api/v1", tags=["knowledge base (staff)"])

Category = Literal["policy", "regulation", "guideline", "service", "news"]
DocStatus = Literal["in_force", "draft", "superseded", "announced", "proposed", "expired"]
Jurisdiction = Literal["national", "guangdong", "guangzhou", "nansha", "gba", "hk_macao"]

_PROBLEM: dict[str, Any] = {
    "description": "invalid file or metadata: the field at fault and the reason",
    "content": {
        "application/json": {
            "example": {"detail": [{"field": "file", "message": "the file is empty"}]}
        }
    },
}
RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"description": "not signed in"},
    403: {"description": "not a member of the center's staff"},
    422: _PROBLEM,
}


class SupersedeRequest(BaseModel):
    """Which document replaces this one."""

    model_config = ConfigDict(extra="forbid")

    superseded_by: str = Field(min_length=1, max_length=120, description="the replacing document")
    note: str | None = Field(default=None, max_length=1000, description="why, for the history")


class MetadataPatch(BaseModel):
    """Metadata to change; keys left out stay as they are (the id never changes)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    language: Literal["zh", "en"] | None = None
    translation_of: str | None = Field(default=None, max_length=120)
    category: Category | None = None
    issuer: str | None = Field(default=None, max_length=200)
    doc_number: str | None = Field(default=None, max_length=120)
    issued: str | None = Field(
        default=None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    effective: str | None = Field(default=None, max_length=10)
    status: DocStatus | None = None
    jurisdiction: Jurisdiction | None = None
    source_url: str | None = Field(default=None, max_length=1000)
    verified: bool | None = None
    repeals: list[Annotated[str, Field(min_length=1, max_length=300)]] | None = Field(
        default=None,
        max_length=100,
        description="titles of the texts this one repeals whole (read from its closing articles)",
    )
    note: str | None = Field(default=None, max_length=1000, description="why, for the history")


def _document(knowledge: KnowledgeAdmin, document_id: str) -> DocumentWithText:
    row = knowledge.get(document_id)
    return DocumentWithText.of(row, knowledge.state(document_id))


@router.post(
    "/documents",
    response_model=DocumentWithText,
    status_code=status.HTTP_202_ACCEPTED,
    responses=RESPONSES,
)
async def upload_document(
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    response: Response,
    file: Annotated[UploadFile, File(description="PDF, DOCX, Markdown, HTML or plain text")],
    title: Annotated[str, Form(min_length=1, max_length=300)],
    language: Annotated[Literal["zh", "en"], Form()],
    category: Annotated[Category, Form()],
    id: Annotated[
        str | None, Form(max_length=120, description="default: from the file name and language")
    ] = None,
    issuer: Annotated[str | None, Form(max_length=200)] = None,
    doc_number: Annotated[str | None, Form(max_length=120)] = None,
    issued: Annotated[str | None, Form(max_length=10)] = None,
    effective: Annotated[str | None, Form(max_length=10)] = None,
    status_: Annotated[DocStatus, Form(alias="status")] = "in_force",
    jurisdiction: Annotated[Jurisdiction | None, Form()] = None,
    source_url: Annotated[str | None, Form(max_length=1000)] = None,
    translation_of: Annotated[
        str | None, Form(max_length=120, description="the zh/en counterpart's id")
    ] = None,
    verified: Annotated[bool, Form()] = False,
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> DocumentWithText:
    """Upload a new document: checked now, indexed in the background (see `index_status`)."""
    data = await file.read(knowledge.max_bytes + 1)
    metadata = {
        "id": id,
        "title": title,
        "language": language,
        "category": category,
        "issuer": issuer,
        "doc_number": doc_number,
        "issued": issued,
        "effective": effective,
        "status": status_,
        "jurisdiction": jurisdiction,
        "source_url": source_url,
        "translation_of": translation_of,
        "verified": verified,
    }
    row, state = await run_in_threadpool(
        knowledge.upload,
        data=data,
        filename=file.filename or "",
        metadata=metadata,
        changed_by=user.email,
        note=note,
    )
    response.headers["Location"] = f"/api/v1/documents/{row.id}"
    return DocumentWithText.of(row, state)


@router.post(
    "/documents/{document_id}/versions",
    response_model=DocumentWithText,
    status_code=status.HTTP_202_ACCEPTED,
    responses={**RESPONSES, 404: {"description": "no such document"}},
)
async def upload_version(
    document_id: str,
    user: CurrentStaff,
    knowledge: KnowledgeDep,
    file: Annotated[UploadFile, File(description="the new version's file")],
    note: Annotated[str | None, Form(max_length=1000)] = None,
) -> DocumentWithText:
    """Replace a document's file: the current version answers until the new one is indexed."""
    data = await file.read(knowledge.max_bytes + 1)
    await run_in_threadpool(
        knowledge.replace,
        document_id=document_id,
        data=data,
        filename=file.filename or "",
        changed_by=user.email,
        note=note,
    )
    return _document(knowledge, document_id)


@router.patch(
    "/documents/{document_id}",
    response_model=DocumentWithText,
    responses={**RESPONSES, 404: {"description": "no such document"}},
)
def update_document(
    document_id: str, body: MetadataPatch, user: CurrentStaff, knowledge: KnowledgeDep
) -> DocumentWithText:
    """Change a document's metadata; a new version records who changed what."""
    changes = body.model_dump(exclude_unset=True, exclude={"note"})
    knowledge.update_metadata(
        document_id=document_id, changes=changes, changed_by=user.email, note=body.note
    )
    return _document(knowledge, document_id)


@router.post(
    "/documents/{document_id}/supersede",
    response_model=DocumentWithText,
    responses={**RESPONSES, 404: {"description": "no such document"}},
)
def supersede_document(
    document_id: str, body: SupersedeRequest, user: CurrentStaff, knowledge: KnowledgeDep
) -> DocumentWithText:
    """Mark a document superseded by another; answers cite it only about the past."""
    knowledge.supersede(
        document_id=document_id,
        superseded_by=body.superseded_by,
        changed_by=user.email,
        note=body.note,
    )
    return _document(knowledge, document_id)


@router.delete(
    "/documents/{document_id}",
    response_model=DocumentWithText,
    responses={**RESPONSES, 404: {"description": "no such document"}},
)
def withdraw_document(
    document_id: str, user: CurrentStaff, knowledge: KnowledgeDep
) -> DocumentWithText:
    """Withdraw a document: its passages leave every index; its versions are kept."""
    knowledge.withdraw(document_id=document_id, changed_by=user.email)
    return _document(knowledge, document_id)
