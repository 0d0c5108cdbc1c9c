"""What a knowledge-base document is: its metadata and its citable text."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Category = Literal["policy", "regulation", "guideline", "service", "news"]
# proposed: the center's own plan, not yet published; expired: its period has ended.
Status = Literal["in_force", "draft", "superseded", "announced", "proposed", "expired"]
Jurisdiction = Literal["national", "guangdong", "guangzhou", "nansha", "gba", "hk_macao"]

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}\Z")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?\Z")


class HistoryEvent(BaseModel):
    """One dated event in a text's history: adopted, promulgated, amended, in force."""

    # pydantic's regex engine has no \Z; its $ already matches only at the very end.
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    body: str | None = None
    action: str = Field(min_length=1, max_length=20)


# Optional keys beyond the registry's columns. They stay extra keys (checked below): the
# registry stores extras as JSON, and a document without them dumps and hashes as before.
ALIASES, HISTORY, ADOPTED, AMENDED = "aliases", "history", "adopted", "amended"
REPEALS = "repeals"  # the titles of the texts this one repeals (knowledge/repeals.py)


class DocumentMeta(BaseModel):
    """Front matter of a knowledge-base document, validated.

    Beyond the fields, a document may carry `aliases` (other names staff or the loader
    give it), `history` (dated events: {date, body, action}), `adopted` and `amended`
    (dates); they are checked here and read through `extra`.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    title: str = Field(min_length=1, max_length=300)
    language: Literal["zh", "en"]
    translation_of: str | None = None
    category: Category
    issuer: str | None = None
    doc_number: str | None = None
    issued: str | None = None
    effective: str | None = None
    status: Status = "in_force"
    jurisdiction: Jurisdiction | None = None
    source_url: str | None = None
    verified: bool = False

    @field_validator("id", "translation_of")
    @classmethod
    def _check_id(cls, value: str | None) -> str | None:
        if value is not None and not _ID.match(value):
            raise ValueError("ids use lowercase letters, digits, '.', '_' and '-' only")
        return value

    @field_validator("issued", "effective", mode="before")
    @classmethod
    def _check_date(cls, value: object) -> str | None:
        if value is None or value == "":
            return None
        text = str(value)
        if not _DATE.match(text):
            raise ValueError("dates are written YYYY, YYYY-MM or YYYY-MM-DD")
        return text

    @field_validator("source_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("source_url must be an http(s) address")
        return value or None

    @model_validator(mode="before")
    @classmethod
    def _check_optional_keys(cls, values: object) -> object:
        if not isinstance(values, dict):
            return values
        values = dict(values)
        if values.get(ALIASES) in (None, "", []):
            values.pop(ALIASES, None)
        else:
            names = values[ALIASES]
            if isinstance(names, str):  # typed into one form field: "人遗条例, 人类遗传资源条例"
                names = re.split(r"[,，;；\n]", names)
            if not isinstance(names, list | tuple):
                raise ValueError("aliases are a list of names")
            values[ALIASES] = [str(n).strip() for n in names if str(n).strip()]
        if values.get(REPEALS) in (None, "", []):
            values.pop(REPEALS, None)
        else:
            titles = values[REPEALS]
            if isinstance(titles, str):  # typed into one form field, one title a line (a
                titles = titles.splitlines()  # title may hold 、: 最高人民法院、最高人民检察院…)
            if not isinstance(titles, list | tuple):
                raise ValueError("repeals is a list of titles")
            titles = [str(t).strip().strip("《》").strip() for t in titles]
            values[REPEALS] = list(dict.fromkeys(t for t in titles if t))
            if not values[REPEALS]:
                values.pop(REPEALS)
        if values.get(HISTORY) in (None, []):
            values.pop(HISTORY, None)
        else:
            events = values[HISTORY]
            if not isinstance(events, list | tuple):
                raise ValueError("history is a list of {date, body, action} events")
            values[HISTORY] = [
                HistoryEvent.model_validate(e).model_dump(mode="json") for e in events
            ]
        for key in (ADOPTED, AMENDED):
            if values.get(key) in (None, ""):
                values.pop(key, None)
            elif not _DATE.match(str(values[key])):
                raise ValueError(f"{key}: dates are written YYYY, YYYY-MM or YYYY-MM-DD")
            else:
                values[key] = str(values[key])
        return values

    @model_validator(mode="after")
    def _not_own_translation(self) -> DocumentMeta:
        if self.translation_of == self.id:
            raise ValueError("a document cannot be its own translation")
        return self

    @property
    def extra(self) -> dict[str, object]:
        """Keys beyond the standard ones (a service's code and fee, aliases, history)."""
        return dict(self.model_extra or {})


@dataclass(frozen=True)
class SourceDocument:
    """A document as loaded from a file: metadata plus the text that citations quote."""

    meta: DocumentMeta
    text: str
    path: str | None = None
    content_hash: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        digest.update(self.meta.model_dump_json().encode())
        digest.update(b"\0")
        digest.update(self.text.encode())
        object.__setattr__(self, "content_hash", digest.hexdigest())

    @property
    def id(self) -> str:
        """The document's id."""
        return self.meta.id
