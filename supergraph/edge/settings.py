"""Router settings from the environment (TASKFORGE_ROUTER_*)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RouterSettings"]


class RouterSettings(BaseSettings):
    """What the router's edge enforces; every limit is on by default with a generous value."""

    model_config = SettingsConfigDict(env_prefix="TASKFORGE_ROUTER_", extra="ignore")

    # No deeper than the subgraphs allow (TASKFORGE_MAX_QUERY_DEPTH, 15), so a query the router
    # accepts is not refused inside a subgraph.
    max_depth: int = 15
    max_aliases: int = 200
    max_root_fields: int = 50
    max_tokens: int = 10_000
    max_body_bytes: int = 2_000_000
    max_cost: int | None = None
    cost_list_size: int = 10
    max_batch_size: int = 10
    introspection: bool = True
    subgraph_timeout_seconds: float = 30.0
    # Identical in-flight subgraph query fetches share one request (never mutations).
    deduplicate_subgraph_fetches: bool = True
    # Identical in-flight client queries share one execution; off like Hive Gateway's: the
    # followers' trace ids never reach the subgraphs, and subgraph-side audit logs and rate
    # limits see one request for many clients.
    deduplicate_inbound_queries: bool = False
    # Entity fetches to one subgraph in one Parallel stage go as one aliased request.
    merge_entity_fetches: bool = True
    cors_origins: list[str] = []
    cors_allow_credentials: bool = False
    propagate_request_headers: list[str] = ["authorization", "x-request-id", "traceparent"]
    propagate_response_headers: list[str] = ["set-cookie", "cache-control"]
    # Sent with every subgraph request (a credential subgraphs check, for example); a client
    # header of the same name never replaces one of these.
    subgraph_headers: dict[str, str] = {}
    # When set, every subgraph request carries the client's address under this header: the
    # router's peer address, or the X-Forwarded-For hop a trusted proxy appended.
    client_address_header: str | None = None
    trusted_proxies: list[str] = []
    csrf_required_headers: list[str] = ["x-taskforge-csrf", "apollo-require-preflight"]
    csrf_protect_get: bool = True
    persisted_queries: bool = True
    # Automatic persisted queries are shared through Redis when set (else kept in-process).
    redis_url: str | None = None
    redis_key_prefix: str = "taskforge:"
    safelist_path: str | None = None
    upload_max_file_bytes: int = 10_000_000
    upload_max_total_bytes: int = 50_000_000
    upload_max_files: int = 10
    metrics: bool = True
