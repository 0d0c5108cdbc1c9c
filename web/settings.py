"""All settings of the portal, read once from the environment (prefix CGT_PORTAL_)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.extraction import ExtractionLimits

DEVELOPMENT_SECRET = "development-only-secret-change-me"
MIN_SECRET_CHARS = 32
SECRET_KEY_FILE = "secret_key"

log = logging.getLogger(__name__)


def secret_is_strong(secret: str) -> bool:
    """Whether a signing key may be used in production: not the placeholder, long, varied."""
    return (
        secret != DEVELOPMENT_SECRET
        and len(secret) >= MIN_SECRET_CHARS
        and len(set(secret)) >= 8  # not "aaaa…" or a repeated short word
    )


class Settings(BaseSettings):
    """Settings for the whole portal; every field can be set as CGT_PORTAL_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="CGT_PORTAL_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite in the data folder"
    )
    secret_key: str = DEVELOPMENT_SECRET
    db_pool_size: int = Field(
        default=10, ge=1, le=200, description="connections kept open per worker (not SQLite)"
    )
    db_max_overflow: int = Field(
        default=30, ge=0, le=500, description="extra connections per worker under load"
    )

    # Retrieval
    embeddings: str = Field(
        default="use", description="'use', 'sentence-transformers:<name or path>' or 'fake'"
    )
    embedding_threads: int = Field(
        default=1, ge=1, le=16, description="BLAS threads of the USE model (1 is safest)"
    )
    ingest_threads: int = Field(
        default=2, ge=1, le=16, description="USE passes side by side at ingest, 1 BLAS thread each"
    )
    chroma_host: str | None = Field(default=None, description="Chroma server; default: embedded")
    chroma_port: int = 8000
    chroma_collection: str = Field(
        default="cgt",
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,40}$",
        description="prefix of the Chroma collection name (one per portal sharing a server)",
    )
    answer_threshold: float | None = Field(
        default=None, description="similarity below which the assistant refuses"
    )
    ingest_on_start: bool = True
    max_request_mb: int = Field(
        default=100,
        ge=1,
        le=1024,
        description="largest request body, uploads included, in MiB; larger ones get 413",
    )
    knowledge_upload_max_mb: int = Field(
        default=20, ge=1, le=500, description="largest document staff may upload, in MiB"
    )
    company_storage_quota_mb: int = Field(
        default=500,
        ge=0,
        le=1_000_000,
        description="all attachments of one company together, in MiB (0: no limit)",
    )
    # Text extraction runs in a child process with these limits (knowledge/extraction.py).
    extract_cpu_seconds: int = Field(
        default=15, ge=1, le=3600, description="CPU seconds one file's text extraction may use"
    )
    extract_memory_mb: int = Field(
        default=1024, ge=128, le=65536, description="address space of the extraction process"
    )
    extract_timeout_seconds: float = Field(
        default=30.0, gt=0, le=7200, description="wall-clock limit of one file's extraction"
    )
    extract_max_chars: int = Field(
        default=5_000_000, ge=1000, description="longest text one document may yield"
    )

    # Optional LLM phrasing through an OpenAI-compatible endpoint (off unless a model is named)
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 20.0

    # Notification e-mail through SMTP (off unless a host is named; the portal shows them anyway)
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_sender: str | None = Field(default=None, description="From address; default: the username")
    smtp_interval: float = Field(
        default=30.0, gt=0, description="seconds between two delivery runs"
    )
    smtp_timeout: float = Field(default=20.0, gt=0, description="seconds per SMTP connection")

    registration_confirmation: bool | None = Field(
        default=None,
        description="new accounts confirm their e-mail through a link before they can sign in, "
        "and registration never says what exists; default: on, except in tests",
    )
    public_url: str | None = Field(
        default=None, description="the portal's address for links in e-mails, e.g. https://…"
    )
    trusted_proxies: str = Field(
        default="",
        description="comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For/-Proto is believed; default none ('*' trusts every peer)",
    )

    # Operations (docs/operations.md): log lines as text or one JSON object per line
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        default="INFO", description="threshold of the portal's log output"
    )

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            value = value.strip()
            return value.upper() if info.field_name == "log_level" else value.lower()
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and not secret_is_strong(self.secret_key):
            raise ValueError(
                "CGT_PORTAL_SECRET_KEY must be set to a long random value in production "
                f"(at least {MIN_SECRET_CHARS} characters, e.g. `openssl rand -hex 32`)"
            )
        return self

    @model_validator(mode="after")
    def _smtp_needs_a_sender(self) -> Settings:
        if self.smtp_host and not (self.smtp_sender or self.smtp_username):
            raise ValueError("CGT_PORTAL_SMTP_SENDER must be set when CGT_PORTAL_SMTP_HOST is")
        return self

    @property
    def extraction_limits(self) -> ExtractionLimits:
        """The limits of one file's text extraction."""
        return ExtractionLimits(
            cpu_seconds=self.extract_cpu_seconds,
            memory_mb=self.extract_memory_mb,
            timeout_seconds=self.extract_timeout_seconds,
            max_text_chars=self.extract_max_chars,
        )

    @property
    def confirms_registration(self) -> bool:
        """Whether new accounts wait for their e-mail's confirmation."""
        if self.registration_confirmation is None:
            return self.environment != "test"
        return self.registration_confirmation

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies, one address or network per item."""
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def smtp_enabled(self) -> bool:
        """Whether notifications are also sent by e-mail."""
        return bool(self.smtp_host)

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL, SQLite under the data folder by default."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'portal.db').resolve()}"

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"

    @property
    def uploads_path(self) -> Path:
        """Folder of uploaded files (outside the web root)."""
        return self.data_dir / "uploads"

    @property
    def knowledge_staging_path(self) -> Path:
        """Folder of uploaded documents waiting for their indexing job."""
        return self.data_dir / "knowledge_uploads"


def data_folder_secret(data_dir: Path) -> str:
    """The data folder's own signing key, generated into an owner-only file on first use.

    The file is written under a temporary name and linked into place, so two workers starting
    at once both end up with the one key that won the link.
    """
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
            log.warning("no CGT_PORTAL_SECRET_KEY: generated one in %s", path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            draft.unlink()
    if path.stat().st_mode & 0o077:  # readable by others: anyone on the machine could sign
        path.chmod(0o600)
    key = path.read_text(encoding="ascii").strip()
    if not secret_is_strong(key):
        raise RuntimeError(f"{path} holds no usable signing key: delete it to make a new one")
    return key


def use_data_folder_secret(settings: Settings) -> None:
    """Replace the public placeholder key, outside tests, by the data folder's own key.

    Without this, `cgt-portal serve` in development signed sessions with a key printed in
    the source, and anyone could forge an admin's cookie.
    """
    if settings.environment != "test" and settings.secret_key == DEVELOPMENT_SECRET:
        settings.secret_key = data_folder_secret(settings.data_dir)
