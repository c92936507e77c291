"""Settings: one nested pydantic-settings object, prefix ``SIYU_``, read nowhere else."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "siyu-dev-secret-change-me"
WECOM_API = "https://qyapi.weixin.qq.com"


class Settings(BaseSettings):
    """Every setting of Siyu; see the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="SIYU_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/siyu.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db",
    )
    queue_url: str = Field(
        default="sqlite:///var/queue.db",
        description="Huey storage: sqlite:///path (SqliteHuey) or redis://host:port/db (RedisHuey)",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET),
        description="Key from which the at-rest encryption key and cookie keys are derived",
    )
    secret_key_previous: SecretStr | None = Field(
        default=None,
        description="during a rotation: the key before SIYU_SECRET_KEY; what it signed or "
        "encrypted is still accepted (nothing new uses it)",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = Field(
        default="",
        description="URL WeCom reaches Siyu at (for the callback URL shown); default http://host:port",
    )
    media_url: str = Field(
        default="",
        description="origin that serves public content files (/r/{token}/file), e.g. "
        "https://media.example.com pointing at the same Siyu; default: Siyu's own origin",
    )
    frame_ancestors: str = Field(
        default="",
        description="origins besides Siyu's own that may frame the console (CSP "
        "frame-ancestors, space separated); WeCom's sidebar needs none",
    )
    workers: int = Field(default=2, description="worker threads of `siyu serve` (0 = none)")
    worker_process: bool = Field(
        default=True,
        description="`siyu serve` runs its worker threads in a child `siyu worker` process "
        "(a GIL of their own); false: inside the API process",
    )
    sync_interval_minutes: int = Field(default=360, description="periodic full sync; 0 disables")
    follow_up_digest_hour: int = Field(
        default=9,
        ge=0,
        le=23,
        description="corp-local hour at which each employee gets the morning digest of the "
        "day's follow-ups (an app message)",
    )
    broadcast_lease_seconds: int = Field(
        default=300,
        description="a worker's lease on a broadcast; after a crash another worker resumes",
    )
    rule_tag_lease_seconds: int = Field(
        default=600,
        description="a rule tag write job untouched this long (its worker died) is resumed",
    )
    batch_tag_lease_seconds: int = Field(
        default=300,
        description="a worker's lease on a batch tag job; after a crash another worker resumes",
    )
    session_idle_minutes: int = Field(
        default=720,
        ge=5,
        le=7 * 24 * 60,
        description="a console session unused this long ends (sliding; at most 7 days in all)",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="failed sign-ins of one username within 15 minutes before sign-ins wait "
        "(1 minute, doubling with each further failure)",
    )
    login_max_failures_per_ip: int = Field(
        default=20,
        ge=1,
        le=100000,
        description="failed sign-ins from one IP (any username) within 15 minutes before "
        "sign-ins from it wait",
    )
    console_dir: Path = Field(default=Path("console/dist"), description="built console served at /")
    log_level: str = "INFO"
    wecom_api_bases: str = Field(
        default="",
        description="WeCom API bases a corp may use besides https://qyapi.weixin.qq.com, "
        "comma-separated (a sandbox, e.g. http://127.0.0.1:9100); every WeCom call sends the "
        "corp's secret there, so the settings API and `siyu corp add` refuse any other base",
    )

    @property
    def base_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def allowed_api_bases(self) -> frozenset[str]:
        """WeCom's own base and the deployment's extra ones, without trailing slashes."""
        extra = (b.strip().rstrip("/") for b in self.wecom_api_bases.split(","))
        return frozenset({WECOM_API, *(b for b in extra if b)})


@lru_cache
def get_settings() -> Settings:
    return Settings()


def allow_api_base(url: str) -> Settings:
    """Add a WeCom API base to this process's allowlist (and its child processes').

    For a sandbox this process started: ``siyu demo`` and the tests; a deployment sets
    ``SIYU_WECOM_API_BASES`` instead."""
    bases = [b for b in get_settings().wecom_api_bases.split(",") if b.strip()]
    if url.rstrip("/") not in get_settings().allowed_api_bases:
        bases.append(url.rstrip("/"))
    os.environ["SIYU_WECOM_API_BASES"] = ",".join(bases)
    get_settings.cache_clear()
    return get_settings()
