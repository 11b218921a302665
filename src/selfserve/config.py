"""Settings: the only module that reads the environment.

Every value comes from a ``SELFSERVE_*`` environment variable or an optional ``.env`` file
in the working directory; nothing else in the code base looks at ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/selfserve.db"


class Settings(BaseSettings):
    """Runtime configuration of the API server and the command line."""

    model_config = SettingsConfigDict(
        env_prefix="SELFSERVE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="sqlite:///path/to/file.db or postgresql://user@host:port/dbname",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    pg_pool_min: int = 2
    pg_pool_max: int = 10
    sqlite_cache_mb: int = 64
    include_cap: int = Field(
        default=100, description="Most related rows embedded per order and relation."
    )
    log_level: str = "INFO"
    public_base_url: str = ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
