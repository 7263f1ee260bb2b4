"""Settings from the environment: shared (TASKFORGE_*) and per service (TASKFORGE_<SERVICE>_*)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CommonSettings", "ServiceSettings", "common_settings", "service_settings"]


class CommonSettings(BaseSettings):
    """Settings every service shares (JWT, Redis, where local files live)."""

    model_config = SettingsConfigDict(env_prefix="TASKFORGE_", extra="ignore")

    data_dir: Path = Path("var")
    redis_url: str | None = None
    redis_key_prefix: str = "taskforge:"
    jwt_algorithm: Literal["HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"] = "HS256"
    # No default: services refuse to start without a key; `taskforge run` makes one per data dir.
    jwt_secret: str | None = None
    jwt_private_key: str | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str = "taskforge"
    jwt_audience: str = "taskforge-api"
    jwt_leeway_seconds: int = 10
    access_token_ttl_seconds: int = 15 * 60
    refresh_token_ttl_seconds: int = 30 * 24 * 3600
    max_body_bytes: int = 1_000_000
    max_query_depth: int = 15
    trust_forwarded_for: bool = False
    # The router-to-subgraph credential; when set, subgraphs answer GraphQL only to the router.
    subgraph_secret: str | None = None


class ServiceSettings(BaseSettings):
    """One service's own settings; the env prefix is chosen by `service_settings`."""

    model_config = SettingsConfigDict(extra="ignore")

    name: str = Field(default="service", exclude=True)
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 4001
    db_connect_timeout_seconds: float = 30.0


_DEFAULT_PORTS = {
    "router": 4000,
    "users": 4001,
    "groups": 4002,
    "tasks": 4003,
    "notifications": 4004,
}


@lru_cache
def common_settings() -> CommonSettings:
    return CommonSettings()


def service_settings(name: str, common: CommonSettings | None = None) -> ServiceSettings:
    """Read TASKFORGE_<NAME>_* (DATABASE_URL, HOST, PORT); SQLite under data_dir by default."""

    class _Settings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix=f"TASKFORGE_{name.upper()}_", extra="ignore")

    settings = _Settings(name=name)
    updates: dict[str, object] = {}
    if not settings.database_url:
        data_dir = (common or common_settings()).data_dir
        updates["database_url"] = f"sqlite+aiosqlite:///{data_dir / f'{name}.db'}"
    if "port" not in settings.model_fields_set:
        updates["port"] = _DEFAULT_PORTS.get(name, settings.port)
    return settings.model_copy(update=updates) if updates else settings
