"""Settings, read from ``RAPPORT_*`` environment variables when asked for (never at import)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Rapport's configuration. Every field can be set as ``RAPPORT_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///rapport.db",
        description="SQLAlchemy URL; SQLite by default, postgresql+psycopg://... in production.",
    )
    secret_key: str = Field(
        default="rapport-development-secret-change-me",
        description="Signs the web app's session cookies; set your own in production.",
    )
    workspace: str = Field(
        default="default",
        description="The workspace the command line works in, by slug.",
    )
    import_batch_size: int = Field(default=5000, ge=1, le=100_000)
    enrich: bool = Field(
        default=True,
        description="Read every new message for its language, sentiment, intent and keywords.",
    )
    data_dir: str = Field(
        default="../shared/data",
        description="Where the real data sets live (used by `rapport demo load`).",
    )
    jobs: Literal["inprocess", "celery"] = Field(
        default="inprocess",
        description=(
            "Where background jobs (sending replies, SLA checks) run: a thread of this "
            "process, or Celery workers sharing a broker."
        ),
    )
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0",
        description="The Celery broker when jobs=celery: redis://... or amqp://...",
    )
    jobs_queue: str = Field(
        default="celery",
        min_length=1,
        description=(
            "The broker queue Rapport's jobs go to and its workers take them from (give "
            "each Rapport sharing a broker its own)."
        ),
    )
    jobs_tick_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often due replies are sent again and SLA clocks are checked.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach this Rapport (links in notifications and surveys).",
    )
    intent_model_dir: str | None = Field(
        default=None,
        description=(
            "A custom intent model folder made by `rapport nlp train-intent`; unset, the "
            "default customer-care taxonomy is used."
        ),
    )
    sentiment_model_dir: str | None = Field(
        default=None,
        description=(
            "A local Hugging Face sentiment model folder (needs transformers); unset, "
            "Rapport's own fast and accurate sentiment models are used."
        ),
    )
    smtp_host: str | None = Field(
        default=None,
        description="The SMTP server alert e-mails go through; unset, alerts send no e-mail.",
    )
    smtp_port: int | None = Field(
        default=None, ge=1, le=65535, description="Its port (default 25, or 465 with ssl)."
    )
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        default="none", description="How to reach it: none, starttls or ssl."
    )
    smtp_username: str | None = Field(default=None, description="Log in as (with the password).")
    smtp_password: str | None = Field(default=None, description="The SMTP password.")
    smtp_from: str = Field(
        default="rapport@localhost", description="The address alert e-mails are sent from."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
