"""Settings: the only module that reads the environment.

Every value comes from a ``SELFSERVE_*`` environment variable or an optional ``.env`` file
in the working directory; nothing else in the code base looks at ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
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

    token_signing_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Customer-token signing keys, 'kid:secret[,kid:secret...]'. The first signs; "
        "all verify, so a rotated-out key keeps its tokens valid until removed. Secrets need "
        "at least 32 characters.",
    )
    token_default_ttl_seconds: int = 900
    token_max_ttl_seconds: int = 86_400
    key_rotation_overlap_seconds: int = Field(
        default=86_400, description="How long a rotated API key keeps working."
    )
    usage_flush_seconds: float = Field(
        default=30.0, description="How often 'last used' times of API keys are written."
    )
    document_build_seconds: float = Field(
        default=1.0,
        description="How often each worker builds the stored documents of new and changed "
        "orders (0: never; reads are then served from the columns).",
    )
    health_check_seconds: float = Field(
        default=1.0,
        description="How often each worker checks that its database answers (for /health).",
    )
    portal_demo_customer: str = Field(
        default="",
        description="`serve --demo` only: the customer whose portal /portal/demo/<token> opens.",
    )
    portal_demo_token: SecretStr = Field(
        default=SecretStr(""), description="`serve --demo` only: the secret of that demo link."
    )
    redis_url: str | None = Field(
        default=None, description="Redis for rate limits shared by every worker process."
    )
    rate_limit_key_per_second: float = 50.0
    rate_limit_key_burst: int = 100
    rate_limit_token_per_second: float = 5.0
    rate_limit_token_burst: int = 20
    cors_origins: list[str] = Field(
        default_factory=list, description="Browser origins allowed to call the API (none)."
    )
    max_body_bytes: int = 1_048_576
    max_json_depth: int = 32


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
