"""What the registry tests share: a short document text, and saving as an ingest does."""

from __future__ import annotations

from sqlalchemy.orm import Session

from knowledge import registry
from knowledge.chunking import chunk_document
from knowledge.documents import SourceDocument

TEXT = (
    "Release testing covers sterility, endotoxin and mycoplasma.\n\n"
    "## Fees\n\nFees are to be confirmed with the center.\n"
)


def save(session: Session, document: SourceDocument, origin: str = "bundled") -> list[str]:
    """Save a document with its real chunks, as an ingest does."""
    return registry.save_document(
        session=session, document=document, chunks=chunk_document(document), origin=origin
    )
