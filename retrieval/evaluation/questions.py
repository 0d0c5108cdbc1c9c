"""Question sets: what each question asks and what a correct answer needs."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

import yaml
from pydantic import BaseModel, Field, TypeAdapter, model_validator

DEV_SET = Path(__file__).parent / "dev_questions"

Kind = Literal[
    "same_language",  # asked in the language of the source
    "cross_language",  # English about Chinese sources (or the reverse)
    "identifier",  # names a document number (bundled set)
    "article_reference",  # names a document and one of its articles
    "document_reference",  # names a document, no article
    "traditional",  # Chinese written in Traditional characters
    "follow_up",  # only makes sense after `previous`
    "new_topic",  # a complete short question after an unrelated `previous`: not a follow-up
    "out_of_scope",  # the library does not answer it: must be refused
]
KINDS: tuple[str, ...] = get_args(Kind)

Lookalike = Literal[
    "foreign_regulator", "unpublished_fee", "missing_article", "missing_regulation", "other"
]


class Question(BaseModel):
    """One question of the set with what a correct answer needs."""

    id: str
    question: str
    language: Literal["zh", "en"]
    kind: Kind
    expected_documents: list[str] = Field(default_factory=list)
    # The articles whose text answers it, as written in the source ("第十四条").
    expected_articles: list[str] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    previous: str | None = None
    lookalike: Lookalike | None = None  # why an out-of-scope question looks answerable

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.kind == "out_of_scope" and (self.key_facts or self.expected_documents):
            raise ValueError(f"{self.id}: an out-of-scope question has no facts or documents")
        if self.kind != "out_of_scope" and not self.key_facts:
            raise ValueError(f"{self.id}: an answerable question needs key facts")
        if (self.kind in ("follow_up", "new_topic")) != (self.previous is not None):
            raise ValueError(f"{self.id}: `previous` is for follow-up and new-topic questions")
        return self

    @property
    def in_scope(self) -> bool:
        """Whether the knowledge base answers it."""
        return self.kind != "out_of_scope"


def load_questions(path: Path | None = None) -> list[Question]:
    """Read a YAML question file, or every YAML file of a folder (default: the bundled set)."""
    path = path or DEV_SET
    if path.is_dir():
        # corpus.yaml lists a real-text set's documents, not questions
        files = sorted(f for f in path.glob("*.yaml") if f.name != "corpus.yaml")
    else:
        files = [path]
    questions: list[Question] = []
    for file in files:
        questions.extend(
            TypeAdapter(list[Question]).validate_python(yaml.safe_load(file.read_text("utf-8")))
        )
    ids = [q.id for q in questions]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate question ids: {sorted(duplicates)}")
    return questions
