"""Settings, read from ``RAPPORT_*`` environment variables when asked for (never at import)."""

from __future__ import annotations

from functools import lru_cache

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
    data_dir: str = Field(
        default="../shared/data",
        description="Where the real data sets live (used by `rapport demo load`).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
